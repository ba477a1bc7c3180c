"""The intake API answers with the dossier it created, serialized from memory (issue 8): the answer
must be exactly what reading the dossier back gives."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.api.test_dossiers_api import api_for, create

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.django_db
@pytest.mark.parametrize("overrides", [{}, {"return_method": "post", "return_address": "Số 1, xã Một"}])
def test_created_answer_equals_the_dossier_read_back(catalog, clerk, overrides):
    client = api_for(clerk)
    with time_machine.travel(datetime(2026, 3, 10, 9, 15, tzinfo=VN), tick=False):
        created = create(client, **overrides)
        assert created.status_code == 201, created.content
        read = client.get(f"/api/v1/dossiers/{created.json()['code']}/")
    assert read.status_code == 200
    assert created.json() == read.json()


@pytest.mark.django_db
def test_created_answer_equals_read_back_for_a_past_received_time(catalog, clerk):
    client = api_for(clerk)
    with time_machine.travel(datetime(2026, 3, 10, 9, 15, tzinfo=VN), tick=False):
        created = create(client, received_at="2026-03-06T16:30:00+07:00", received_at_reason="Hồ sơ giấy nhập sau")
        assert created.status_code == 201, created.content
        read = client.get(f"/api/v1/dossiers/{created.json()['code']}/")
    assert created.json() == read.json()
