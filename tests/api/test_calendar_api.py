from datetime import date

import pytest
import time_machine

from agencies.choices import CalendarDayKind
from agencies.services import calendar_day_declare
from tests.factories import AgencyFactory

URL = "/api/v1/calendar/due"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "due"),
    [
        (
            {"received_at": "2026-03-10T14:00:00+07:00", "amount": 1, "unit": "working_days"},
            "2026-03-11T14:00:00+07:00",
        ),
        ({"received_at": "2026-03-10T14:00:00+07:00", "amount": 0, "unit": "same_day"}, "2026-03-10T17:00:00+07:00"),
        ({"received_at": "2026-03-10T15:00:00+07:00", "amount": 0, "unit": "same_day"}, "2026-03-11T17:00:00+07:00"),
        ({"received_at": "2026-03-10T07:00:00Z", "amount": 3, "unit": "working_hours"}, "2026-03-10T17:00:00+07:00"),
        (
            {"received_at": "2026-02-13T10:00:00+07:00", "amount": 1, "unit": "working_days"},
            "2026-02-23T10:00:00+07:00",
        ),
        # No offset: read in Vietnam's time.
        ({"received_at": "2026-03-10T07:30:00", "amount": 1, "unit": "working_days"}, "2026-03-10T17:00:00+07:00"),
        # same_day needs no amount.
        ({"received_at": "2026-03-13T16:00:00+07:00", "unit": "same_day"}, "2026-03-16T17:00:00+07:00"),
    ],
)
def test_due(client, params, due):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    assert response.json() == {"due_at": due}


@pytest.mark.django_db
def test_unencoded_plus_in_the_offset_is_understood(client):
    response = client.get(URL + "?received_at=2026-03-10T14:00:00+07:00&amount=1&unit=working_days")
    assert response.status_code == 200
    assert response.json()["due_at"] == "2026-03-11T14:00:00+07:00"


@pytest.mark.django_db
def test_agency_calendar_is_used(client):
    agency = AgencyFactory(code="X1")
    calendar_day_declare(agency=agency, day=date(2026, 3, 11), kind=CalendarDayKind.DAY_OFF)
    params = {"received_at": "2026-03-10T14:00:00+07:00", "amount": 1, "unit": "working_days"}
    assert client.get(URL, params).json()["due_at"] == "2026-03-11T14:00:00+07:00"
    assert client.get(URL, {**params, "agency": "X1"}).json()["due_at"] == "2026-03-12T14:00:00+07:00"


@pytest.mark.django_db
def test_received_at_defaults_to_now(client):
    with time_machine.travel("2026-03-10T16:00:00+07:00", tick=False):
        response = client.get(URL, {"unit": "same_day"})
    assert response.json() == {"due_at": "2026-03-11T17:00:00+07:00"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"received_at": "10/03/2026", "amount": 1, "unit": "working_days"}, "received_at"),
        ({"received_at": "2026-03-10T14:00:00+07:00", "amount": 1, "unit": "weeks"}, "unit"),
        ({"received_at": "2026-03-10T14:00:00+07:00", "amount": -2, "unit": "working_days"}, "amount"),
        ({"received_at": "2026-03-10T14:00:00+07:00", "amount": "abc", "unit": "working_days"}, "amount"),
        ({"received_at": "2026-03-10T14:00:00+07:00", "amount": 99999, "unit": "working_days"}, "amount"),
        ({"received_at": "2026-03-10T14:00:00+07:00", "amount": 1, "unit": "working_days", "agency": "NOPE"}, "agency"),
        ({"received_at": "2026-03-10T14:00:00+07:00", "amount": 1}, "unit"),
    ],
)
def test_bad_queries_answer_400_in_the_contract_format(client, params, field):
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert field in body["errors"]
    assert body["detail"] == "Dữ liệu gửi lên không hợp lệ."
