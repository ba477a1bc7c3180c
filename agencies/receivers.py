"""Keep the per-process calendar cache (agencies.calendar) in step with the database: any saved or
deleted Agency or CalendarDay may change a working calendar."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .calendar import calendar_changed
from .models import Agency, CalendarDay


@receiver(post_save, sender=Agency, dispatch_uid="agencies.calendar.agency_saved")
@receiver(post_delete, sender=Agency, dispatch_uid="agencies.calendar.agency_deleted")
@receiver(post_save, sender=CalendarDay, dispatch_uid="agencies.calendar.day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="agencies.calendar.day_deleted")
def calendar_data_changed(sender, using="default", **kwargs):
    calendar_changed(using)
