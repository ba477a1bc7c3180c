"""Decree 309/2026: two receipt times. A dossier lodged at another commune's desk runs its clock from
the competent authority's receipt, on the competent authority's calendar; both times show on the
receipt (Mẫu 01), the register (Mẫu 07), the dossier page and the API."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from agencies.choices import CalendarDayKind
from agencies.models import CalendarDay

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.django_db
def test_the_clock_runs_from_the_competent_authoritys_receipt_on_its_calendar(client, catalog, clerk, other_commune):
    # The competent commune takes Tuesday 10/3/2026 off; the receiving desk works that day.
    CalendarDay.objects.create(agency=other_commune, date=date(2026, 3, 10), kind=CalendarDayKind.DAY_OFF)
    token = Token.objects.create(user=clerk)
    body = {
        "procedure": "1.000689",  # 3 working days
        "channel": "direct",
        "applicant": {"full_name": "Phạm Văn Đức", "id_number": "001099012377"},
        "competent_agency": other_commune.code,
        "received_at": "2026-03-09T09:56:00+07:00",
        "competent_received_at": "2026-03-09T09:58:00+07:00",
    }
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=VN), tick=False):
        answer = client.post(
            "/api/v1/dossiers/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
        )
    assert answer.status_code == 201, answer.content
    code = answer.json()["code"]
    detail = client.get(f"/api/v1/dossiers/{code}/", HTTP_AUTHORIZATION=f"Token {token.key}").json()
    assert detail["received_at"] == "2026-03-09T09:56:00+07:00"
    assert detail["competent_received_at"] == "2026-03-09T09:58:00+07:00"
    # 3 working days from Monday 09:58 on the competent calendar (Tuesday off): Friday 09:58.
    assert detail["due_at"] == "2026-03-13T09:58:00+07:00"

    client.force_login(clerk)
    receipt = client.get(reverse("dossiers:print", args=[code, "01"])).content.decode()
    assert "cơ quan có thẩm quyền nhận hồ sơ" in receipt and "09 giờ 58 phút, ngày 09/03/2026" in receipt
    page = client.get(reverse("dossiers:detail", args=[code])).content.decode()
    assert 'data-testid="competent-received-at"' in page
    register = client.get(reverse("dossiers:register"), {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    sheet = load_workbook(BytesIO(b"".join(register.streaming_content))).active
    notes = [sheet.cell(row, 12).value or "" for row in range(5, sheet.max_row + 1)]
    assert any("Cơ quan có thẩm quyền nhận hồ sơ: 09/03/2026 09:58" in note for note in notes)


@pytest.mark.django_db
def test_the_competent_receipt_cannot_precede_the_desks(client, catalog, clerk, other_commune):
    token = Token.objects.create(user=clerk)
    body = {
        "procedure": "1.000689",
        "applicant": {"full_name": "Phạm Văn Đức", "id_number": "001099012377"},
        "competent_agency": other_commune.code,
        "received_at": "2026-03-09T09:58:00+07:00",
        "competent_received_at": "2026-03-09T09:57:00+07:00",
    }
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=VN), tick=False):
        answer = client.post(
            "/api/v1/dossiers/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
        )
    assert answer.status_code == 400
    assert "competent_received_at" in answer.json()["errors"]
