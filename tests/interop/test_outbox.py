"""The outbox to the national portal, over real HTTP against the stand-in portal: written with each
event, sent in order per dossier, retried, held, resent, and never twice."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dossiers.services import (
    dossier_approve,
    dossier_assign,
    dossier_request_supplement,
    dossier_return,
    dossier_submit,
    dossier_supplement,
)
from interop.models import OutboxAttempt, OutboxRecord, PortalProcedureCode, PortalStatusMapping, RecordState
from interop.portal import PortalClient
from interop.services import outbox_alert_stale, outbox_drain, outbox_resend
from notifications.models import Notification

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SYNC, PROGRESS = "DongBoHoSoMC", "CapNhatTienDoHoSoMC"


def at(*args):
    return datetime(*args, tzinfo=VN)


def later(minutes=0, *, hours=0, days=0):
    return timezone.now() + timedelta(minutes=minutes, hours=hours, days=days)


def drain_until_done(*, start=None, rounds=40):
    """Drain, moving the clock past each back-off, until nothing is left to send."""
    now = start or timezone.now()
    for _ in range(rounds):
        outbox_drain(now=now)
        left = OutboxRecord.objects.filter(state__in=(RecordState.PENDING, RecordState.FAILED))
        if not left.exists():
            return now
        now = max(now, min(r.next_attempt_at for r in left)) + timedelta(seconds=1)
    raise AssertionError("the outbox did not drain")


@pytest.fixture
def whole_life(portal_standin, receive, clerk, officer, leader):
    """A dossier from intake to return, with a supplement request on the way."""
    dossier = receive("1.000689", at=at(2026, 3, 9, 9))
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        dossier = dossier_request_supplement(
            dossier=dossier, by=officer, reason="Thiếu giấy", missing="Giấy chứng sinh"
        )
    with time_machine.travel(at(2026, 3, 16, 14), tick=False):
        dossier = dossier_supplement(dossier=dossier, by=clerk, note="Đã nộp bản chính")
    with time_machine.travel(at(2026, 3, 17, 9), tick=False):
        dossier = dossier_submit(dossier=dossier, by=officer)
        dossier = dossier_approve(dossier=dossier, by=leader)
    with time_machine.travel(at(2026, 3, 17, 15), tick=False):
        dossier = dossier_return(dossier=dossier, by=clerk, received_by_name="Nguyễn Văn An")
    return dossier


@pytest.mark.django_db
def test_a_dossiers_events_reach_the_portal_in_order(whole_life, portal_standin):
    dossier = whole_life
    events = list(dossier.events.order_by("at", "pk").values_list("pk", "action"))
    actions = [action for _pk, action in events]
    assert actions[0] == "receive" and actions[-1] == "return"
    # Written with the events: nothing sent yet.
    records = list(OutboxRecord.objects.filter(dossier=dossier).order_by("pk"))
    assert {r.state for r in records} == {"pending"}
    assert [r.event_number for r in records if r.service == PROGRESS] == [pk for pk, _action in events]

    drain_until_done()

    received = portal_standin.control("received", MaHoSo=dossier.code)
    assert received["duplicates"] == 0
    steps = [i for i in received["items"] if i["service"] == PROGRESS]
    assert [s["event_number"] for s in steps] == [pk for pk, _action in events]  # in order, each once
    statuses = [s["payload"]["TrangThai"] for s in steps]
    assert statuses[0] == "2" and statuses[-1] == "10"  # received … returned (default codes)
    # Every item in arrival order: never a later event before an earlier one.
    numbers = [i["event_number"] for i in received["items"]]
    assert numbers == sorted(numbers)

    last = portal_standin.control("received", MaHoSo=dossier.code, service=SYNC)["items"][-1]["payload"]
    assert last["MaHoSo"] == dossier.code and last["MaTTHC"] == "1.000689"
    assert (last["MaLinhVuc"], last["LoaiDoiTuong"], last["TrangThaiHoSo"]) == ("HT", "1", "10")
    assert last["NgayTiepNhan"] == "20260309090000"
    assert last["NgayTra"] == "20260317150000"
    assert last["TaiLieuNop"][0]["TenTepDinhKem"] == "Tờ khai"
    (supplement,) = last["DanhSachHoSoBoSung"]
    assert supplement["NgayBoSung"] == "20260310100000"
    assert supplement["NgayHenTraTruoc"] == "20260312090000"  # the appointment before the request
    assert supplement["NgayHenTraMoi"] == "20260319140000"  # restarted when the papers came
    assert supplement["TrangThaiBoSung"] == "1" and "Giấy chứng sinh" in supplement["NoiDungBoSung"]
    assert last["DanhSachGiayToKetQua"]
    step = steps[1]["payload"]
    assert (step["NguoiXuLy"], step["ThoiDiemXuLy"], step["PhongBanXuLy"]) == (
        officer_name(dossier),
        "20260309100000",
        "Phòng Văn hóa - Xã hội",
    )
    lookup = portal_standin.control("received", service=SYNC, MaHoSo=dossier.code)["count"]
    assert lookup >= 5  # the state was synced at each change
    assert OutboxRecord.objects.filter(dossier=dossier).exclude(state="sent").count() == 0
    assert OutboxAttempt.objects.filter(record__dossier=dossier, ok=True).count() == len(records)


def officer_name(dossier):
    return dossier.assignee.display_name


@pytest.mark.django_db
def test_mapping_tables_decide_the_codes(portal_standin, receive):
    PortalStatusMapping.objects.filter(status="received").update(portal_code="21")
    PortalProcedureCode.objects.create(procedure_code="1.000689", portal_code="1.000689.000.00.00.H31")
    assert PortalStatusMapping.objects.get(status="awaiting_acceptance").unconfirmed  # seeded, unconfirmed
    dossier = receive("1.000689")
    drain_until_done()
    item = portal_standin.control("received", service=SYNC, MaHoSo=dossier.code)["items"][0]["payload"]
    assert (item["TrangThaiHoSo"], item["MaTTHC"]) == ("21", "1.000689.000.00.00.H31")


@pytest.mark.django_db
def test_a_rolled_back_change_writes_nothing(portal_standin, receive, officer):
    dossier = receive("1.000689")
    before = OutboxRecord.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_assign(dossier=dossier, officer=officer, by=officer)
        assert OutboxRecord.objects.count() > before
        raise RuntimeError("crash after the change")
    assert OutboxRecord.objects.count() == before


@pytest.mark.django_db
def test_disabled_portal_writes_no_portal_record(settings, receive):
    settings.PORTAL_ENABLED = False
    receive("1.000689")
    assert not OutboxRecord.objects.exists()


@pytest.mark.django_db
def test_html_and_error_code_answers_are_retried_and_shown_to_the_administrator(
    portal_standin, receive, client, administrator
):
    dossier = receive("1.000689")
    portal_standin.control("fail", mode="html")
    outbox_drain()
    head = OutboxRecord.objects.filter(dossier=dossier).order_by("pk").first()
    assert (head.state, head.attempts) == ("failed", 1)
    assert "bảo trì" in head.portal_message and "HTTP 200" in head.last_error
    assert head.next_attempt_at > timezone.now()  # back-off
    assert OutboxRecord.objects.filter(dossier=dossier, state="pending").count() == 1  # the next waits its turn

    portal_standin.control("fail", mode="error_code", error_code=42, message="Mã hồ sơ đã tồn tại trên hệ thống")
    outbox_drain(now=later(2))
    head.refresh_from_db()
    assert (head.state, head.attempts, head.portal_message) == ("failed", 2, "Mã hồ sơ đã tồn tại trên hệ thống")
    assert list(head.attempt_log.values_list("ok", "error_code")) == [(False, ""), (False, "42")]

    client.force_login(administrator)
    page = client.get(reverse("interop:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mã hồ sơ đã tồn tại trên hệ thống" in html and dossier.code in html

    portal_standin.control("fail", mode="none")
    drain_until_done(start=later(10))
    assert OutboxRecord.objects.filter(dossier=dossier, state="sent").count() == 2
    assert portal_standin.control("received")["duplicates"] == 0
    page = client.get(reverse("interop:queue"))
    assert 'data-testid="no-failures"' in page.content.decode()


@pytest.mark.django_db
def test_one_refused_object_does_not_block_the_batch(portal_standin, receive):
    good = receive("1.000689", id_number="001099012345")
    bad = receive("1.000689", id_number="001099012346")
    OutboxRecord.objects.filter(dossier=bad, service=SYNC).update(payload={"MaHoSo": bad.code})  # incomplete
    outbox_drain()
    assert OutboxRecord.objects.get(dossier=good, service=SYNC).state == "sent"
    refused = OutboxRecord.objects.get(dossier=bad, service=SYNC)
    assert refused.state == "failed" and "Thiếu thông tin bắt buộc" in refused.portal_message
    # Its next event waits: never N+1 while N is unsent.
    assert OutboxRecord.objects.get(dossier=bad, service=PROGRESS).state == "pending"


@pytest.mark.django_db
def test_after_max_attempts_a_record_is_held_until_an_administrator_resends(
    portal_standin, settings, receive, client, administrator, clerk
):
    settings.PORTAL_MAX_ATTEMPTS = 3
    dossier = receive("1.000689")
    portal_standin.control("fail", mode="error_code", error_code=500, message="Lỗi máy chủ")
    now = timezone.now()
    for minutes in (0, 2, 10, 60, 600):
        outbox_drain(now=now + timedelta(minutes=minutes))
    head = OutboxRecord.objects.filter(dossier=dossier).order_by("pk").first()
    assert (head.state, head.attempts) == ("held", 3)
    outbox_drain(now=now + timedelta(days=3))
    head.refresh_from_db()
    assert head.attempts == 3  # held: no more tries

    portal_standin.control("fail", mode="none")
    client.force_login(clerk)
    assert client.post(reverse("interop:resend", args=[head.pk])).status_code == 403
    client.force_login(administrator)
    page = client.get(reverse("interop:queue"))
    assert "Lỗi máy chủ" in page.content.decode()
    response = client.post(reverse("interop:resend", args=[head.pk]))
    assert response.status_code == 302
    head.refresh_from_db()
    assert (head.state, head.attempts) == ("pending", 0)
    drain_until_done()
    assert set(OutboxRecord.objects.filter(dossier=dossier).values_list("state", flat=True)) == {"sent"}
    assert head.attempt_log.count() == 4  # three failures and the success are kept


@pytest.mark.django_db
def test_resend_all_held(portal_standin, settings, receive, client, administrator):
    settings.PORTAL_MAX_ATTEMPTS = 1
    first = receive("1.000689", id_number="001099012345")
    second = receive("1.000689", id_number="001099012346")
    portal_standin.control("fail", mode="outage")
    outbox_drain()
    outbox_drain(now=later(5))
    assert OutboxRecord.objects.filter(state="held").count() == 2  # each dossier's head
    portal_standin.control("fail", mode="none")
    client.force_login(administrator)
    assert client.post(reverse("interop:resend_held")).status_code == 302
    drain_until_done()
    for dossier in (first, second):
        assert set(OutboxRecord.objects.filter(dossier=dossier).values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_resend_is_for_administrators_only(leader):
    with pytest.raises(PermissionError):
        outbox_resend(by=leader, all_held=True)


@pytest.mark.django_db
def test_a_timeout_after_the_portal_stored_it_is_not_a_duplicate(portal_standin, settings, receive):
    settings.PORTAL_TIMEOUT = 0.5
    dossier = receive("1.000689")
    PortalClient().token()  # the timeout is the call's, after the portal stored the dossier
    portal_standin.control("fail", mode="timeout", delay=1.5, count=1)
    outbox_drain()
    assert OutboxRecord.objects.filter(dossier=dossier, state="failed").count() == 1
    drain_until_done(start=later(2))
    received = portal_standin.control("received", MaHoSo=dossier.code)
    assert received["count"] == 2  # one sync, one step
    assert received["duplicates"] == 1  # the portal saw the resend and kept one


@pytest.mark.django_db
def test_outage_while_500_events_happen_then_all_delivered_once_in_order(
    portal_standin, receive, officer, leader, clerk
):
    portal_standin.control("fail", mode="outage")
    dossiers = []
    for n in range(100):  # 100 dossiers × 5 events = 500 events
        dossier = receive("1.000689", id_number=f"0010990{n:05d}")
        dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
        dossier = dossier_submit(dossier=dossier, by=officer)
        dossier = dossier_approve(dossier=dossier, by=leader)
        dossier = dossier_return(dossier=dossier, by=clerk)
        dossiers.append(dossier)
        if n % 20 == 0:
            outbox_drain(now=later(n))  # the portal is down: every try fails
    assert OutboxRecord.objects.filter(state="sent").count() == 0
    assert OutboxRecord.objects.filter(state="failed").exists()

    portal_standin.control("fail", mode="none")  # back
    drain_until_done(start=later(hours=3))

    received = portal_standin.control("received", service=PROGRESS)
    assert received["count"] == 500 and received["duplicates"] == 0
    per_dossier = {}
    for item in received["items"]:
        per_dossier.setdefault(item["MaHoSo"], []).append(item["event_number"])
    assert len(per_dossier) == 100
    for dossier in dossiers:
        expected = list(dossier.events.order_by("pk").values_list("pk", flat=True))
        assert per_dossier[dossier.code] == expected
    assert OutboxRecord.objects.exclude(state="sent").count() == 0


@pytest.mark.django_db
def test_a_failure_older_than_a_working_day_alerts_the_director_once(portal_standin, receive, leader, clerk):
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        dossier = receive("1.000689")
    portal_standin.control("fail", mode="error_code", error_code=3, message="Sai định dạng ngày")
    outbox_drain(now=at(2026, 3, 9, 9, 5))
    # 16:00 the same day: 6.5 working hours, less than a working day.
    assert outbox_alert_stale(now=at(2026, 3, 9, 16)) == 0
    # Next morning 10:00: more than a working day (7.5 h) of the centre's calendar.
    assert outbox_alert_stale(now=at(2026, 3, 10, 10)) == 1
    assert outbox_alert_stale(now=at(2026, 3, 10, 11)) == 0
    alerts = Notification.objects.filter(user=leader)
    assert alerts.count() == 1
    assert "Sai định dạng ngày" in alerts.get().body and dossier.code in alerts.get().body
    assert not Notification.objects.filter(user=clerk).exists()


@pytest.mark.django_db
def test_queue_page_is_for_administrators(client, clerk, leader, administrator):
    url = reverse("interop:queue")
    assert client.get(url).status_code == 302
    for user, status in ((clerk, 403), (leader, 403), (administrator, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status


@pytest.mark.django_db
def test_the_request_only_inserts_rows(portal_standin, receive, officer, django_assert_max_num_queries):
    dossier = receive("1.000689")
    portal_standin.control("reset")
    with django_assert_max_num_queries(60):
        dossier_assign(dossier=dossier, officer=officer, by=officer)
    assert portal_standin.control("stats")["calls"] == 0  # no HTTP in the request
