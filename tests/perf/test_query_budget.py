"""Query discipline (issue 8): the pages a busy desk opens issue a number of queries that does not
grow with the rows behind them, and the hot lookups are served by indexes.

Each page is measured at two data sizes (3 and 30 dossiers, with the same mix of states): the counts
must be equal, and within a budget."""

import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.public import status_pages
from dossiers.services import ApplicantData, dossier_assign, dossier_return
from tests.factories import approve_result

SMALL, LARGE = 3, 30
BUDGET = {
    "worklist": 20,
    "detail": 30,
    "dashboard": 40,
    "procedures": 20,
    "public": 15,
    "home": 30,
    "intake": 22,
    "report": 15,
}
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _lookup_limit(settings):
    settings.PUBLIC_LOOKUP_RATE = "100000/min"
    settings.SESSION_REFRESH_SECONDS = 10**10  # the once-a-minute session write is not the page's work
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_dossiers(receive, clerk, officer, leader):
    """Add dossiers in a fixed mix: received, in progress (the officer's), returned."""

    def _make(n):
        made = []
        for i in range(n):
            applicant = ApplicantData(full_name="Lê Thị Hoa", id_number=f"0010990{next(_ids):05d}", phone="0912345678")
            dossier = receive("1.001193", applicant=applicant)
            if i % 3 >= 1:
                dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
            if i % 3 == 2:
                dossier = approve_result(dossier, officer=officer)
                dossier = dossier_return(dossier=dossier, by=clerk)
            made.append(dossier)
        return made

    return _make


def _queries(client, url, **extra):
    from django.core.cache import cache

    cache.clear()  # measure the work, not a cached page (the dashboard caches its figures)
    status_pages.clear()  # nor a status page kept in this process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _two_sizes(make_dossiers, measure):
    """The count at SMALL dossiers, then at LARGE dossiers (same mix)."""
    made = make_dossiers(SMALL)
    small = measure(made)
    made += make_dossiers(LARGE - SMALL)
    large = measure(made)
    return small, large


@pytest.mark.django_db
def test_each_roles_home_queries_do_not_grow(client, officer, clerk, leader, make_dossiers):
    """The home page shows each role's work (counts and first lines): a fixed number of queries."""
    made = make_dossiers(SMALL)
    counts = {}
    for user in (clerk, officer, leader):
        client.force_login(user)
        counts[user.username] = [_queries(client, reverse("home"))]
    made += make_dossiers(LARGE - SMALL)
    for user in (clerk, officer, leader):
        client.force_login(user)
        counts[user.username].append(_queries(client, reverse("home")))
    for name, (small, large) in counts.items():
        assert small == large, f"home of {name}: {small} queries at {SMALL} dossiers, {large} at {LARGE}"
        assert large <= BUDGET["home"], f"home of {name}: {large} queries"


@pytest.mark.django_db
def test_worklist_queries_do_not_grow(client, officer, clerk, make_dossiers):
    for user, tab in ((officer, "queue"), (clerk, "all")):
        client.force_login(user)
        url = reverse("dossiers:worklist") + f"?tab={tab}"
        small, large = _two_sizes(make_dossiers, lambda _made, url=url: _queries(client, url))
        assert small == large, f"worklist {tab}: {small} queries at {SMALL} dossiers, {large} at {LARGE}"
        assert large <= BUDGET["worklist"], f"worklist {tab}: {large} queries"


@pytest.mark.django_db
def test_dossier_page_queries_do_not_grow(client, officer, make_dossiers):
    client.force_login(officer)
    first = {}

    def measure(made):
        first.setdefault("dossier", made[1])  # an assigned one: the same dossier at both sizes
        return _queries(client, reverse("dossiers:detail", args=[first["dossier"].code]))

    small, large = _two_sizes(make_dossiers, measure)
    assert small == large, f"dossier page: {small} queries at {SMALL} dossiers, {large} at {LARGE}"
    assert large <= BUDGET["detail"]


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow(client, leader, make_dossiers):
    client.force_login(leader)
    for group_by in ("agency", "field", "procedure", "officer"):
        url = reverse("reports:dashboard") + f"?period=year&group_by={group_by}"
        small, large = _two_sizes(make_dossiers, lambda _made, url=url: _queries(client, url))
        assert small == large, f"dashboard by {group_by}: {small} queries at {SMALL} dossiers, {large} at {LARGE}"
        assert large <= BUDGET["dashboard"]


@pytest.mark.django_db
def test_procedure_api_list_queries_do_not_grow(client, clerk, make_dossiers):
    client.force_login(clerk)
    url = reverse("api:procedure-list")
    small, large = _two_sizes(make_dossiers, lambda _made: _queries(client, url))
    assert small == large
    assert large <= BUDGET["procedures"]


