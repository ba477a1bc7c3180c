"""The report figures, computed from the stored per-dossier facts (received_at, channel,
resolved_at, timeliness, due_at) with one grouped query per report. Definitions: definitions.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from dossiers.choices import CLOCK_STATUSES, DossierStatus
from dossiers.models import Dossier
from procedures.models import Field, Procedure

from .definitions import Timeliness, in_report_q, period_bounds, rate

COLUMNS = [
    "received_total",
    "carried_over",
    "received_online",
    "received_direct",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_total",
    "in_progress_within_time",
    "in_progress_overdue",
    "in_progress_awaiting_supplement",
]
# Decision 766, digitisation (reports.definitions): counts of the period, with their shares.
DIGITISATION_COLUMNS = ["received_digitised", "results_issued", "results_signed"]
GROUPS = {
    "agency": ("competent_agency_id", Agency, "name"),
    "field": ("procedure__field_id", Field, "name"),
    "procedure": ("procedure_id", Procedure, "name"),
    "officer": ("assignee_id", User, None),
}


@dataclass
class Row:
    key: str | None
    label: str
    values: dict = field(default_factory=dict)

    def as_dict(self):
        data = {"key": self.key, "label": self.label, **self.values}
        return with_rates(data)


def with_rates(data: dict) -> dict:
    data["on_time_rate"] = rate(data["resolved_early"] + data["resolved_on_time"], data["resolved_total"])
    data["digitised_rate"] = rate(data["received_digitised"], data["received_online"] + data["received_direct"])
    data["electronic_result_rate"] = rate(data["results_signed"], data["results_issued"])
    return data


def scoped_dossiers(agency_ids):
    """Dossiers decided by the given agencies (None: all). Reports count each dossier once, at the
    competent authority that answers for its deadline (online dossiers once accepted)."""
    queryset = Dossier.objects.filter(in_report_q())
    if agency_ids is not None:
        queryset = queryset.filter(competent_agency_id__in=agency_ids)
    return queryset


def handling_counts(agency_ids, *, date_from: date, date_to: date, group_by: str | None = None, now=None):
    """The II.06a columns for [date_from, date_to], grouped (agency, field, procedure, officer) or not,
    for the dossiers decided by ``agency_ids`` (None: all).

    Read from the summary (reports.summaries) — a province's year in a few queries, whatever the
    number of dossiers; a closed period's open dossiers too (as they stood at its end). By officer (a
    dossier's officer can change), and what is open now for a period not over yet, come from the
    dossiers.
    """
    from datetime import timedelta

    from . import summaries

    if group_by == "officer":
        return handling_counts_live(
            scoped_dossiers(agency_ids), date_from=date_from, date_to=date_to, group_by=group_by, now=now
        )
    now = now or timezone.now()
    start, end = period_bounds(date_from, date_to)
    before = summaries.figure_sums(agency_ids, summaries.before_q(date_from), group_by, names=summaries.COUNTERS)
    during = summaries.figure_sums(
        agency_ids,
        summaries.period_q(date_from, date_to),
        group_by,
        names=(*summaries.COUNTERS, *summaries.DIGITISATION),
    )
    if end > now:  # a period not over yet: what is open now
        open_now = summaries.open_counts(agency_ids, group_by, now=now)
    else:  # what was open at the end of the period, from the summary
        open_now = summaries.open_at(agency_ids, date_to + timedelta(days=1), group_by)
    keys = {*before, *during, *open_now}
    labels = _labels(group_by, [k for k in keys if k is not None])
    result = []
    for key in keys:
        b, d, o = before.get(key) or {}, during.get(key) or {}, open_now.get(key) or {}
        item = {
            "carried_over": (b.get("received_online") or 0)
            + (b.get("received_direct") or 0)
            - sum(b.get(name) or 0 for name in ("resolved_early", "resolved_on_time", "resolved_late")),
            **{name: d.get(name) or 0 for name in (*summaries.COUNTERS, *summaries.DIGITISATION)},
            "in_progress_overdue": o.get("in_progress_overdue") or 0,
            "in_progress_awaiting_supplement": o.get("in_progress_awaiting_supplement") or 0,
        }
        values = _complete(item)
        if group_by and not any(values[name] for name in COLUMNS):
            continue
        result.append(Row(key=str(key) if key is not None else None, label=labels.get(key, "—"), values=values))
    if not group_by and not result:
        result.append(Row(key=None, label="—", values=_complete({})))
    result.sort(key=lambda r: r.label)
    return [row.as_dict() for row in result]


def handling_counts_live(queryset, *, date_from: date, date_to: date, group_by: str | None = None, now=None):
    """The same figures counted from the dossiers themselves (the reference for the summary). The
    open dossiers are counted with their status and due time as they are now: exact for a period
    not over yet; for a closed period the summary is exact (as they stood at its end) and this
    count agrees only while nothing changed since (tests/reports replay the history instead)."""
    from .summaries import digitised_q, signed_result_exists

    start, end = period_bounds(date_from, date_to)
    # A period not over yet is counted as it stands now.
    end = as_of = max(start, min(end, now or timezone.now()))
    touching = queryset.filter(received_at__lt=end).filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
    open_at_end = Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)
    aggregates = {
        "carried_over": Count("pk", filter=Q(received_at__lt=start)),
        "received_online": Count("pk", filter=Q(received_at__gte=start, channel="online")),
        "received_direct": Count("pk", filter=Q(received_at__gte=start) & ~Q(channel="online")),
        "resolved_early": Count("pk", filter=Q(resolved_at__lt=end, timeliness=Timeliness.EARLY)),
        "resolved_on_time": Count("pk", filter=Q(resolved_at__lt=end, timeliness=Timeliness.ON_TIME)),
        "resolved_late": Count("pk", filter=Q(resolved_at__lt=end, timeliness=Timeliness.LATE)),
        "in_progress_overdue": Count(
            "pk", filter=open_at_end & Q(due_at__lt=as_of) & ~Q(status=DossierStatus.AWAITING_SUPPLEMENT)
        ),
        "in_progress_awaiting_supplement": Count(
            "pk", filter=open_at_end & Q(status=DossierStatus.AWAITING_SUPPLEMENT)
        ),
        "received_digitised": Count("pk", filter=Q(received_at__gte=start) & digitised_q()),
        "results_issued": Count("pk", filter=Q(resolved_at__lt=end, result_ready_at__isnull=False)),
        "results_signed": Count(
            "pk", filter=Q(resolved_at__lt=end, result_ready_at__isnull=False) & Q(signed_result_exists())
        ),
    }
    key_field = GROUPS[group_by][0] if group_by else None
    if key_field:
        raw = touching.values(key_field).annotate(**aggregates).order_by()
        rows = {item[key_field]: item for item in raw}
    else:
        rows = {None: touching.aggregate(**aggregates)}
    labels = _labels(group_by, [k for k in rows if k is not None])
    result = []
    for key, item in rows.items():
        values = _complete(item)
        result.append(Row(key=str(key) if key is not None else None, label=labels.get(key, "—"), values=values))
    result.sort(key=lambda r: r.label)
    return [row.as_dict() for row in result]


def _complete(item: dict) -> dict:
    values = {name: item.get(name, 0) or 0 for name in (*COLUMNS, *DIGITISATION_COLUMNS)}
    values["received_total"] = values["carried_over"] + values["received_online"] + values["received_direct"]
    values["resolved_total"] = values["resolved_early"] + values["resolved_on_time"] + values["resolved_late"]
    values["in_progress_total"] = values["received_total"] - values["resolved_total"]
    values["in_progress_within_time"] = values["in_progress_total"] - values["in_progress_overdue"]
    return values


def _labels(group_by, keys):
    if not group_by or not keys:
        return {}
    _key_field, model, name_field = GROUPS[group_by]
    if model is User:
        return {u.pk: u.display_name for u in User.objects.filter(pk__in=keys)}
    return dict(model.objects.filter(pk__in=keys).values_list("pk", name_field))


def total_row(rows: list[dict]) -> dict:
    total = {name: sum(row[name] for row in rows) for name in (*COLUMNS, *DIGITISATION_COLUMNS)}
    total.update(key=None, label="")
    return with_rates(total)


def monthly_trend(agency_ids, *, date_from: date, date_to: date):
    """Received and resolved per calendar month of the period, with the on-time rate (summary)."""
    from .summaries import monthly_sums

    result = []
    for month, row in monthly_sums(agency_ids, date_from, date_to).items():
        resolved = (row["resolved_early"] or 0) + (row["resolved_on_time"] or 0) + (row["resolved_late"] or 0)
        on_time = (row["resolved_early"] or 0) + (row["resolved_on_time"] or 0)
        result.append(
            {
                "month": month.strftime("%m/%Y"),
                "received": (row["received_online"] or 0) + (row["received_direct"] or 0),
                "resolved": resolved,
                "on_time_rate": rate(on_time, resolved),
            }
        )
    return result


def overdue_now(queryset, *, now=None, limit=50):
    """Open dossiers past their due time, the latest first, with the officer and days late."""
    now = now or timezone.now()
    rows = (
        queryset.filter(status__in=CLOCK_STATUSES, due_at__lt=now)
        .select_related("procedure", "assignee", "competent_agency")
        .order_by("due_at")[:limit]
    )
    result = []
    for dossier in rows:
        dossier.days_late = (timezone.localdate(now) - timezone.localtime(dossier.due_at).date()).days
        result.append(dossier)
    return result


def overdue_now_count(queryset, *, now=None) -> int:
    return queryset.filter(status__in=CLOCK_STATUSES, due_at__lt=now or timezone.now()).count()


def lateness_ranking(rows: list[dict], *, limit=10):
    """Groups ordered by late resolutions plus overdue now (worst first)."""
    ranked = sorted(rows, key=lambda r: (-(r["resolved_late"] + r["in_progress_overdue"]), r["on_time_rate"] or 0))
    return ranked[:limit]


def satisfaction(agency_ids, *, date_from: date, date_to: date) -> dict:
    """Evaluations in the period: count and the share rating 4 or 5 (details: satisfaction.py)."""
    from .satisfaction import SATISFIED_MIN, evaluations_in

    counts = evaluations_in(agency_ids, date_from=date_from, date_to=date_to).aggregate(
        total=Count("pk"), satisfied=Count("pk", filter=Q(overall__gte=SATISFIED_MIN))
    )
    return {
        "evaluations": counts["total"],
        "satisfied": counts["satisfied"],
        "rate": rate(counts["satisfied"], counts["total"]),
    }


def on_time_rate_this_period(user) -> dict:
    """The leader's first look: the current report month's on-time rate for their scope (the same
    period the dashboard's "month" shows: reports.forms.PeriodForm decides it)."""
    from .access import report_scope
    from .forms import PeriodForm

    period = PeriodForm({"period": "month"})
    period.is_valid()
    date_from, date_to = period.cleaned_data["bounds"]
    agency_ids, _agency = report_scope(user)
    total = total_row(handling_counts(agency_ids, date_from=date_from, date_to=date_to))
    return {
        "from": date_from,
        "to": date_to,
        "rate": total.get("on_time_rate"),
        "resolved": total.get("resolved_total"),
    }
