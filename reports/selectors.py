"""The report figures, computed from the stored per-dossier facts (received_at, channel,
resolved_at, timeliness, due_at) with one grouped query per report. Definitions: definitions.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from dossiers.choices import CLOCK_STATUSES, DossierStatus
from dossiers.models import Dossier
from procedures.models import Field, Procedure

from .definitions import Timeliness, period_bounds, rate

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
        data["on_time_rate"] = rate(data["resolved_early"] + data["resolved_on_time"], data["resolved_total"])
        return data


def scoped_dossiers(agency_ids):
    """Dossiers decided by the given agencies (None: all). Reports count each dossier once, at the
    competent authority that answers for its deadline."""
    queryset = Dossier.objects.all()
    if agency_ids is not None:
        queryset = queryset.filter(competent_agency_id__in=agency_ids)
    return queryset


def handling_counts(queryset, *, date_from: date, date_to: date, group_by: str | None = None, now=None):
    """The II.06a columns for [date_from, date_to], grouped (agency, field, procedure, officer) or not."""
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
    values = {name: item.get(name, 0) or 0 for name in COLUMNS}
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
    total = {name: sum(row[name] for row in rows) for name in COLUMNS}
    total.update(
        key=None,
        label="",
        on_time_rate=rate(total["resolved_early"] + total["resolved_on_time"], total["resolved_total"]),
    )
    return total


def monthly_trend(queryset, *, date_from: date, date_to: date):
    """Received and resolved per calendar month, with the on-time rate."""
    start, end = period_bounds(date_from, date_to)
    received = dict(
        queryset.filter(received_at__gte=start, received_at__lt=end)
        .annotate(month=TruncMonth("received_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    resolved = {
        row["month"]: row
        for row in queryset.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(month=TruncMonth("resolved_at"))
        .values("month")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])),
        )
        .order_by()
    }
    months = sorted({*received, *resolved})
    return [
        {
            "month": timezone.localtime(m).strftime("%m/%Y") if timezone.is_aware(m) else m.strftime("%m/%Y"),
            "received": received.get(m, 0),
            "resolved": resolved.get(m, {}).get("n", 0),
            "on_time_rate": rate(resolved.get(m, {}).get("on_time", 0), resolved.get(m, {}).get("n", 0)),
        }
        for m in months
    ]


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


def digitised_share(queryset, *, date_from: date, date_to: date):
    start, end = period_bounds(date_from, date_to)
    received = queryset.filter(received_at__gte=start, received_at__lt=end)
    counts = received.aggregate(
        total=Count("pk", distinct=True), scanned=Count("pk", filter=Q(attachments__isnull=False), distinct=True)
    )
    return rate(counts["scanned"], counts["total"])
