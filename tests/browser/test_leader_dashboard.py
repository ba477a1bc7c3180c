"""A leader opens the dashboard, changes the period and drills into the overdue dossiers."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dossiers.services import dossier_assign
from tests.browser.conftest import login
from tests.factories import PASSWORD, approve_result


@pytest.mark.django_db(transaction=True)
def test_leader_dashboard_period_and_drill_down(desk_page, live_server, catalog, receive, officer, leader):
    late = receive(
        "1.000656",
        received_at=timezone.now() - timedelta(days=6),
        received_at_reason="Hồ sơ giấy nhập sau",
        id_number="001099000001",
    )
    dossier_assign(dossier=late, officer=officer, by=officer)
    done = receive("1.000656", id_number="001099000002")
    approve_result(done, officer=officer)

    page = desk_page
    login(page, live_server, "leader1", PASSWORD)
    page.goto(f"{live_server.url}/bao-cao/")
    expect(page.get_by_test_id("card-overdue")).to_contain_text("1")
    expect(page.get_by_test_id("overdue-list")).to_contain_text(late.code)

    page.locator("#id_period").select_option("year")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"period=year"))
    expect(page.get_by_test_id("card-resolved")).to_contain_text("1")
    expect(page.get_by_test_id("handling-table")).to_be_visible()

    page.get_by_test_id("card-overdue").click()
    expect(page.get_by_test_id("worklist")).to_contain_text(late.code)
    expect(page.get_by_test_id("worklist")).not_to_contain_text(done.code)
