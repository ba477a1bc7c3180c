"""Messages to citizens: written with the event (outbox), sent by Celery, retried with back-off."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from dossiers.services import (
    ApplicantData,
    dossier_approve,
    dossier_assign,
    dossier_extend,
    dossier_request_supplement,
    dossier_submit,
)
from notifications.backends import DeliveryError
from notifications.models import Message, MessageAttempt, Notification
from notifications.services import message_send, messages_due, notify_staff, queue_message
from notifications.tasks import dispatch_messages_task
from reports.weekly import weekly_report_send
from tests.factories import approve_result

VN = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = ApplicantData(
    full_name="Võ Thị Giang", id_number="001099012345", phone="0912345678", email="giang@example.vn"
)


@pytest.fixture
def in_progress(receive, officer):
    dossier = receive("1.000689", applicant=APPLICANT, at=datetime(2026, 3, 9, 9, tzinfo=VN))
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=VN), tick=False):
        return dossier_assign(dossier=dossier, officer=officer, by=officer)


@pytest.mark.django_db
def test_extension_result_and_supplement_are_told_by_email_and_sms(
    in_progress, officer, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=VN), tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            dossier = dossier_extend(
                dossier=in_progress, by=officer, reason="Chờ xác minh", new_due_at=datetime(2026, 3, 16, 17, tzinfo=VN)
            )
        assert callbacks  # the send tasks were queued after commit
        dossier_request_supplement(dossier=dossier, by=officer, reason="Thiếu", missing="Giấy chứng sinh")
    messages = Message.objects.filter(dossier=dossier).order_by("pk")
    assert [(m.reason, m.channel) for m in messages] == [
        ("extend", "email"),
        ("extend", "sms"),
        ("request_supplement", "email"),
        ("request_supplement", "sms"),
    ]
    extend_sms = messages[1]
    assert extend_sms.recipient == "0912345678"
    assert "17:00 16/03/2026" in extend_sms.body and "Chờ xác minh" in extend_sms.body
    assert f"/tra-cuu/{dossier.code}/" in extend_sms.body
    # Eager Celery in tests: the email went out through Django's mail backend.
    assert any("giang@example.vn" in m.to for m in mail.outbox)
    assert Message.objects.get(pk=messages[0].pk).state == "sent"


@pytest.mark.django_db
def test_result_ready_message(in_progress, officer):
    approve_result(in_progress, officer=officer)
    texts = list(Message.objects.filter(reason="approve").values_list("body", flat=True))
    assert len(texts) == 2 and all("kết quả" in t.lower() or "result" in t.lower() for t in texts)


class FlakyBackend:
    failures = 2

    def send(self, message):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise DeliveryError("gateway timeout")
        return "ok-123"


@pytest.mark.django_db
def test_failed_sends_retry_with_back_off_then_give_up(db, settings, monkeypatch):
    import notifications.services as services

    monkeypatch.setattr(services, "backend_for", lambda channel: FlakyBackend())
    FlakyBackend.failures = 2
    start = datetime(2026, 3, 9, 9, tzinfo=VN)
    with time_machine.travel(start, tick=False):
        message = queue_message(channel="sms", recipient="0912345678", body="x", reason="test", dedupe_key="t1")
        message = message_send(message.pk)
    assert (message.state, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == start + timedelta(minutes=1)
    assert message_send(message.pk, now=start + timedelta(seconds=30)) is None  # not yet
    message = message_send(message.pk, now=start + timedelta(minutes=1))
    assert (message.state, message.attempts, message.next_attempt_at) == ("pending", 2, start + timedelta(minutes=3))
    message = message_send(message.pk, now=start + timedelta(minutes=3))
    assert (message.state, message.attempts) == ("sent", 3)
    assert list(MessageAttempt.objects.filter(message=message).values_list("ok", flat=True)) == [False, False, True]
    assert message_send(message.pk, now=start + timedelta(hours=1)) is None  # sent once, never again

    FlakyBackend.failures = 100
    settings.NOTIFY_MAX_ATTEMPTS = 3
    with time_machine.travel(start, tick=False):
        doomed = queue_message(channel="sms", recipient="0900000000", body="y", reason="test", dedupe_key="t2")
    for minutes in (0, 2, 10):
        message_send(doomed.pk, now=start + timedelta(minutes=minutes))
    doomed.refresh_from_db()
    assert (doomed.state, doomed.attempts) == ("failed", 3)


@pytest.mark.django_db
def test_message_text_is_never_rewritten_or_deleted(db):
    message = queue_message(channel="email", recipient="a@example.vn", body="x", reason="test", dedupe_key="t3")
    message.body = "changed"
    with pytest.raises(PermissionError):
        message.save()
    with pytest.raises(PermissionError):
        message.delete()


@pytest.mark.django_db
def test_broker_down_leaves_messages_for_the_dispatcher(db, monkeypatch, django_capture_on_commit_callbacks):
    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.send_message_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(channel="email", recipient="b@example.vn", body="x", reason="test", dedupe_key="t4")
    message.refresh_from_db()
    assert message.state == "pending"
    assert message.pk in messages_due()
    dispatch_messages_task()
    message.refresh_from_db()
    assert message.state == "sent"


@pytest.mark.django_db
def test_bell_shows_unread_and_marks_read(client, officer):
    notify_staff(users=[officer], kind="info", title="Hồ sơ mới", dedupe="x1", email=False)
    notify_staff(users=[officer], kind="info", title="Hồ sơ mới", dedupe="x1", email=False)  # deduplicated
    client.force_login(officer)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="unread-count">1<' in page
    assert "Hồ sơ mới" in page
    client.post(reverse("notifications:mark_read"))
    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_weekly_report_goes_to_each_leader_once(receive, leader, officer):
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=VN), tick=False):
        dossier = receive("1.000656")
        dossier = dossier_submit(dossier=dossier_assign(dossier=dossier, officer=officer, by=officer), by=officer)
        dossier_approve(dossier=dossier, by=leader)
    with time_machine.travel(datetime(2026, 3, 16, 7, tzinfo=VN), tick=False):
        assert weekly_report_send() == 1
        assert weekly_report_send() == 0
    note = Notification.objects.get(user=leader, kind="report")
    assert "1" in note.body and "09/03" in note.body
