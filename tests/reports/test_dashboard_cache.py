"""The leader dashboard: standard periods computed ahead by the beat task, single-flight for the
rest, and the page says the minute its figures are from (never older than that minute)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.access import report_scope
from reports.live import cached, dashboard_key, warm_dashboards
from reports.tasks import warm_dashboards_task

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 4, 20, 10, 0, 30, tzinfo=VN)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _figure_queries(captured):
    return [q for q in captured.captured_queries if "reports_figure" in q["sql"]]


@pytest.mark.django_db
def test_the_beat_task_computes_every_commune_and_the_province_ahead(client, leader, receive, other_commune):
    with time_machine.travel(T0, tick=False):
        receive("1.000689")
        done = warm_dashboards()
        assert warm_dashboards_task.delay() is not None  # the beat entry runs the same (eagerly here)
        assert done == 3 * 3  # province + two communes × month, quarter, year
        client.force_login(leader)
        for period in ("month", "quarter", "year"):
            with CaptureQueriesContext(connection) as captured:
                page = client.get(reverse("reports:dashboard"), {"period": period})
            assert page.status_code == 200
            assert _figure_queries(captured) == [], period  # read from the cache, nothing computed
            assert 'data-testid="as-of"' in page.content.decode() and "10:00" in page.content.decode()


@pytest.mark.django_db
def test_figures_are_fresh_for_a_minute_and_never_older_than_the_minute_shown(client, leader, receive):
    params = {"period": "range", "date_from": "2026-04-01", "date_to": "2026-04-30", "group_by": "procedure"}
    with time_machine.travel(T0, tick=False):
        client.force_login(leader)
        first = client.get(reverse("reports:dashboard"), params).context
        assert first["computed_at"] == T0 and first["received"] == 0
    with time_machine.travel(T0 + timedelta(seconds=15), tick=False):
        receive("1.000689")  # after 10:00:30
    with time_machine.travel(T0 + timedelta(seconds=50), tick=False):
        cached_page = client.get(reverse("reports:dashboard"), params)
        assert cached_page.context["computed_at"] == T0 and cached_page.context["received"] == 0
        assert "10:00" in cached_page.content.decode()
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        fresh = client.get(reverse("reports:dashboard"), params)
    assert fresh.context["computed_at"] == T0 + timedelta(seconds=61) and fresh.context["received"] == 1
    assert "10:01" in fresh.content.decode()


@pytest.mark.django_db
def test_single_flight_others_get_the_last_value_while_one_computes(leader, settings):
    settings.REPORTS_DASHBOARD_WAIT_SECONDS = 0.2
    agency_ids, _agency = report_scope(leader)
    key = dashboard_key(agency_ids, "2026-04-01", "2026-04-30", "agency")
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    with time_machine.travel(T0, tick=False):
        assert cached(key, compute)["figures"] == {"n": 1}
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert cache.add(f"{key}:lock", 1, 60)  # another process is computing it now
        stale = cached(key, compute)
        assert stale["figures"] == {"n": 1} and stale["as_of"] == T0 and len(calls) == 1
        assert cached(key, compute, force=True) is None  # the beat task skips it too
        cache.delete(f"{key}:lock")
        assert cached(key, compute)["figures"] == {"n": 2}
    # Nothing computed yet and another holds the lock: wait briefly, then compute (lost computation).
    other = dashboard_key(agency_ids, "2026-01-01", "2026-01-31", "agency")
    cache.add(f"{other}:lock", 1, 60)
    assert cached(other, compute)["figures"] == {"n": 3}


@pytest.mark.django_db
def test_the_kept_period_form_follows_the_query_the_scope_and_the_language(client, leader, commune, settings):
    """The period form is kept rendered (reports.views._period_form_key): another query, another
    leader's scope or another language gets its own form, never the one kept for someone else."""
    import re

    client.force_login(leader)

    def chosen(html, name):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        return re.findall(r'<option value="([^"]*)"[^>]*selected', select)

    url = reverse("reports:dashboard")
    year = client.get(url, {"period": "year"}).content.decode()
    month = client.get(url, {"period": "month"}).content.decode()
    assert chosen(year, "period") == ["year"] and chosen(month, "period") == ["month"]
    mine = client.get(url, {"period": "year", "agency": commune.code}).content.decode()
    assert chosen(mine, "agency") == [commune.code]
    assert client.get(url, {"period": "year"}).content.decode().count('data-testid="period-form"') == 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url, {"period": "year"}).content.decode()
    assert "Mine (all below)" in english
