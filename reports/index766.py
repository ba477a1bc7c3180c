"""Each commune's Decision 766/QĐ-TTg score out of 100, computed live from what the system holds.

The groups and their points are settings.REPORTS_766_GROUPS (default: Decision 766 — publicity 18,
progress and results 20, digitisation 22, online services 22, satisfaction 18; the newer six-group
split the national portal shows — online service 12 and online payment 10 instead of online
services 22 — is *unconfirmed*: set it there when confirmed). Within a group, the points are shared
among its indicators by their weights. An indicator scores its points × the share achieved (0-100%).

Indicators the system cannot know (the procedures published on the portal...) are entered by hand
per commune and period (reports.ManualIndicator, in the admin); a group of the setting with no
indicator here gets one entered by hand. An indicator without data (nothing received or resolved in
the period, nothing entered) scores 0 and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from agencies.choices import AgencyKind
from agencies.models import Agency

from .definitions import in_report_q, period_bounds, rate
from .models import ManualIndicator

DECISION_766_GROUPS = {"publicity": 18, "progress": 20, "digitisation": 22, "online": 22, "satisfaction": 18}
GROUP_LABELS = {
    "publicity": _("Publicity and transparency"),
    "progress": _("Progress and results of handling"),
    "digitisation": _("Digitisation of dossiers and results"),
    "online": _("Online public services"),
    "online_payment": _("Online payment"),
    "satisfaction": _("Citizens' satisfaction"),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    groups: tuple[str, ...]  # the first of these present in the setting's groups is its group
    label: object
    formula: object
    weight: int = 1
    manual: bool = False


INDICATORS = (
    Indicator(
        "1.1",
        ("publicity",),
        _("Procedures published on the national portal, complete and on time"),
        _("Entered by hand: procedures published / procedures the commune handles"),
        manual=True,
    ),
    Indicator(
        "1.2",
        ("publicity",),
        _("Dossiers whose progress is published on the national portal"),
        _("Entered by hand: dossiers synchronised with the portal / dossiers received"),
        manual=True,
    ),
    Indicator("2.1", ("progress",), _("Dossiers resolved on time"), _("(early + on time) / resolved in the period")),
    Indicator(
        "3.1",
        ("digitisation",),
        _("Dossiers digitised"),
        _("received online or with a scan of their papers / received in the period"),
    ),
    Indicator(
        "3.2",
        ("digitisation",),
        _("Results issued electronically"),
        _("results signed digitally / results issued (approved) in the period"),
    ),
    Indicator("4.1", ("online",), _("Dossiers received online"), _("received online / received in the period")),
    Indicator(
        "4.2",
        ("online_payment", "online"),
        _("Fees paid online"),
        _("Entered by hand: dossiers with fees paid online / dossiers with fees"),
        manual=True,
    ),
    Indicator(
        "5.1",
        ("satisfaction",),
        _("Satisfaction index (indicator 5.4)"),
        _("100% − (share resolved late + share resolved with a complaint)"),
    ),
)


def group_points() -> dict[str, int]:
    return dict(getattr(settings, "REPORTS_766_GROUPS", None) or DECISION_766_GROUPS)


def indicators_in_use() -> list[tuple[Indicator, str, float]]:
    """(indicator, its group, its points) under the configured groups."""
    groups = group_points()
    placed: dict[str, list[Indicator]] = {code: [] for code in groups}
    for indicator in INDICATORS:
        group = next((g for g in indicator.groups if g in groups), None)
        if group is not None:
            placed[group].append(indicator)
    result = []
    for group, points in groups.items():
        members = placed[group] or [
            Indicator(f"{group}", (group,), GROUP_LABELS.get(group, group), _("Entered by hand"), manual=True)
        ]
        weights = sum(i.weight for i in members)
        result += [(i, group, points * i.weight / weights) for i in members]
    return result


def _communes(agency_ids):
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE).order_by("code")
    return communes if agency_ids is None else communes.filter(pk__in=agency_ids)


def scores(agency_ids, *, date_from: date, date_to: date) -> list[dict]:
    """One entry per commune in the scope: its indicators (value %, points, data behind) and total."""
    from surveys.models import Feedback

    from .selectors import handling_counts

    communes = list(_communes(agency_ids))
    ids = [c.pk for c in communes]
    rows = {
        int(row["key"]): row
        for row in handling_counts(ids, date_from=date_from, date_to=date_to, group_by="agency")
        if row["key"] is not None
    }
    start, end = period_bounds(date_from, date_to)
    complained = dict(
        Feedback.objects.filter(
            Q(dossier__resolved_at__gte=start, dossier__resolved_at__lt=end, dossier__competent_agency_id__in=ids)
        )
        .values_list("dossier__competent_agency_id")
        .annotate(n=Count("dossier", distinct=True))
        .order_by()
    )
    manual = {}
    entered = ManualIndicator.objects.filter(agency_id__in=ids, date_from__lte=date_to, date_to__gte=date_from)
    for item in entered.order_by("date_to", "entered_at"):  # the latest wins
        manual[(item.agency_id, item.code)] = item
    in_use = indicators_in_use()
    result = []
    for commune in communes:
        row = rows.get(commune.pk)
        lines = []
        for indicator, group, points in in_use:
            value, part, whole, note = _value(indicator, row, complained.get(commune.pk, 0), manual, commune)
            lines.append(
                {
                    "code": indicator.code,
                    "group": group,
                    "group_label": GROUP_LABELS.get(group, group),
                    "label": indicator.label,
                    "formula": indicator.formula,
                    "manual": indicator.manual,
                    "value": value,
                    "part": part,
                    "whole": whole,
                    "note": note,
                    "max_points": round(points, 2),
                    "points": round(points * (value or 0) / 100, 2),
                }
            )
        result.append(
            {
                "agency": commune,
                "lines": lines,
                "score": round(sum(line["points"] for line in lines), 1),
                "max_score": round(sum(line["max_points"] for line in lines), 1),
                "groups": _by_group(lines),
            }
        )
    return result


def _by_group(lines):
    groups: dict[str, dict] = {}
    for line in lines:
        group = groups.setdefault(line["group"], {"label": line["group_label"], "points": 0, "max_points": 0})
        group["points"] = round(group["points"] + line["points"], 2)
        group["max_points"] = round(group["max_points"] + line["max_points"], 2)
    return list(groups.values())


def _value(indicator, row, complained, manual, commune):
    """(value %, part, whole, note) of one indicator for one commune."""
    if indicator.manual:
        item = manual.get((commune.pk, indicator.code))
        if item is None:
            return None, None, None, _("not entered")
        return float(item.value), None, None, item.note
    if row is None:
        return None, 0, 0, _("no data")
    received = row["received_online"] + row["received_direct"]
    parts = {
        "2.1": (row["resolved_early"] + row["resolved_on_time"], row["resolved_total"]),
        "3.1": (row["received_digitised"], received),
        "3.2": (row["results_signed"], row["results_issued"]),
        "4.1": (row["received_online"], received),
    }
    if indicator.code == "5.1":
        whole = row["resolved_total"]
        if not whole:
            return None, 0, 0, _("no data")
        value = max(0.0, round(100 - 100 * row["resolved_late"] / whole - 100 * complained / whole, 1))
        return value, row["resolved_late"] + complained, whole, ""
    part, whole = parts[indicator.code]
    value = rate(part, whole)
    return value, part, whole, "" if whole else _("no data")


# ----- the dossiers behind an indicator ----------------------------------------------------------


def dossiers_behind(code: str, agency_ids, *, date_from: date, date_to: date):
    """(the dossiers of the indicator's denominator, annotated ``counted``: in its numerator).
    None for an indicator entered by hand."""
    from django.db.models import BooleanField, Case, Exists, OuterRef, Value, When

    from dossiers.models import Dossier
    from surveys.models import Feedback

    from .summaries import digitised_q, signed_result_exists

    start, end = period_bounds(date_from, date_to)
    dossiers = Dossier.objects.filter(in_report_q())
    if agency_ids is not None:
        dossiers = dossiers.filter(competent_agency_id__in=agency_ids)
    received = dossiers.filter(received_at__gte=start, received_at__lt=end)
    resolved = dossiers.filter(resolved_at__gte=start, resolved_at__lt=end)

    def flag(condition):
        return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())

    if code == "2.1":
        return resolved.annotate(counted=flag(Q(timeliness__in=["early", "on_time"])))
    if code == "3.1":
        return received.annotate(counted=flag(digitised_q()))
    if code == "3.2":
        return resolved.filter(result_ready_at__isnull=False).annotate(counted=flag(Q(signed_result_exists())))
    if code == "4.1":
        return received.annotate(counted=flag(Q(channel="online")))
    if code == "5.1":
        complaint = Exists(Feedback.objects.filter(dossier_id=OuterRef("pk")))
        # Counted here: the dossiers that lower the index (late, or with a complaint).
        return resolved.annotate(counted=flag(Q(timeliness="late") | Q(complaint)))
    return None


def indicator_by_code(code: str):
    return next((i for i, _group, _points in indicators_in_use() if i.code == code), None)
