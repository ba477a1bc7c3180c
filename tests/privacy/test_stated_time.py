"""Item 7: time cannot be rewritten quietly. A receipt time stated instead of now keeps the time it
was entered, needs a reason, shows both in the history, may not slip behind a receipt already
numbered, and can be listed (backdated=1)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers.models import Dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 12, 14, 20, tzinfo=VN)
STATED = datetime(2026, 3, 10, 8, 0, tzinfo=VN)


@pytest.mark.django_db
def test_a_stated_time_needs_a_reason_and_keeps_the_entry_time(receive):
    with pytest.raises(ValidationError) as caught:
        receive("1.001193", at=NOW, received_at=STATED)
    assert "received_at_reason" in caught.value.message_dict
    assert not Dossier.objects.exists()
    dossier = receive("1.001193", at=NOW, received_at=STATED, received_at_reason="Hồ sơ giấy nhận sáng 10/3, mất điện")
    assert dossier.received_at == STATED and dossier.entered_at == NOW and dossier.backdated
    assert dossier.code.split("-")[-2] == "260310"  # numbered on the stated day
    event = dossier.events.get(action="receive")
    assert event.data["stated_received_at"] == STATED.isoformat()
    assert event.data["entered_at"] == NOW.isoformat()
    assert "08:00 10/03/2026" in event.note and "14:20 12/03/2026" in event.note and "mất điện" in event.note


@pytest.mark.django_db
def test_within_a_few_minutes_no_reason_is_needed_and_nothing_is_backdated(receive, settings):
    settings.RECEIVED_AT_TOLERANCE_MINUTES = 5
    dossier = receive("1.001193", at=NOW, received_at=NOW - timedelta(minutes=4))
    assert not dossier.backdated and dossier.received_at_reason == "" and dossier.entered_at == NOW
    with pytest.raises(ValidationError):
        receive("1.001193", at=NOW, received_at=NOW - timedelta(minutes=6), id_number="001099012346")


@pytest.mark.django_db
def test_a_stated_time_may_not_precede_a_receipt_already_numbered(receive):
    receive("1.001193", at=datetime(2026, 3, 11, 9, 0, tzinfo=VN))  # numbered on the 11th
    with pytest.raises(ValidationError) as caught:
        receive("1.001193", at=NOW, received_at=STATED, received_at_reason="Nhập muộn", id_number="001099012346")
    assert "received_at" in caught.value.message_dict
    later = receive(
        "1.001193",
        at=NOW,
        received_at=datetime(2026, 3, 11, 10, 0, tzinfo=VN),
        received_at_reason="Nhập muộn",
        id_number="001099012346",
    )
    assert later.backdated and later.code.endswith("260311-0002")


@pytest.mark.django_db
def test_api_takes_the_reason_and_lists_backdated_dossiers(catalog, clerk, client):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}")
    body = {
        "procedure": "1.001193",
        "applicant": {"full_name": "Lê Văn Bình", "id_number": "001099012399"},
        "received_at": STATED.isoformat(),
    }
    with time_machine.travel(NOW, tick=False):
        refused = api.post("/api/v1/dossiers/", body, format="json")
        assert refused.status_code == 400 and "received_at_reason" in refused.json()["errors"]
        created = api.post("/api/v1/dossiers/", {**body, "received_at_reason": "Hồ sơ giấy"}, format="json")
        assert created.status_code == 201, created.content
        assert created.json()["backdated"] is True
        assert created.json()["entered_at"] == NOW.isoformat()
        assert created.json()["received_at_reason"] == "Hồ sơ giấy"
        api.post("/api/v1/dossiers/", {**body, "received_at": NOW.isoformat()}, format="json")
        listed = api.get("/api/v1/dossiers/?backdated=true").json()
        assert [d["code"] for d in listed["results"]] == [created.json()["code"]]
        assert api.get("/api/v1/dossiers/?backdated=false").json()["count"] == 1
        client.force_login(clerk)
        page = client.get(reverse("dossiers:worklist") + "?tab=all&backdated=1").content.decode()
    assert created.json()["code"] in page
    assert Dossier.objects.count() == 2
