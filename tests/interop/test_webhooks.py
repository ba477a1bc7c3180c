"""Webhooks: each event delivered from the same outbox, signed, retried, with a delivery log."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers.services import dossier_assign
from interop.models import OutboxRecord, WebhookSubscriber
from interop.services import outbox_drain
from interop.webhooks import sign, verify


@pytest.fixture
def subscriber(portal_standin, settings):
    settings.PORTAL_ENABLED = False  # webhooks alone
    return WebhookSubscriber.objects.create(
        name="Phần mềm hộ tịch",
        url=f"{portal_standin.url}/_hooks/ho-tich",
        event_types="receive, assign",
        secret="s3cret",
    )


@pytest.mark.django_db
def test_events_are_delivered_signed_and_in_order(subscriber, portal_standin, receive, officer):
    dossier = receive("1.000689")
    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    outbox_drain()
    outbox_drain()
    hooks = portal_standin.control("hooks")["items"]
    assert [json.loads(h["body"])["type"] for h in hooks] == ["dossier.receive", "dossier.assign"]
    for hook in hooks:
        headers = {k.lower(): v for k, v in hook["headers"].items()}
        body = hook["body"].encode()
        assert headers["x-motcua-signature"] == sign("s3cret", headers["x-motcua-timestamp"], body)
        assert verify("s3cret", headers["x-motcua-timestamp"], body, headers["x-motcua-signature"])
        assert not verify("other", headers["x-motcua-timestamp"], body, headers["x-motcua-signature"])
        assert abs(int(headers["x-motcua-timestamp"]) - time.time()) < 60
    payload = json.loads(hooks[0]["body"])
    assert payload["dossier"]["code"] == dossier.code and payload["event"]["to_status"] == "received"
    assert "applicant" not in payload["dossier"]  # not entitled to personal data by default
    assert OutboxRecord.objects.filter(stream=f"webhook:{subscriber.pk}", state="sent").count() == 2


@pytest.mark.django_db
def test_only_the_subscribed_event_types_are_written(subscriber, receive, officer, leader):
    from dossiers.services import dossier_submit

    dossier = dossier_assign(dossier=receive("1.000689"), officer=officer, by=officer)
    dossier_submit(dossier=dossier, by=officer)
    assert sorted(OutboxRecord.objects.values_list("service", flat=True)) == ["dossier.assign", "dossier.receive"]


@pytest.mark.django_db
def test_a_failing_subscriber_is_retried_with_back_off_and_logged(subscriber, portal_standin, receive):
    dossier = receive("1.000689")
    portal_standin.control("fail", scope="hooks", mode="error_code", error_code=1, count=2)
    outbox_drain()
    record = OutboxRecord.objects.get(dossier=dossier)
    assert (record.state, record.attempts) == ("failed", 1)
    outbox_drain(now=timezone.now() + timedelta(minutes=1, seconds=1))
    outbox_drain(now=timezone.now() + timedelta(minutes=10))
    record.refresh_from_db()
    assert (record.state, record.attempts) == ("sent", 3)
    assert list(record.attempt_log.values_list("ok", flat=True)) == [False, False, True]
    assert portal_standin.control("hooks")["count"] == 1
    # The same delivery id each time, so a subscriber can ignore repeats.
    headers = {k.lower(): v for k, v in portal_standin.control("hooks")["items"][0]["headers"].items()}
    assert headers["x-motcua-delivery"] == str(record.pk)


@pytest.mark.django_db
def test_an_inactive_subscriber_gets_nothing(subscriber, receive):
    subscriber.active = False
    subscriber.save()
    receive("1.000689")
    assert not OutboxRecord.objects.exists()
