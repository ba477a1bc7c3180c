"""The internal workflow of a dossier: the steps of the control slip (Mẫu 06) and their times."""

from django.db.models import Max

from accounts.choices import Role
from agencies.calendar import calendar_for

from ..models import Handover
from ..rules import commune_of


def clock_calendar_for(*, receiving_agency, competent_agency):
    """The calendar the handling clock runs on: the receiving desk's, or, for a dossier lodged at
    another commune's desk (Decree 309/2026), the competent authority's."""
    if competent_agency is not None and commune_of(receiving_agency).pk != competent_agency.pk:
        return calendar_for(competent_agency)
    return calendar_for(receiving_agency)


def clock_calendar(dossier):
    return clock_calendar_for(receiving_agency=dossier.receiving_agency, competent_agency=dossier.competent_agency)


def plan_handovers(dossier, version, cycle=1, *, start=None, calendar=None):
    """Split the working time between the clock start and the due time by the workflow shares."""
    cal = calendar or clock_calendar(dossier)
    start = start or dossier.clock_started_at
    total = max(cal.working_seconds_between(start, dossier.due_at), 0)
    steps = list(version.workflow_steps.all()) or []  # prefetched by procedure_get at intake
    handovers, cumulative = [], 0
    for order, step in enumerate(steps, start=1):
        cumulative += step.share
        due = cal.add_working_time(start, total * min(cumulative, 100) / 100) if total else dossier.due_at
        # Ids, not instances: reading step.office would cost a query per step.
        office_id = step.office_id or (
            dossier.handling_office_id if step.role != Role.CLERK else dossier.receiving_agency_id
        )
        handovers.append(
            Handover(
                dossier=dossier,
                order=order,
                step_name=step.name,
                role=step.role,
                office_id=office_id,
                due_at=min(due, dossier.due_at),
                cycle=cycle,
            )
        )
    if handovers:
        handovers[0].started_at = start
    Handover.objects.bulk_create(handovers)


def complete_steps(dossier, *, stage, by, at):
    """Mark the steps of the current cycle done up to a stage of the workflow, and start the next.

    handover: the leading desk steps; submit: up to the first leader step; approve: up to the last
    officer or leader step (the return step stays open); return: every step.
    """
    steps = list(dossier.handovers.filter(cycle=current_cycle(dossier)).order_by("order"))
    roles = [step.role for step in steps]
    if stage == "handover":
        end = next((i for i, role in enumerate(roles) if role != Role.CLERK), len(steps))
    elif stage == "submit":
        end = next((i for i, role in enumerate(roles) if role == Role.LEADER), len(steps))
    elif stage == "approve":
        end = max((i + 1 for i, role in enumerate(roles) if role != Role.CLERK), default=len(steps))
    else:
        end = len(steps)
    for step in steps[:end]:
        if step.completed_at is None:
            step.completed_at, step.completed_by = at, by
            step.user = step.user or by
            step.started_at = step.started_at or at
            step.save(update_fields=["completed_at", "completed_by", "user", "started_at"])
    following = next((s for s in steps if s.completed_at is None), None)
    if following is not None and following.started_at is None:
        following.started_at = at
        following.save(update_fields=["started_at"])


def current_cycle(dossier):
    return dossier.handovers.aggregate(cycle=Max("cycle"))["cycle"] or 1
