"""Writing and reading the report summary (reports.models.Figure).

A period [date_from, date_to] is read from whole months where it covers them and from days at its
edges, so a year of a province is a few tens of thousands of summary rows, not a million dossiers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from dossiers.choices import DossierStatus
from dossiers.models import Dossier

from .definitions import Timeliness
from .models import Figure

COUNTERS = ("received_online", "received_direct", "resolved_early", "resolved_on_time", "resolved_late")
RESOLVED = {
    Timeliness.EARLY: "resolved_early",
    Timeliness.ON_TIME: "resolved_on_time",
    Timeliness.LATE: "resolved_late",
}


# ----- writing -----------------------------------------------------------------------------------


def _add(day: date, agency_id: int, procedure_id: int, counter: str, amount: int = 1) -> None:
    """Add to the day's and the month's cell (an upsert: safe under concurrent events)."""
    assert counter in COUNTERS
    table = Figure._meta.db_table
    zeros = dict.fromkeys(COUNTERS, 0)
    zeros[counter] = amount
    columns = ", ".join(COUNTERS)
    placeholders = ", ".join(["%s"] * len(COUNTERS))
    sql = (
        f"INSERT INTO {table} (grain, start, agency_id, procedure_id, {columns}) "
        f"VALUES (%s, %s, %s, %s, {placeholders}) "
        f"ON CONFLICT (grain, start, agency_id, procedure_id) DO UPDATE SET {counter} = {table}.{counter} + %s"
    )
    with connection.cursor() as cursor:
        for grain, start in ((Figure.DAY, day), (Figure.MONTH, day.replace(day=1))):
            cursor.execute(sql, [grain, start, agency_id, procedure_id, *zeros.values(), amount])


def figures_record_receipt(dossier) -> None:
    counter = "received_online" if dossier.channel == "online" else "received_direct"
    _add(timezone.localtime(dossier.received_at).date(), dossier.competent_agency_id, dossier.procedure_id, counter)


def figures_record_resolution(dossier) -> None:
    _add(
        timezone.localtime(dossier.resolved_at).date(),
        dossier.competent_agency_id,
        dossier.procedure_id,
        RESOLVED[dossier.timeliness],
    )


@transaction.atomic
def figures_rebuild() -> int:
    """Recompute every cell from the dossiers (after a bulk load, or to repair)."""
    Figure.objects.all().delete()
    cells: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    received = (
        Dossier.objects.annotate(day=TruncDate("received_at"))
        .values_list("day", "competent_agency_id", "procedure_id", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for day, agency, procedure, channel, n in received:
        counter = "received_online" if channel == "online" else "received_direct"
        for key in ((Figure.DAY, day), (Figure.MONTH, day.replace(day=1))):
            cells[(*key, agency, procedure)][counter] += n
    resolved = (
        Dossier.objects.filter(resolved_at__isnull=False)
        .annotate(day=TruncDate("resolved_at"))
        .values_list("day", "competent_agency_id", "procedure_id", "timeliness")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for day, agency, procedure, timeliness, n in resolved:
        counter = RESOLVED.get(timeliness)
        if counter is None:
            continue
        for key in ((Figure.DAY, day), (Figure.MONTH, day.replace(day=1))):
            cells[(*key, agency, procedure)][counter] += n
    Figure.objects.bulk_create(
        (
            Figure(grain=grain, start=start, agency_id=agency, procedure_id=procedure, **counts)
            for (grain, start, agency, procedure), counts in cells.items()
        ),
        batch_size=5000,
    )
    return len(cells)


# ----- reading -----------------------------------------------------------------------------------


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_q(date_from: date, date_to: date) -> Q:
    """The cells covering [date_from, date_to] exactly once: whole months, and days at the edges."""
    first_full = date_from if date_from.day == 1 else _month_after(date_from)
    day_after = date_to + timedelta(days=1)
    after_last_full = day_after if day_after.day == 1 else date_to.replace(day=1)
    if first_full >= after_last_full:  # no whole month inside: days only
        return Q(grain=Figure.DAY, start__gte=date_from, start__lte=date_to)
    return (
        Q(grain=Figure.MONTH, start__gte=first_full, start__lt=after_last_full)
        | Q(grain=Figure.DAY, start__gte=date_from, start__lt=first_full)
        | Q(grain=Figure.DAY, start__gte=after_last_full, start__lte=date_to)
    )


def before_q(day: date) -> Q:
    """Every cell strictly before ``day``: whole months before its month, then its month's days."""
    return Q(grain=Figure.MONTH, start__lt=day.replace(day=1)) | Q(
        grain=Figure.DAY, start__gte=day.replace(day=1), start__lt=day
    )


GROUP_KEYS = {None: None, "agency": "agency_id", "procedure": "procedure_id", "field": "procedure__field_id"}


def figure_sums(agency_ids, q: Q, group_by: str | None) -> dict:
    figures = Figure.objects.filter(q)
    if agency_ids is not None:
        figures = figures.filter(agency_id__in=agency_ids)
    sums = {name: Sum(name) for name in COUNTERS}
    key = GROUP_KEYS[group_by]
    if key is None:
        return {None: figures.aggregate(**sums)}
    return {row[key]: row for row in figures.values(key).annotate(**sums).order_by()}


def open_counts(agency_ids, group_by: str | None, *, now) -> dict:
    """Open dossiers now: overdue (clock running, past due) and waiting for a supplement."""
    dossiers = Dossier.objects.filter(resolved_at__isnull=True)
    if agency_ids is not None:
        dossiers = dossiers.filter(competent_agency_id__in=agency_ids)
    aggregates = {
        "in_progress_overdue": Count("pk", filter=Q(due_at__lt=now) & ~Q(status=DossierStatus.AWAITING_SUPPLEMENT)),
        "in_progress_awaiting_supplement": Count("pk", filter=Q(status=DossierStatus.AWAITING_SUPPLEMENT)),
    }
    key = {None: None, "agency": "competent_agency_id", "procedure": "procedure_id", "field": "procedure__field_id"}[
        group_by
    ]
    if key is None:
        return {None: dossiers.aggregate(**aggregates)}
    return {row[key]: row for row in dossiers.values(key).annotate(**aggregates).order_by()}


def monthly_sums(agency_ids, date_from: date, date_to: date) -> dict:
    """Received and resolved per calendar month of the period (edge months from their days)."""
    figures = Figure.objects.filter(period_q(date_from, date_to))
    if agency_ids is not None:
        figures = figures.filter(agency_id__in=agency_ids)
    rows = (
        figures.annotate(month=TruncMonth("start"))
        .values("month")
        .annotate(**{name: Sum(name) for name in COUNTERS})
        .order_by("month")
    )
    return {row["month"]: row for row in rows}
