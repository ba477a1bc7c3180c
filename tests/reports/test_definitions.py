"""The report definitions on hand-built dossiers, with every edge, against hand-computed figures."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers.services import (
    dossier_assign,
    dossier_extend,
    dossier_request_supplement,
    dossier_supplement,
    dossier_withdraw,
)
from reports.definitions import (
    Timeliness,
    classify_resolution,
    report_half_year,
    report_month,
    report_quarter,
    report_year,
)
from reports.selectors import handling_counts, handling_counts_live, scoped_dossiers, total_row
from tests.factories import approve_result

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(m, d, hh=9, mm=0):
    return datetime(2026, m, d, hh, mm, tzinfo=VN)


def test_classification_edges():
    due = at(3, 12, 9)
    assert classify_resolution(resolved_at=due, due_at=due) == Timeliness.ON_TIME  # exactly at the due time
    assert classify_resolution(resolved_at=due + timedelta(seconds=1), due_at=due) == Timeliness.LATE
    assert classify_resolution(resolved_at=at(3, 12, 7, 30), due_at=due) == Timeliness.ON_TIME  # same day
    assert classify_resolution(resolved_at=at(3, 11, 16), due_at=due) == Timeliness.EARLY
    assert classify_resolution(resolved_at=at(3, 10), due_at=due, supplement_count=2) == Timeliness.LATE


def test_standard_periods():
    assert report_month(2026, 4) == (date(2026, 3, 15), date(2026, 4, 14))
    assert report_month(2026, 1) == (date(2025, 12, 15), date(2026, 1, 14))
    assert report_quarter(2026, 1) == (date(2025, 12, 15), date(2026, 3, 14))
    assert report_half_year(2026, 1) == (date(2025, 12, 15), date(2026, 6, 14))
    assert report_half_year(2026, 2) == (date(2026, 6, 15), date(2026, 12, 14))
    assert report_year(2026) == (date(2025, 12, 15), date(2026, 12, 14))


@pytest.fixture
def period_dossiers(receive, officer, leader, clerk):
    """Month 4/2026 runs 15 March – 14 April. Each dossier below names its expected place."""

    def new(letter, when, **kwargs):
        d = receive("1.000689", at=when, id_number=f"0010990000{ord(letter):02d}", **kwargs)  # 3 working days
        with time_machine.travel(when + timedelta(minutes=5), tick=False):
            return dossier_assign(dossier=d, officer=officer, by=officer)

    def approve(d, when):
        with time_machine.travel(when, tick=False):
            return approve_result(d, officer=officer)

    a = new("A", at(3, 12))  # carried over (due 17/03), resolved in the period on 16/03: early
    approve(a, at(3, 16))
    b = new("B", at(3, 10))  # resolved before the period: not counted
    with time_machine.travel(at(3, 11), tick=False):
        dossier_withdraw(dossier=b, by=clerk, reason="Công dân rút")
    c = new("C", at(3, 16), channel="online")  # due 19/03 09:00, resolved exactly then: on time
    approve(c, at(3, 19, 9))
    d = new("D", at(3, 16))  # resolved a day before the due day: early
    approve(d, at(3, 18, 15))
    e = new("E", at(3, 17))  # due 20/03; extended to 25/03 17:00; resolved 25/03 10:00: on time
    with time_machine.travel(at(3, 19), tick=False):
        dossier_extend(dossier=e, by=officer, reason="Xác minh", new_due_at=at(3, 25, 17))
    approve(e, at(3, 25, 10))
    f = new("F", at(3, 17))  # supplement: restarted 23/03 10:00 → due 26/03 10:00; resolved 26/03 08:00
    with time_machine.travel(at(3, 18), tick=False):
        f = dossier_request_supplement(dossier=f, by=officer, reason="Thiếu", missing="Giấy chứng sinh")
    with time_machine.travel(at(3, 23, 10), tick=False):
        f = dossier_supplement(dossier=f, by=clerk)
    approve(f, at(3, 26, 8))
    g = new("G", at(3, 18))  # due 23/03 09:00, resolved 24/03: late
    approve(g, at(3, 24))
    new("H", at(3, 20))  # still open, due 25/03: overdue at the end of the period
    new("I", at(4, 13))  # still open, due 16/04: within time at the end of the period
    k = new("K", at(3, 25))  # waiting for a supplement
    with time_machine.travel(at(3, 26), tick=False):
        dossier_request_supplement(dossier=k, by=officer, reason="Thiếu", missing="Tờ khai")
    new("J", at(4, 15))  # after the period: not counted


EXPECTED = {
    "carried_over": 1,
    "received_online": 1,
    "received_direct": 7,
    "received_total": 9,
    "resolved_early": 2,
    "resolved_on_time": 3,
    "resolved_late": 1,
    "resolved_total": 6,
    "in_progress_total": 3,
    "in_progress_overdue": 1,
    "in_progress_within_time": 2,
    "in_progress_awaiting_supplement": 1,
    "on_time_rate": 83.3,
}


@pytest.mark.django_db
def test_handling_report_matches_hand_computed_figures(period_dossiers, commune):
    with time_machine.travel(at(4, 20), tick=False):
        rows = handling_counts({commune.pk}, date_from=date(2026, 3, 15), date_to=date(2026, 4, 14))
    assert len(rows) == 1
    assert {k: rows[0][k] for k in EXPECTED} == EXPECTED
    assert {k: total_row(rows)[k] for k in EXPECTED} == EXPECTED


@pytest.mark.django_db
def test_grouping_by_officer_and_procedure_adds_up(period_dossiers, commune, officer):
    with time_machine.travel(at(4, 20), tick=False):
        by_officer = handling_counts(
            {commune.pk}, date_from=date(2026, 3, 15), date_to=date(2026, 4, 14), group_by="officer"
        )
        by_procedure = handling_counts(
            None, date_from=date(2026, 3, 15), date_to=date(2026, 4, 14), group_by="procedure"
        )
    assert [r["label"] for r in by_officer] == [officer.display_name]
    assert by_officer[0]["resolved_total"] == 6
    assert by_procedure[0]["key"] is not None and by_procedure[0]["received_total"] == 9


@pytest.mark.django_db
def test_an_open_period_counts_overdue_as_of_now(period_dossiers, commune):
    # On 24 March (mid-period), G is not resolved yet and is overdue; H is not yet due. (The fixture
    # holds dossiers "from the future" of that date: only the reference count can replay the past.)
    with time_machine.travel(at(3, 24, 8), tick=False):
        row = handling_counts_live(
            scoped_dossiers({commune.pk}), date_from=date(2026, 3, 15), date_to=date(2026, 4, 14)
        )[0]
    assert row["in_progress_overdue"] == 1  # G (due 23/03)
    assert row["resolved_total"] == 3  # A, C, D


@pytest.mark.django_db
def test_other_communes_are_not_counted(period_dossiers, other_commune):
    with time_machine.travel(at(4, 20), tick=False):
        row = handling_counts({other_commune.pk}, date_from=date(2026, 3, 15), date_to=date(2026, 4, 14))[0]
    assert row["received_total"] == 0 and row["on_time_rate"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("group_by", [None, "agency", "field", "procedure"])
@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (date(2026, 3, 15), date(2026, 4, 14)),  # a report month across two calendar months
        (date(2026, 3, 1), date(2026, 3, 31)),  # a whole calendar month
        (date(2026, 3, 18), date(2026, 3, 24)),  # a few days
        (date(2025, 12, 15), date(2026, 12, 14)),  # the report year
    ],
)
def test_the_summary_gives_the_same_figures_as_counting_the_dossiers(
    period_dossiers, commune, group_by, date_from, date_to
):
    from reports.summaries import figures_rebuild

    with time_machine.travel(at(4, 20), tick=False):
        live = handling_counts_live(
            scoped_dossiers({commune.pk}), date_from=date_from, date_to=date_to, group_by=group_by
        )
        summary = handling_counts({commune.pk}, date_from=date_from, date_to=date_to, group_by=group_by)
        figures_rebuild()
        rebuilt = handling_counts({commune.pk}, date_from=date_from, date_to=date_to, group_by=group_by)
    live = [row for row in live if any(row[k] for k in EXPECTED if k != "on_time_rate")] or live
    assert summary == live
    assert rebuilt == live


@pytest.mark.django_db
def test_agency_cells_are_the_procedure_cells_summed(period_dossiers, other_commune, receive):
    """AgencyFigure (what reports by agency or for a whole scope read) is Figure summed over the
    procedures, as each event writes it and as rebuild_figures writes it."""
    from django.db.models import Sum

    from reports.models import AgencyFigure, Figure
    from reports.summaries import ALL_COUNTERS, figures_rebuild

    receive("1.001193", id_number="001099077777")  # another procedure, today

    def summed():
        rows = Figure.objects.values("grain", "start", "agency_id").annotate(**{n: Sum(n) for n in ALL_COUNTERS})
        return {
            (r["grain"], r["start"], r["agency_id"]): tuple(r[n] for n in ALL_COUNTERS)
            for r in rows
            if any(r[n] for n in ALL_COUNTERS)
        }

    def agency_cells():
        return {
            (r.grain, r.start, r.agency_id): tuple(getattr(r, n) for n in ALL_COUNTERS)
            for r in AgencyFigure.objects.all()
            if any(getattr(r, n) for n in ALL_COUNTERS)
        }

    assert summed() and agency_cells() == summed()
    figures_rebuild()
    assert agency_cells() == summed()
