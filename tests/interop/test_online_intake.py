"""Online dossiers in: pulled from the stand-in portal over real HTTP and pushed by it; one portal
code, one dossier; the desk's accept / ask for corrections / refuse go back to the portal."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dossiers.choices import DossierStatus
from dossiers.deadlines import deadline_sweep
from dossiers.models import Dossier
from dossiers.services import dossier_act, dossier_supplement
from interop.online import online_dossiers_pull
from interop.services import outbox_drain
from interop.testing import portal_standin  # noqa: F401 - the fixture
from notifications.models import Notification

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = datetime(2026, 3, 9, 9, tzinfo=VN)


def filed(code, commune, **extra):
    return {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "MaDonVi": commune.code,
        "ChuHoSo": "Trần Thị Bình",
        "SoGiayToChuHoSo": "001099012399",
        "LoaiDoiTuong": "1",
        "SoDienThoai": "0912000111",
        "NgayNopHoSo": "20260309080000",
        "TaiLieuNop": [{"TenTepDinhKem": "Tờ khai đăng ký khai sinh"}],
        **extra,
    }


@pytest.fixture
def online(portal_standin, commune, center, clerk, catalog, settings):  # noqa: F811
    settings.PORTAL_ENABLED = True
    portal_standin.control("online-dossiers", dossiers=[filed("G22-0001", commune), filed("G22-0002", commune)])
    return portal_standin


@pytest.mark.django_db
def test_pulled_twice_is_one_dossier_waiting_at_the_desk(online, clerk, center):
    with time_machine.travel(MONDAY_9, tick=False):
        first = online_dossiers_pull()
        second = online_dossiers_pull()
    assert len(first.created) == 2 and second.created == [] and len(second.updated) == 2
    dossier = Dossier.objects.get(external_code="G22-0001")
    assert Dossier.objects.filter(external_code="G22-0001").count() == 1
    assert dossier.status == DossierStatus.AWAITING_ACCEPTANCE
    assert dossier.receiving_agency == center and dossier.channel == "online"
    assert dossier.documents.get().name == "Tờ khai đăng ký khai sinh"
    # The desk is told at once (the law allows 2 hours) and sees it in its "to accept" list.
    assert Notification.objects.filter(user=clerk, title__contains="G22-0001").exists()


@pytest.mark.django_db
def test_accept_starts_the_clock_and_goes_back_to_the_portal(online, clerk, client):
    with time_machine.travel(MONDAY_9, tick=False):
        online_dossiers_pull()
    dossier = Dossier.objects.get(external_code="G22-0001")
    client.force_login(clerk)
    listed = client.get(reverse("dossiers:worklist"), {"tab": "to_accept"}).content.decode()
    assert dossier.code in listed
    accepted_at = MONDAY_9 + timedelta(hours=1)
    with time_machine.travel(accepted_at, tick=False):
        dossier = dossier_act(dossier=dossier, action="accept", by=clerk)
        outbox_drain()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.received_at == dossier.clock_started_at == accepted_at
    assert dossier.due_at > accepted_at
    decisions = online.control("decisions")["items"]
    assert [d["MaHoSo"] for d in decisions] == ["G22-0001"]


@pytest.mark.django_db
def test_corrections_then_refusal_go_back_to_the_portal(online, clerk):
    with time_machine.travel(MONDAY_9, tick=False):
        online_dossiers_pull()
    first, second = Dossier.objects.get(external_code="G22-0001"), Dossier.objects.get(external_code="G22-0002")
    with time_machine.travel(MONDAY_9 + timedelta(hours=1), tick=False):
        first = dossier_act(
            dossier=first, action="request_supplement", by=clerk, reason="Thiếu", missing=["Giấy chứng sinh"]
        )
        dossier_act(dossier=second, action="refuse", by=clerk, reason="Không thuộc thẩm quyền")
        outbox_drain()
    assert {d["MaHoSo"] for d in online.control("decisions")["items"]} == {"G22-0001", "G22-0002"}
    # The citizen completes it: accepted then, and its clock starts then.
    with time_machine.travel(MONDAY_9 + timedelta(days=1), tick=False):
        first = dossier_supplement(dossier=first, by=clerk)
    assert first.status == DossierStatus.RECEIVED and first.accepted_at == MONDAY_9 + timedelta(days=1)


@pytest.mark.django_db
def test_not_accepted_in_8_working_hours_alerts_once(online, clerk):
    with time_machine.travel(MONDAY_9, tick=False):
        online_dossiers_pull()
    with time_machine.travel(MONDAY_9 + timedelta(days=2), tick=False):
        assert len(deadline_sweep().acceptance_overdue) == 2
        assert deadline_sweep().acceptance_overdue == []


@pytest.mark.django_db
def test_the_portal_pushes_with_its_token_and_a_repeat_updates(client, commune, center, catalog, settings):
    settings.PORTAL_PUSH_TOKEN = "push-secret"
    url = "/api/v1/portal/online-dossiers"
    body = {"service": "DongBoHoSoTrucTuyen", "data": [filed("G22-0100", commune)]}
    assert client.post(url, body, content_type="application/json").status_code == 401
    auth = {"HTTP_AUTHORIZATION": "Bearer push-secret"}
    with time_machine.travel(MONDAY_9, tick=False):
        created = client.post(url, body, content_type="application/json", **auth).json()
        repeat = filed("G22-0100", commune, SoDienThoai="0988777666")
        updated = client.post(url, {"data": [repeat]}, content_type="application/json", **auth).json()
        bad = client.post(
            url, {"data": [filed("G22-0101", commune, MaTTHC="9.999999")]}, content_type="application/json", **auth
        ).json()
    assert created["error_code"] == 0 and created["result"][0]["TrangThai"] == "created"
    assert updated["result"][0]["TrangThai"] == "updated"
    dossier = Dossier.objects.get(external_code="G22-0100")
    assert dossier.applicant_phone == "0988777666"
    assert bad["error_code"] == 1 and bad["result"][0]["MaHoSo"] == "G22-0101"
    assert not Dossier.objects.filter(external_code="G22-0101").exists()
