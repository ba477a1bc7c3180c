"""The Monday e-mail to leaders: last week's figures for their agency (and below)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User

from .selectors import handling_counts, overdue_now_count, scoped_dossiers, total_row


def last_week(today=None):
    """Monday 00:00 to the next Monday 00:00 of the week before ``today``."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)
    start = timezone.make_aware(datetime.combine(monday, time.min))
    return start, start + timedelta(days=7)


def week_figures(agency_ids, start, end, *, now=None) -> dict:
    """Last week's figures with the report definitions (reports.definitions)."""
    dossiers = scoped_dossiers(agency_ids)
    row = total_row(
        handling_counts(agency_ids, date_from=start.date(), date_to=(end - timedelta(days=1)).date(), now=now)
    )
    return {
        "received": row["received_online"] + row["received_direct"],
        "resolved": row["resolved_total"],
        "on_time": row["resolved_early"] + row["resolved_on_time"],
        "on_time_rate": row["on_time_rate"],
        "overdue_now": overdue_now_count(dossiers, now=now),
    }


def weekly_report_send(*, today=None) -> int:
    """Notify and e-mail every leader their last week's figures, once per leader and week."""
    from notifications.models import NotificationKind
    from notifications.services import notify_staff

    start, end = last_week(today)
    sent = 0
    for leader in User.objects.filter(role=Role.LEADER, is_active=True, agency__isnull=False).select_related("agency"):
        figures = week_figures(leader.agency.descendant_ids(), start, end)
        rate = f"{figures['on_time_rate']}%" if figures["on_time_rate"] is not None else "—"
        body = _(
            "%(agency)s, week of %(start)s–%(end)s: %(received)s dossiers received, %(resolved)s resolved, "
            "%(on_time)s on time (%(rate)s); %(overdue)s overdue now."
        ) % {
            "agency": leader.agency.name,
            "start": start.strftime("%d/%m"),
            "end": (end - timedelta(days=1)).strftime("%d/%m/%Y"),
            "received": figures["received"],
            "resolved": figures["resolved"],
            "on_time": figures["on_time"],
            "rate": rate,
            "overdue": figures["overdue_now"],
        }
        sent += notify_staff(
            users=[leader],
            kind=NotificationKind.REPORT,
            title=_("Last week's on-time figures"),
            body=body,
            url="/",
            dedupe=f"weekly:{start.date().isoformat()}",
        )
    return sent
