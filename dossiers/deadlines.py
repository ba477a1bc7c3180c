"""The deadline watch: find dossiers that became due soon, overdue, or waited too long for a
supplement, and act on each exactly once.

Exactly once is a database rule: a DeadlineAlert row per (dossier, kind, deadline) under a unique
constraint, written in the same transaction as what the alert does. Two sweeps at once, a crash
half-way or a restarted worker cannot duplicate or lose an alert: the loser of a race hits the
constraint and moves on; a dossier whose transaction did not commit is found again next time.

Cost: the queries read the (status, due_at) index and skip dossiers already alerted for their
current deadline, so a sweep where nothing changed reads almost nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from agencies.calendar import calendar_for
from agencies.models import Agency

from .choices import CLOCK_STATUSES, DossierStatus
from .models import AlertKind, DeadlineAlert, Dossier, LateApology
from .services import dossier_record_note

logger = logging.getLogger(__name__)
BATCH = 2000


@dataclass
class SweepReport:
    due_soon: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    supplement_overdue: list[str] = field(default_factory=list)
    acceptance_overdue: list[str] = field(default_factory=list)

    def counts(self):
        return {
            "due_soon": len(self.due_soon),
            "overdue": len(self.overdue),
            "supplement_overdue": len(self.supplement_overdue),
            "acceptance_overdue": len(self.acceptance_overdue),
        }


def _not_alerted(kind, deadline_field):
    return ~Exists(DeadlineAlert.objects.filter(dossier=OuterRef("pk"), kind=kind, deadline=OuterRef(deadline_field)))


def _due_soon_filter(now) -> Q | None:
    """Per receiving agency, "due soon" means within the lead time of working time from now.

    Agencies sharing a calendar (the same sessions, weekdays and declared days: most of them)
    share the threshold: one working-time computation and one condition per distinct calendar."""
    lead = float(getattr(settings, "ONESTOP_DUE_SOON_WORKING_HOURS", 7.5)) * 3600
    agencies = Agency.objects.filter(
        Exists(Dossier.objects.filter(receiving_agency=OuterRef("pk"), status__in=CLOCK_STATUSES, due_at__gte=now))
    ).order_by("pk")
    by_calendar: dict = {}
    for agency in agencies:
        by_calendar.setdefault(calendar_for(agency), []).append(agency.pk)
    query = None
    for calendar, agency_ids in by_calendar.items():
        threshold = calendar.add_working_time(now, lead)
        part = Q(receiving_agency__in=agency_ids, due_at__lte=threshold)
        query = part if query is None else query | part
    return query


def candidates(now):
    clock = Dossier.objects.filter(status__in=CLOCK_STATUSES)
    overdue = clock.filter(due_at__lt=now).filter(_not_alerted(AlertKind.OVERDUE, "due_at"))
    soon_filter = _due_soon_filter(now)
    due_soon = (
        clock.filter(due_at__gte=now).filter(soon_filter).filter(_not_alerted(AlertKind.DUE_SOON, "due_at"))
        if soon_filter is not None
        else Dossier.objects.none()
    )
    supplement = Dossier.objects.filter(status=DossierStatus.AWAITING_SUPPLEMENT, supplement_deadline__lt=now).filter(
        _not_alerted(AlertKind.SUPPLEMENT_OVERDUE, "supplement_deadline")
    )
    # Online dossiers the desk has not accepted (or asked to correct) within 8 working hours.
    unaccepted = Dossier.objects.filter(status=DossierStatus.AWAITING_ACCEPTANCE, acceptance_due_at__lt=now).filter(
        _not_alerted(AlertKind.ACCEPTANCE_OVERDUE, "acceptance_due_at")
    )
    return {
        AlertKind.ACCEPTANCE_OVERDUE: unaccepted.values_list("pk", "acceptance_due_at")[:BATCH],
        AlertKind.OVERDUE: overdue.values_list("pk", "due_at")[:BATCH],
        AlertKind.DUE_SOON: due_soon.values_list("pk", "due_at")[:BATCH],
        AlertKind.SUPPLEMENT_OVERDUE: supplement.values_list("pk", "supplement_deadline")[:BATCH],
    }


def deadline_sweep(*, now=None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    for kind, rows in candidates(now).items():
        for dossier_id, deadline in rows:
            code = _act(dossier_id, kind, deadline, now)
            if code:
                getattr(report, kind).append(code)
    if any(report.counts().values()):
        logger.info("Deadline sweep: %s", report.counts())
    return report


def _leaders_of(agency):
    if agency is None:
        return []
    return list(User.objects.filter(role=Role.LEADER, agency=agency, is_active=True))


def _act(dossier_id, kind, deadline, now) -> str | None:
    """Act on one dossier for one deadline, in one transaction; None if already done."""
    from notifications.models import NotificationKind
    from notifications.services import notify_staff

    with transaction.atomic():
        try:
            with transaction.atomic():
                alert = DeadlineAlert.objects.create(
                    dossier_id=dossier_id, kind=kind, deadline=deadline, created_at=now
                )
        except IntegrityError:
            return None  # another sweep got there first
        dossier = Dossier.objects.select_related(
            "assignee", "handling_office", "receiving_agency", "procedure_version"
        ).get(pk=dossier_id)
        url = f"/ho-so/{dossier.code}/"
        when = timezone.localtime(deadline).strftime("%H:%M %d/%m/%Y")
        heads = _leaders_of(dossier.handling_office)
        if kind == AlertKind.DUE_SOON:
            notify_staff(
                users=[dossier.assignee, *heads],
                kind=NotificationKind.DUE_SOON,
                title=_("Due soon: %(code)s at %(when)s") % {"code": dossier.code, "when": when},
                body=_("Finish it, or extend it now with an apology letter (Mẫu 04) before the due time."),
                url=url,
                dossier=dossier,
                dedupe=f"alert:{alert.pk}",
            )
        elif kind == AlertKind.OVERDUE:
            directors = _leaders_of(dossier.receiving_agency) or _leaders_of(dossier.receiving_agency.commune())
            notify_staff(
                users=[dossier.assignee, *heads, *directors],
                kind=NotificationKind.OVERDUE,
                title=_("Overdue: %(code)s was due at %(when)s") % {"code": dossier.code, "when": when},
                body=_("An apology letter (Mẫu 04) has been drafted: complete it with the reason and the new date."),
                url=url,
                dossier=dossier,
                dedupe=f"alert:{alert.pk}",
            )
            LateApology.objects.get_or_create(dossier=dossier, defaults={"drafted_at": now})
            dossier_record_note(
                dossier=dossier,
                note=_("Overdue since %(when)s: apology letter drafted.") % {"when": when},
                at=now,
                data={"alert": kind},
            )
        elif kind == AlertKind.ACCEPTANCE_OVERDUE:
            directors = _leaders_of(dossier.receiving_agency) or _leaders_of(dossier.receiving_agency.commune())
            clerks = list(User.objects.filter(role=Role.CLERK, agency=dossier.receiving_agency, is_active=True))
            notify_staff(
                users=[*clerks, *directors],
                kind=NotificationKind.OVERDUE,
                title=_("Online dossier %(code)s not accepted by %(when)s")
                % {"code": dossier.external_code or dossier.code, "when": when},
                body=_("The desk must accept it or ask for corrections within 8 working hours of its arrival."),
                url=url,
                dossier=dossier,
                dedupe=f"alert:{alert.pk}",
            )
        else:
            clerks = list(User.objects.filter(role=Role.CLERK, agency=dossier.receiving_agency, is_active=True))
            notify_staff(
                users=clerks,
                kind=NotificationKind.SUPPLEMENT_OVERDUE,
                title=_("No supplement for %(code)s since %(when)s: close it?") % {"code": dossier.code, "when": when},
                body=_("The waiting period after the request to supplement is over. The desk may close the dossier."),
                url=url,
                dossier=dossier,
                dedupe=f"alert:{alert.pk}",
            )
    return dossier.code
