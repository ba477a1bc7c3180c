"""/reports/handling.xlsx takes the API token as the JSON report does, and names its one row."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token


@pytest.mark.django_db
def test_a_token_client_gets_the_workbook_not_the_login_page(client, leader, receive):
    receive("1.000656")
    token = Token.objects.create(user=leader)
    url = "/reports/handling.xlsx?from=2026-01-01&to=2026-12-31"
    answer = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert answer.status_code == 200
    sheet = load_workbook(BytesIO(answer.content)).active
    assert sheet.cell(10, 2).value == leader.agency.name  # no group_by: the row is the agency
    assert "·  ·" not in sheet.cell(5, 1).value and not sheet.cell(5, 1).value.endswith("· ")
    assert client.get(url, HTTP_AUTHORIZATION="Token wrong").status_code == 401
    assert client.get(url).status_code == 302  # a browser without a session: the login page
