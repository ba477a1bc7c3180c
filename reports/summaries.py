"""Writing and reading the report summary (reports.models.Figure, and AgencyFigure: the same summed
over the procedures, read when nothing is grouped by procedure or field).

A period [date_from, date_to] is read from whole months where it covers them and from days at its
edges, so a year of a province is a few tens of thousands of summary rows, not a million dossiers.

Each dossier event changes a few cells in one statement (``cells_add``): the day and month of its
receipt, of its resolution, and — for the open-dossier counts of past dates — the day its clock
state changes (reports.definitions, "Open dossiers at a past date").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dossiers.choices import CLOCK_STATUSES, Action, Channel, DossierStatus
from dossiers.models import Attachment, Dossier, DossierEvent

from .definitions import Timeliness, in_report_q
from .models import AgencyFigure, Figure

# Counts of a period (summed over the period's cells).
COUNTERS = ("received_online", "received_direct", "resolved_early", "resolved_on_time", "resolved_late")
DIGITISATION = ("received_digitised", "results_issued", "results_signed")
# Signed changes (summed over every cell before a day: the state at the start of that day).
DELTAS = ("overdue_delta", "awaiting_delta")
ALL_COUNTERS = (*COUNTERS, *DIGITISATION, *DELTAS)
RESOLVED = {
    Timeliness.EARLY: "resolved_early",
    Timeliness.ON_TIME: "resolved_on_time",
    Timeliness.LATE: "resolved_late",
}
RESOLVING = (Action.APPROVE, Action.REFUSE, Action.WITHDRAW, Action.CLOSE)


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# ----- writing -----------------------------------------------------------------------------------


class Changes:
    """Amounts to add to cells, gathered for one statement: {(day, agency, procedure): {counter: n}}."""

    def __init__(self):
        self.cells: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, day: date, agency_id: int, procedure_id: int, counter: str, amount: int = 1) -> None:
        assert counter in ALL_COUNTERS, counter
        self.cells[(day, agency_id, procedure_id)][counter] += amount

    def rows(self):
        """(grain, start, agency, procedure) → amounts, days folded into their months too."""
        rows: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (day, agency, procedure), amounts in self.cells.items():
            for key in ((Figure.DAY, day), (Figure.MONTH, day.replace(day=1))):
                for counter, amount in amounts.items():
                    rows[(*key, agency, procedure)][counter] += amount
        return {key: counts for key, counts in rows.items() if any(counts.values())}


def by_agency(rows: dict) -> dict:
    """The same amounts summed over the procedures: (grain, start, agency) → amounts (AgencyFigure)."""
    summed: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (grain, start, agency, _procedure), counts in rows.items():
        for counter, amount in counts.items():
            summed[(grain, start, agency)][counter] += amount
    return {key: counts for key, counts in summed.items() if any(counts.values())}


def _upsert(model, keys: tuple[str, ...], rows: dict, cursor) -> None:
    table = model._meta.db_table
    columns = ", ".join(ALL_COUNTERS)
    one = "(" + ", ".join(["%s"] * (len(keys) + len(ALL_COUNTERS))) + ")"
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in ALL_COUNTERS)
    sql = (
        f"INSERT INTO {table} ({', '.join(keys)}, {columns}) "
        f"VALUES {', '.join([one] * len(rows))} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )
    params = []
    for key, counts in sorted(rows.items()):  # one lock order for all
        params += [*key, *(counts.get(name, 0) for name in ALL_COUNTERS)]
    cursor.execute(sql, params)


def cells_add(changes: Changes) -> None:
    """Add to the cells, by procedure and by agency, in one upsert each (safe under concurrent events:
    the database adds)."""
    rows = changes.rows()
    if not rows:
        return
    with connection.cursor() as cursor:
        _upsert(Figure, ("grain", "start", "agency_id", "procedure_id"), rows, cursor)
        _upsert(AgencyFigure, ("grain", "start", "agency_id"), by_agency(rows), cursor)


def is_digitised_at_receipt(dossier) -> bool:
    return dossier.channel == Channel.ONLINE


def clock_changes(
    changes: Changes,
    cell: tuple[int, int],
    *,
    before: str,
    after: str,
    due_before: datetime | None,
    due_after: datetime | None,
    at: datetime,
) -> None:
    """The open-dossier deltas of one event. ``before``/``after``: the dossier's state for the
    report — "running" (clock running), "awaiting" (waiting for a supplement) or "" (not open, or
    not in the report yet). Overdue during [due, end of the clock segment): +1 on the due day when a
    segment starts, −1 on the later of its end day and its due day when it ends (the pair cancels
    when the segment ended before it was due)."""
    agency, procedure = cell
    due_changed = due_before != due_after
    if before == "running" and (after != "running" or due_changed):
        changes.add(max(_day(due_before), _day(at)), agency, procedure, "overdue_delta", -1)
    if after == "running" and (before != "running" or due_changed):
        changes.add(_day(due_after), agency, procedure, "overdue_delta", 1)
    if before == "awaiting" and after != "awaiting":
        changes.add(_day(at), agency, procedure, "awaiting_delta", -1)
    if after == "awaiting" and before != "awaiting":
        changes.add(_day(at), agency, procedure, "awaiting_delta", 1)


def report_state(status: str, in_report: bool) -> str:
    if not in_report:
        return ""
    if status in CLOCK_STATUSES:
        return "running"
    return "awaiting" if status == DossierStatus.AWAITING_SUPPLEMENT else ""


def figures_record_event(dossier, event) -> None:
    """Everything one dossier event changes in the summary (reports.receivers)."""
    in_report = dossier.filed_at is None or dossier.accepted_at is not None
    if not in_report:  # an online dossier the desk has not accepted: not received yet
        return
    action = event.action
    # The event that brought it into the report: the desk's receipt, or the acceptance of an online
    # dossier (by the desk, or by completing the corrections the desk asked for).
    entered = action in (Action.RECEIVE, Action.ACCEPT) or (
        action == Action.SUPPLEMENT and dossier.filed_at is not None and dossier.accepted_at == dossier.clock_started_at
    )
    cell = (dossier.competent_agency_id, dossier.procedure_id)
    changes = Changes()
    if entered:
        received = _day(dossier.received_at)
        counter = "received_online" if dossier.channel == Channel.ONLINE else "received_direct"
        changes.add(received, *cell, counter)
        # Received online: digitised from the start. A desk dossier's scans are counted as they are
        # saved (figures_record_scan), at intake or later.
        if is_digitised_at_receipt(dossier):
            changes.add(received, *cell, "received_digitised")
    # A dossier is resolved once: no resolving action is allowed after another.
    resolved_now = action in RESOLVING and dossier.resolved_at is not None
    if resolved_now:
        day = _day(dossier.resolved_at)
        changes.add(day, *cell, RESOLVED[dossier.timeliness])
        if action == Action.APPROVE:
            changes.add(day, *cell, "results_issued")
            if (event.data or {}).get("result"):
                changes.add(day, *cell, "results_signed")
    before = "" if entered else report_state(event.from_status, True)
    after = report_state(event.to_status, True)
    due_before = dossier.due_at
    if action == Action.EXTEND and (event.data or {}).get("previous_due_at"):
        due_before = parse_datetime(event.data["previous_due_at"])
    at = dossier.resolved_at if resolved_now else event.at
    clock_changes(changes, cell, before=before, after=after, due_before=due_before, due_after=dossier.due_at, at=at)
    cells_add(changes)


def figures_record_scan(attachment) -> None:
    """A desk dossier's first scan makes it digitised, counted on its receipt day (scans attached
    after intake included). Online dossiers are digitised from their receipt."""
    dossier = attachment.dossier
    if dossier.filed_at is not None or dossier.channel == Channel.ONLINE:
        return
    if Attachment.objects.filter(dossier_id=dossier.pk).exclude(pk=attachment.pk).exists():
        return
    changes = Changes()
    changes.add(_day(dossier.received_at), dossier.competent_agency_id, dossier.procedure_id, "received_digitised")
    cells_add(changes)


def digitised_q() -> Q:
    return Q(channel=Channel.ONLINE) | Q(Exists(Attachment.objects.filter(dossier_id=OuterRef("pk"))))


def signed_result_exists():
    from results.choices import ResultState
    from results.models import ResultDocument

    return Exists(ResultDocument.objects.filter(dossier_id=OuterRef("pk"), state=ResultState.SIGNED))


@transaction.atomic
def figures_rebuild() -> int:
    """Recompute every cell from the dossiers and their history (after a bulk load, or to repair)."""
    Figure.objects.all().delete()
    AgencyFigure.objects.all().delete()
    changes = Changes()
    dossiers = Dossier.objects.filter(in_report_q())
    received = (
        dossiers.annotate(day=TruncDate("received_at"), digitised=digitised_q())
        .values_list("day", "competent_agency_id", "procedure_id", "channel", "digitised")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for day, agency, procedure, channel, digitised, n in received:
        changes.add(day, agency, procedure, "received_online" if channel == Channel.ONLINE else "received_direct", n)
        if digitised:
            changes.add(day, agency, procedure, "received_digitised", n)
    resolved = (
        dossiers.filter(resolved_at__isnull=False)
        .annotate(day=TruncDate("resolved_at"), signed=signed_result_exists())
        .values_list("day", "competent_agency_id", "procedure_id", "timeliness", "result_ready_at", "signed")
        .order_by()
    )
    resolved = resolved.annotate(n=Count("pk"))
    for day, agency, procedure, timeliness, result_ready_at, signed, n in resolved:
        if timeliness in RESOLVED:
            changes.add(day, agency, procedure, RESOLVED[timeliness], n)
        if result_ready_at is not None:
            changes.add(day, agency, procedure, "results_issued", n)
            if signed:
                changes.add(day, agency, procedure, "results_signed", n)
    _replay_clock(changes)
    rows = changes.rows()
    Figure.objects.bulk_create(
        (
            Figure(grain=grain, start=start, agency_id=agency, procedure_id=procedure, **counts)
            for (grain, start, agency, procedure), counts in rows.items()
        ),
        batch_size=5000,
    )
    AgencyFigure.objects.bulk_create(
        (AgencyFigure(grain=grain, start=start, agency_id=agency, **counts) for (grain, start, agency), counts in
         by_agency(rows).items()),
        batch_size=5000,
    )  # fmt: skip
    return len(rows)


CLOCK_ACTIONS = (
    Action.RECEIVE,
    Action.ACCEPT,
    Action.REQUEST_SUPPLEMENT,
    Action.SUPPLEMENT,
    Action.EXTEND,
    *RESOLVING,
)


def _replay_clock(changes: Changes) -> None:
    """The open-dossier deltas from the history: each dossier's events in order, the same changes
    the receiver writes event by event."""
    events = (
        DossierEvent.objects.filter(action__in=CLOCK_ACTIONS)
        .order_by("dossier_id", "at", "pk")
        .values_list(
            "dossier_id",
            "at",
            "action",
            "from_status",
            "to_status",
            "data",
            "dossier__competent_agency_id",
            "dossier__procedure_id",
            "dossier__due_at",
            "dossier__resolved_at",
        )
    )
    current = None
    in_report, due = False, None
    for (
        dossier_id,
        at,
        action,
        from_status,
        to_status,
        data,
        agency,
        procedure,
        due_now,
        resolved_at,
    ) in events.iterator(chunk_size=20000):
        if dossier_id != current:
            current, in_report, due = dossier_id, False, None
        data = data or {}
        entered = not in_report and to_status in CLOCK_STATUSES
        before = report_state(from_status, in_report)
        # The due time each event set (receipt, acceptance, restart, extension), as its data says.
        stated = data.get("new_due_at") if action == Action.EXTEND else data.get("due_at")
        due_after = parse_datetime(stated) if stated else (due or due_now)
        in_report = in_report or entered
        after = report_state(to_status, in_report)
        moment = resolved_at if action in RESOLVING and resolved_at is not None else at
        clock_changes(
            changes,
            (agency, procedure),
            before=before,
            after=after,
            due_before=due,
            due_after=due_after,
            at=moment,
        )
        due = due_after


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


def figure_sums(agency_ids, q: Q, group_by: str | None, names=ALL_COUNTERS) -> dict:
    # Without a procedure (or field) to group by, the cells summed over the procedures suffice.
    figures = (AgencyFigure if group_by in (None, "agency") else Figure).objects.filter(q)
    if agency_ids is not None:
        figures = figures.filter(agency_id__in=agency_ids)
    sums = {name: Sum(name) for name in names}
    key = GROUP_KEYS[group_by]
    if key is None:
        return {None: figures.aggregate(**sums)}
    return {row[key]: row for row in figures.values(key).annotate(**sums).order_by()}


def open_at(agency_ids, day: date, group_by: str | None) -> dict:
    """Open dossiers at the start of ``day`` (00:00): overdue, and waiting for a supplement."""
    sums = figure_sums(agency_ids, before_q(day), group_by, names=DELTAS)
    return {
        key: {
            "in_progress_overdue": row.get("overdue_delta") or 0,
            "in_progress_awaiting_supplement": row.get("awaiting_delta") or 0,
        }
        for key, row in sums.items()
    }


def open_counts(agency_ids, group_by: str | None, *, now) -> dict:
    """Open dossiers now: overdue (clock running, past due) and waiting for a supplement."""
    dossiers = Dossier.objects.filter(in_report_q(), resolved_at__isnull=True)
    if agency_ids is not None:
        dossiers = dossiers.filter(competent_agency_id__in=agency_ids)
    aggregates = {
        "in_progress_overdue": Count("pk", filter=Q(due_at__lt=now, status__in=CLOCK_STATUSES)),
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
    figures = AgencyFigure.objects.filter(period_q(date_from, date_to))
    if agency_ids is not None:
        figures = figures.filter(agency_id__in=agency_ids)
    rows = (
        figures.annotate(month=TruncMonth("start"))
        .values("month")
        .annotate(**{name: Sum(name) for name in COUNTERS})
        .order_by("month")
    )
    return {row["month"]: row for row in rows}
