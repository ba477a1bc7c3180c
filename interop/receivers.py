"""Listen to dossier events: write the outbox rows in the same transaction (one receiver)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dossiers.services import dossier_event_recorded

from .models import WebhookSubscriber
from .services import outbox_record_event, subscribers_changed


@receiver(dossier_event_recorded, dispatch_uid="interop.outbox")
def on_dossier_event(sender, dossier, event, **kwargs):
    outbox_record_event(dossier=dossier, event=event)


@receiver(post_save, sender=WebhookSubscriber, dispatch_uid="interop.subscribers_saved")
@receiver(post_delete, sender=WebhookSubscriber, dispatch_uid="interop.subscribers_deleted")
def on_subscribers_changed(sender, **kwargs):
    subscribers_changed()
