"""A closed period's open dossiers (overdue, waiting for a supplement) and the digitisation figures
come from the summary alone, exactly as they stood at the period's end — checked against a replay
of each dossier's history at every date, across periods × groupings, and after rebuild_figures."""

from datetime import date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from dossiers.choices import CLOCK_STATUSES, DossierStatus
from dossiers.models import Dossier, DossierEvent
from dossiers.services import (
    OnlineSubmission,
    Upload,
    dossier_accept,
    dossier_attach,
    dossier_close,
    dossier_extend,
    dossier_refuse,
    dossier_register_online,
    dossier_request_supplement,
    dossier_supplement,
    dossier_withdraw,
)
from reports.definitions import in_report_q
from reports.models import Figure
from reports.selectors import handling_counts, handling_counts_live, scoped_dossiers
from reports.summaries import figures_rebuild
from tests.factories import approve_result

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOW = datetime(2026, 5, 20, 9, tzinfo=VN)


def at(m, d, hh=9, mm=0):
    return datetime(2026, m, d, hh, mm, tzinfo=VN)


def scan():
    return Upload(name="to-khai.pdf", file=BytesIO(PDF), content_type="application/pdf")


@pytest.fixture
def history(receive, officer, clerk, leader, center, commune):
    """Dossiers whose state changed after the dates the tests look at (3 working days each)."""
    n = iter(range(100))

    def new(when, **kwargs):
        return receive("1.000689", at=when, id_number=f"00109900{next(n):04d}", **kwargs)

    def travel(when):
        return time_machine.travel(when, tick=False)

    # Overdue from 19/03, resolved late on 08/04.
    a = new(at(3, 13))
    with travel(at(4, 8)):
        approve_result(a, officer=officer)
    # Supplement asked 18/03, brought 06/04 (restart: due 09/04), resolved 10/04 (late: after the due).
    b = new(at(3, 16), uploads=[scan()])
    with travel(at(3, 18)):
        b = dossier_request_supplement(dossier=b, by=clerk, reason="Thiếu", missing="Tờ khai")
    with travel(at(4, 6)):
        b = dossier_supplement(dossier=b, by=clerk)
    with travel(at(4, 10)):
        approve_result(b, officer=officer)
    # Extended on 18/03 (due 19/03 → 30/03), overdue from 30/03, still open.
    c = new(at(3, 16))
    with travel(at(3, 18)):
        dossier_extend(dossier=c, by=officer, reason="Xác minh", new_due_at=at(3, 30, 17))
    # A scan attached a month after intake; overdue and resolved on its due day (not overdue at 00:00).
    d = new(at(3, 20))
    with travel(at(4, 21)):
        dossier_attach(dossier=d, uploads=[scan()], by=clerk)
    with travel(at(3, 25, 16)):
        pass
    # Supplement asked, then withdrawn while waiting; another closed after the wait.
    e = new(at(3, 23))
    with travel(at(3, 24)):
        e = dossier_request_supplement(dossier=e, by=clerk, reason="Thiếu", missing="Tờ khai")
    with travel(at(4, 2)):
        dossier_withdraw(dossier=e, by=clerk, reason="Công dân rút")
    f = new(at(3, 23))
    with travel(at(3, 24)):
        f = dossier_request_supplement(dossier=f, by=clerk, reason="Thiếu", missing="Tờ khai")
    with travel(at(4, 10)):
        dossier_close(dossier=f, by=clerk)
    # Online: accepted on 17/03; refused before acceptance (never counted); corrections asked
    # before acceptance, completed on 01/04 (accepted then).
    online = []
    for code, filed in (("G22-1", at(3, 16, 8)), ("G22-2", at(3, 16, 8)), ("G22-3", at(3, 17, 8))):
        with travel(filed):
            dossier, _created = dossier_register_online(
                OnlineSubmission(
                    external_code=code,
                    procedure_code="1.000689",
                    agency_code=commune.code,
                    applicant_name="Trần Thị Bình",
                    applicant_id_number=f"00109909910{code[-1]}",
                    filed_at=filed,
                )
            )
        online.append(dossier)
    with travel(at(3, 17)):
        dossier_accept(dossier=online[0], by=clerk)
        dossier_refuse(dossier=online[1], by=clerk, reason="Sai thẩm quyền")
        dossier_request_supplement(dossier=online[2], by=clerk, reason="Ảnh mờ", missing="Tờ khai")
    with travel(at(4, 1)):
        dossier_supplement(dossier=online[2], by=clerk)
    with travel(at(4, 16)):
        approve_result(online[0], officer=officer)
    # Received in April, still open; and received after every date looked at.
    new(at(4, 13))
    new(at(5, 18))
    return {"a": a, "online": online}


