"""Leaders' pages, the API and the Excel file agree with each other."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.reports.test_definitions import EXPECTED, period_dossiers  # noqa: F401 - fixture

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 4, 20, 9, tzinfo=VN)
PARAMS = {"from": "2026-03-15", "to": "2026-04-14"}


@pytest.mark.django_db
def test_api_report_matches_the_hand_computed_figures(period_dossiers, leader):  # noqa: F811
    client = APIClient()
    client.force_authenticate(leader)
    with time_machine.travel(NOW, tick=False):
        body = client.get("/api/v1/reports/handling", {**PARAMS, "group_by": "agency"}).json()
    assert body["from"] == "2026-03-15" and body["to"] == "2026-04-14"
    row = body["rows"][0]
    for name, value in EXPECTED.items():
        assert row[name] == value, name
    assert body["total"]["on_time_rate"] == 83.3


@pytest.mark.django_db
def test_excel_has_the_same_numbers_as_the_screen(client, period_dossiers, leader):  # noqa: F811
    client.force_login(leader)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/reports/handling.xlsx", {**PARAMS, "group_by": "agency"})
        screen = client.get(
            reverse("reports:periodic"),
            {"period": "range", "date_from": "2026-03-15", "date_to": "2026-04-14", "group_by": "agency"},
        )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content))["II.06a"]
    header = [sheet.cell(8, c).value for c in range(3, 14)]
    assert header[:4] == [
        "Tổng số",
        "Từ kỳ trước chuyển qua",
        "Mới tiếp nhận trực tuyến",
        "Mới tiếp nhận trực tiếp, bưu chính",
    ]
    data = [sheet.cell(10, c).value for c in range(3, 15)]
    assert data == [9, 1, 1, 7, 6, 2, 3, 1, 3, 2, 1, 83.3]
    assert sheet.cell(11, 2).value == "Tổng cộng"
    assert [sheet.cell(11, c).value for c in range(3, 14)] == data[:11]
    assert "15/03/2026" in sheet.cell(5, 1).value
    html = screen.content.decode()
    assert screen.context["total"]["resolved_total"] == 6
    assert "83.3" in html or "83,3" in html


@pytest.mark.django_db
def test_dashboard_cards_and_drill_down(client, period_dossiers, leader):  # noqa: F811
    client.force_login(leader)
    with time_machine.travel(NOW, tick=False):
        page = client.get(
            reverse("reports:dashboard"), {"period": "range", "date_from": "2026-03-15", "date_to": "2026-04-14"}
        )
        assert page.status_code == 200
        context = page.context
        assert context["received"] == 8 and context["total"]["resolved_total"] == 6
        assert context["overdue_count"] == 2  # H, and I (due 16/04) by 20 April
        late = client.get(context["links"]["late"]).context["page"].paginator.count
        on_time = client.get(context["links"]["on_time"]).context["page"].paginator.count
        received = client.get(context["links"]["received"]).context["page"].paginator.count
    assert (late, on_time, received) == (1, 5, 8)


@pytest.mark.django_db
def test_reports_are_for_leaders_within_their_tree(client, catalog, clerk, other_commune, leader):
    client.force_login(clerk)
    assert client.get(reverse("reports:dashboard")).status_code == 403
    api = APIClient()
    api.force_authenticate(clerk)
    assert api.get("/api/v1/reports/handling", PARAMS).status_code == 403
    api.force_authenticate(leader)
    assert api.get("/api/v1/reports/handling", {**PARAMS, "agency": other_commune.code}).status_code == 403
    bad = api.get("/api/v1/reports/handling", {"from": "2026-05-01", "to": "2026-04-01"})
    assert bad.status_code == 400 and "to" in bad.json()["errors"]
    assert api.get("/api/v1/reports/handling", {"from": "x", "to": "2026-04-01"}).status_code == 400


@pytest.mark.django_db
def test_province_leader_sees_every_commune(catalog, receive, province, other_commune):
    boss = UserFactory(username="boss", role="leader", agency=province)
    receive("1.000656")
    api = APIClient()
    api.force_authenticate(boss)
    today = date.today().isoformat()
    body = api.get("/api/v1/reports/handling", {"from": today, "to": today, "group_by": "agency"}).json()
    assert sum(r["received_online"] + r["received_direct"] for r in body["rows"]) == 1


@pytest.mark.django_db
def test_public_board_has_no_personal_data(client, catalog, receive, province):
    dossier = receive("1.000656")
    page = client.get(reverse("reports:board"), {"agency": province.code}).content.decode()
    assert 'data-testid="board-received">1<' in page
    assert dossier.applicant_name not in page and dossier.code not in page
    widget = client.get(reverse("reports:widget"), {"agency": province.code})
    assert widget.status_code == 200 and "X-Frame-Options" not in widget
