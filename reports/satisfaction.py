"""Satisfaction figures (Decree 118 Art. 33; Decision 766 indicator 5): evaluations by criterion,
officer and procedure, and the survey campaigns of the agency."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count, Q

from surveys.choices import CRITERIA, Rating
from surveys.models import Campaign, Evaluation, Feedback

from .definitions import period_bounds, rate

SATISFIED_MIN = Rating.SATISFIED


def evaluations_in(agency_ids, *, date_from: date, date_to: date):
    start, end = period_bounds(date_from, date_to)
    evaluations = Evaluation.objects.filter(created_at__gte=start, created_at__lt=end)
    if agency_ids is not None:
        # Ratings count for the desk that served the citizen (Evaluation.agency, indexed with the date).
        evaluations = evaluations.filter(agency_id__in=agency_ids)
    return evaluations


def _grouped(evaluations, key: str, label: str):
    rows = (
        evaluations.values(key, label)
        .annotate(
            n=Count("pk"),
            average=Avg("overall"),
            satisfied=Count("pk", filter=Q(overall__gte=SATISFIED_MIN)),
        )
        .order_by("-n", label)
    )
    return [
        {
            "label": row[label] or "—",
            "count": row["n"],
            "average": round(row["average"], 2) if row["average"] is not None else None,
            "satisfied_rate": rate(row["satisfied"], row["n"]),
        }
        for row in rows
    ]


def satisfaction_report(agency_ids, *, date_from: date, date_to: date, resolved_total: int, resolved_late: int):
    evaluations = evaluations_in(agency_ids, date_from=date_from, date_to=date_to)
    total = evaluations.count()
    by_rating = dict(evaluations.values_list("overall").annotate(n=Count("pk")).order_by())
    overall = [
        {
            "value": value,
            "label": label,
            "count": by_rating.get(value, 0),
            "share": rate(by_rating.get(value, 0), total),
        }
        for value, label in reversed(Rating.choices)
    ]
    satisfied = sum(by_rating.get(v, 0) for v in (Rating.SATISFIED, Rating.VERY_SATISFIED))
    criteria = []
    for criterion in CRITERIA:
        counts = dict(evaluations.values_list(f"criteria__{criterion.code}").annotate(n=Count("pk")).order_by())
        answered = sum(n for value, n in counts.items() if value)
        criteria.append(
            {
                "label": criterion.label,
                "answered": answered,
                "options": [
                    {"label": label, "count": counts.get(value, 0), "share": rate(counts.get(value, 0), answered)}
                    for value, label in criterion.options
                ],
            }
        )
    start, end = period_bounds(date_from, date_to)
    complaints = Feedback.objects.filter(dossier__resolved_at__gte=start, dossier__resolved_at__lt=end)
    if agency_ids is not None:
        complaints = complaints.filter(dossier__competent_agency_id__in=agency_ids)
    complained = complaints.values("dossier").distinct().count()
    # Decision 766, indicator 5.4: 100% − (share resolved late + share with complaints).
    index = (
        round(100 - 100 * resolved_late / resolved_total - 100 * complained / resolved_total, 1)
        if resolved_total
        else None
    )
    campaigns = Campaign.objects.all()
    if agency_ids is not None:
        campaigns = campaigns.filter(agency_id__in=agency_ids)
    return {
        "total": total,
        "satisfied": satisfied,
        "satisfied_rate": rate(satisfied, total),
        "overall": overall,
        "criteria": criteria,
        "by_officer": _grouped(evaluations, "dossier__assignee", "dossier__assignee__username"),
        "by_procedure": _grouped(evaluations, "dossier__procedure", "dossier__procedure__name"),
        "complained": complained,
        "index_766": index,
        "campaigns": campaigns.order_by("-opens_on")[:20],
    }