def replay_open_at(moment):
    """Open dossiers at ``moment``, from each dossier's history (no summary): its status and due
    time after the last event before ``moment``."""
    overdue = awaiting = 0
    for dossier in Dossier.objects.filter(in_report_q(), received_at__lt=moment):
        if dossier.resolved_at is not None and dossier.resolved_at < moment:
            continue
        status, due = None, None
        for event in DossierEvent.objects.filter(dossier=dossier, at__lt=moment).order_by("at", "pk"):
            status = event.to_status
            stated = (event.data or {}).get("new_due_at" if event.action == "extend" else "due_at")
            if stated:
                due = parse_datetime(stated)
        if status in CLOCK_STATUSES and due < moment:
            overdue += 1
        elif status == DossierStatus.AWAITING_SUPPLEMENT:
            awaiting += 1
    return {"in_progress_overdue": overdue, "in_progress_awaiting_supplement": awaiting}


DAYS = [date(2026, 3, d) for d in (16, 19, 20, 24, 25, 26, 31)] + [date(2026, 4, d) for d in (1, 2, 6, 9, 10, 14, 30)]


@pytest.mark.django_db
def test_open_at_the_end_of_each_past_day_equals_the_replayed_history(history, commune):
    with time_machine.travel(NOW, tick=False):
        for rebuilt in (False, True):
            if rebuilt:
                figures_rebuild()
            for day in DAYS:
                moment = datetime.combine(day + timedelta(days=1), time.min, tzinfo=VN)
                row = handling_counts({commune.pk}, date_from=date(2026, 3, 1), date_to=day)[0]
                expected = replay_open_at(moment)
                assert {k: row[k] for k in expected} == expected, (day, rebuilt)
                live = handling_counts_live(scoped_dossiers({commune.pk}), date_from=date(2026, 3, 1), date_to=day)[0]
                for name in ("received_total", "resolved_total", "in_progress_total", "received_digitised"):
                    assert row[name] == live[name], (day, name, rebuilt)


@pytest.mark.django_db
def test_values_on_hand_computed_dates(history, commune):
    with time_machine.travel(NOW, tick=False):
        march = handling_counts({commune.pk}, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))[0]
        # On 1 April 00:00: A (due 19/03), C (extended to 30/03) and D (due 25/03, resolved? no:
        # still open) overdue; B, E, F waiting; the online G22-1 (due 20/03) overdue; G22-3 not
        # accepted yet; G22-2 refused before acceptance: never counted.
        assert march["in_progress_awaiting_supplement"] == 3
        assert march["in_progress_overdue"] == 4
        assert march["received_online"] == 1 and march["received_direct"] == 6
        # Digitised: B (scan at intake), D (scan attached on 21/04), the online G22-1.
        assert march["received_digitised"] == 3 and march["digitised_rate"] == round(100 * 3 / 7, 1)
        # A live count with today's statuses would say otherwise (B, E, F are no longer waiting).
        live = handling_counts_live(
            scoped_dossiers({commune.pk}), date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
        )[0]
        assert live["in_progress_awaiting_supplement"] != march["in_progress_awaiting_supplement"]


@pytest.mark.django_db
@pytest.mark.parametrize("group_by", [None, "agency", "field", "procedure"])
@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (date(2026, 3, 15), date(2026, 4, 14)),
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 3, 18), date(2026, 3, 24)),
        (date(2025, 12, 15), date(2026, 12, 14)),  # not over yet: open as it stands now
    ],
)
def test_summary_equals_rebuild_for_every_period_and_grouping(history, commune, group_by, date_from, date_to):
    with time_machine.travel(NOW, tick=False):
        summary = handling_counts({commune.pk}, date_from=date_from, date_to=date_to, group_by=group_by)
        cells = sorted(
            Figure.objects.values_list(
                "grain", "start", "agency_id", "procedure_id", "received_digitised", "overdue_delta", "awaiting_delta"
            )
        )
        figures_rebuild()
        rebuilt = handling_counts({commune.pk}, date_from=date_from, date_to=date_to, group_by=group_by)
        live = handling_counts_live(
            scoped_dossiers({commune.pk}), date_from=date_from, date_to=date_to, group_by=group_by
        )
    assert summary == rebuilt
    assert [c for c in cells if any(c[4:])] == sorted(
        c
        for c in Figure.objects.values_list(
            "grain", "start", "agency_id", "procedure_id", "received_digitised", "overdue_delta", "awaiting_delta"
        )
        if any(c[4:])
    )
    for name in ("received_total", "carried_over", "resolved_total", "received_digitised", "results_issued"):
        assert [r[name] for r in summary] == [r[name] for r in live if r["received_total"] or r["resolved_total"]]


@pytest.mark.django_db
def test_a_closed_period_reads_the_summary_only(history, commune, receive):
    """The number of queries of a closed period's II.06a does not depend on the dossiers."""

    def count():
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
            handling_counts({commune.pk}, date_from=date(2026, 3, 15), date_to=date(2026, 4, 14), group_by="agency")
        return captured

    small = count()
    for i in range(10):
        receive("1.000689", at=at(4, 1, 10, i), id_number=f"0010990077{i:02d}")
    large = count()
    assert len(small) == len(large) <= 4
    assert not any("dossiers_dossier" in q["sql"] for q in large.captured_queries)