@pytest.mark.django_db
def test_public_status_page_queries_do_not_grow(client, make_dossiers):
    def measure(made):
        returned = made[2]  # returned: history, rating form and all
        return _queries(client, f"/tra-cuu/{returned.code}/?key={returned.lookup_key}")

    small, large = _two_sizes(make_dossiers, measure)
    assert small == large, f"status page: {small} queries at {SMALL} dossiers, {large} at {LARGE}"
    assert large <= BUDGET["public"]


# ----- index use (PostgreSQL) ---------------------------------------------------------------------------


def _plan(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_hot_queries_use_indexes(officer, leader, make_dossiers):
    from django.utils import timezone

    from dossiers.choices import DossierStatus
    from dossiers.models import Dossier
    from dossiers.selectors import dossier_list, overdue_q
    from reports.selectors import overdue_now, scoped_dossiers

    made = make_dossiers(LARGE)
    queue = dossier_list(officer).filter(status__in=[DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS])
    queue = (queue.filter(assignee=officer) | queue.filter(assignee__isnull=True)).order_by("due_at", "pk")[:50]
    lookup = Dossier.objects.filter(code=made[0].code)
    overdue = Dossier.objects.filter(overdue_q(timezone.now())).order_by("due_at")[:50]
    with CaptureQueriesContext(connection):
        overdue_now(scoped_dossiers(leader.agency.descendant_ids()), limit=30)
    for name, queryset in (("queue", queue), ("lookup", lookup), ("overdue", overdue)):
        sql, params = queryset.query.sql_with_params()
        plan = _plan(sql, params)
        assert "dossiers_dossier" in plan
        assert "Index" in plan and "Seq Scan on dossiers_dossier" not in plan, f"{name} does not use an index:\n{plan}"
    lookup_plan = _plan(*lookup.query.sql_with_params())
    assert "code" in lookup_plan


def test_generator_timeliness_matches_definitions():
    """demo.loadgen.classify is reports.definitions.classify_resolution without the time-zone lookup."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from demo.loadgen import classify
    from reports.definitions import classify_resolution

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    due = datetime(2026, 3, 10, 17, 0, tzinfo=tz)
    for resolved in (due - timedelta(days=1), due - timedelta(hours=1), due, due + timedelta(minutes=1)):
        for supplements in (0, 1, 2):
            expected = classify_resolution(resolved_at=resolved, due_at=due, supplement_count=supplements)
            assert classify(resolved, due, supplements, tz) == expected


# ----- intake and the closed period's report (issue 17) ---------------------------------------------------


@pytest.mark.django_db
def test_intake_api_queries_do_not_grow(client, clerk, make_dossiers):
    """POST /api/v1/dossiers/: the same statements at both sizes, within budget, every row it must
    write included (history, counter, summary, outbox, access record)."""
    import json

    from rest_framework.authtoken.models import Token

    from procedures.revision import clear_intake_copy

    token = Token.objects.create(user=clerk).key

    def measure(_made):
        body = {
            "procedure": "1.001193",
            "applicant": {"full_name": "Trần Văn Bình", "id_number": f"0011990{next(_ids):05d}"},
            "documents": [{"name": "Tờ khai", "original_count": 1}, {"name": "Giấy chứng sinh", "original_count": 1}],
        }
        post = lambda: client.post(  # noqa: E731
            "/api/v1/dossiers/", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
        )
        clear_intake_copy()
        assert post().status_code == 201  # fills this process's copy of the catalogue
        body["applicant"]["id_number"] = f"0011990{next(_ids):05d}"
        with CaptureQueriesContext(connection) as captured:
            assert post().status_code == 201
        return len(captured)

    small, large = _two_sizes(make_dossiers, measure)
    assert small == large, f"intake: {small} queries at {SMALL} dossiers, {large} at {LARGE}"
    assert large <= BUDGET["intake"]


@pytest.mark.django_db
def test_closed_period_report_reads_the_summary_only(client, leader, receive):
    """II.06a for a closed month: the same queries at both sizes, and none of them reads the dossiers."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 3, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    client.force_login(leader)
    url = "/api/v1/reports/handling?from=2026-03-15&to=2026-04-14&group_by=procedure"

    def make(n):
        for _ in range(n):
            applicant = ApplicantData(full_name="Lê Thị Hoa", id_number=f"0012990{next(_ids):05d}")
            receive("1.001193", applicant=applicant, at=at)

    def measure():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["rows"][0]["received_total"] >= SMALL
        return [q["sql"] for q in captured.captured_queries]

    make(SMALL)
    small = measure()
    make(LARGE - SMALL)
    large = measure()
    assert len(small) == len(large) <= BUDGET["report"]
    assert not [sql for sql in large if '"dossiers_dossier"' in sql or "dossiers_dossier " in sql], large
