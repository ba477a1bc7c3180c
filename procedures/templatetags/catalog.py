from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.calendar import TimeUnit

register = template.Library()


@register.simple_tag
def time_label(time):
    """'3 ngày làm việc', 'Trong ngày', or 'Chưa xác nhận' for a {amount, unit} (or None)."""
    if not time:
        return _("Not confirmed")
    amount, unit = time["amount"], time["unit"]
    shown = f"{amount:g}" if isinstance(amount, float) else str(amount)
    if unit == TimeUnit.SAME_DAY:
        return _("Same day (next working day if received after 15:00)")
    if unit == TimeUnit.WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", int(amount)) % {"n": shown}
    if unit == TimeUnit.WORKING_HOURS:
        return ngettext("%(n)s working hour", "%(n)s working hours", int(amount)) % {"n": shown}
    return ngettext("%(n)s day", "%(n)s days", int(amount)) % {"n": shown}
