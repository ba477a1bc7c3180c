"""Writing notifications and messages, and sending messages. Tasks and receivers call these."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .backends import DeliveryError, backend_for
from .models import Channel, Message, MessageAttempt, MessageState, Notification

logger = logging.getLogger(__name__)


QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue_after_commit(task, **kwargs):
    """Queue a Celery task once the transaction commits. A broker that is down must never break
    the request: the periodic dispatcher picks up whatever was not queued."""

    def send():
        try:
            # One quick reconnect: after a broker outage the pooled connection is stale.
            task.apply_async(kwargs=kwargs, retry=True, retry_policy=QUICK_RETRY)
        except Exception:  # kombu raises many kinds of connection errors
            logger.warning("Broker unavailable: %s(%s) left for the dispatcher", task.name, kwargs, exc_info=True)

    transaction.on_commit(send)


def notify_staff(*, users, kind, title, body="", url="", dossier=None, dedupe=None, email=True) -> int:
    """In-app notifications (and email) for staff. With ``dedupe``, each user gets it only once."""
    users = list({u.pk: u for u in users if u is not None and u.is_active}.values())
    if dedupe:
        already = set(
            Notification.objects.filter(dedupe_key__in=[f"{dedupe}:{u.pk}" for u in users]).values_list(
                "user_id", flat=True
            )
        )
        users = [u for u in users if u.pk not in already]
    rows = [
        Notification(
            user=user,
            dossier=dossier,
            kind=kind,
            title=title[:255],
            body=body,
            url=url,
            dedupe_key=f"{dedupe}:{user.pk}" if dedupe else None,
        )
        for user in users
    ]
    # A concurrent writer may still win a race: the constraint keeps it to one.
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe))
    if email:
        for user in users:
            if user.email:
                queue_message(
                    channel=Channel.EMAIL,
                    recipient=user.email,
                    subject=title,
                    body=f"{body}\n\n{settings.SITE_URL}{url}" if url else body,
                    dossier=dossier,
                    reason=kind,
                    dedupe_key=f"staff:{dedupe or timezone.now().isoformat()}:{user.pk}",
                )
    return len(rows)


def queue_message(*, channel, recipient, body, reason, dedupe_key, subject="", dossier=None) -> Message | None:
    """Write a message to the outbox (once per ``dedupe_key``) and queue its sending after commit."""
    if not recipient:
        return None
    message, created = Message.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults={
            "channel": channel,
            "recipient": recipient,
            "subject": subject[:255],
            "body": body,
            "reason": reason,
            "dossier": dossier,
        },
    )
    if created:
        from .tasks import send_message_task

        enqueue_after_commit(send_message_task, message_id=message.pk)
    return message


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16… minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def message_send(message_id: int, *, now=None) -> Message | None:
    """Send one pending message whose time has come. Safe to call twice or concurrently: the row is
    locked and a message already sent (or being sent by another worker) is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, state=MessageState.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        try:
            reference = backend_for(message.channel).send(message)
        except DeliveryError as exc:
            message.last_error = str(exc)[:2000]
            if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                message.state = MessageState.FAILED
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
            MessageAttempt.objects.create(message=message, at=now, ok=False, detail=message.last_error)
        else:
            message.state, message.sent_at, message.last_error = MessageState.SENT, now, ""
            MessageAttempt.objects.create(message=message, at=now, ok=True, detail=reference[:2000])
        message.save(update_fields=list(Message.DELIVERY_FIELDS))
    return message


def messages_due(*, now=None, limit=500):
    now = now or timezone.now()
    return list(
        Message.objects.filter(state=MessageState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def notification_mark_read(*, user, ids=None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


# ----- what citizens are told ---------------------------------------------------------------------


def _lookup_line(dossier):
    from dossiers.api import lookup_url

    return _("Follow your dossier: %(url)s") % {"url": lookup_url(dossier)}


def _result_link_line(dossier):
    from django.urls import reverse

    url = settings.SITE_URL + reverse("results:citizen_download", args=[dossier.code])
    return _("Download the signed electronic result with the lookup key of your receipt: %(url)s") % {"url": url}


def citizen_texts(dossier, event) -> tuple[str, str] | None:
    """The subject and text a citizen receives for an event, or None when it needs no message."""
    when = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
    name = dossier.procedure_version.name
    if event.action == "extend":
        return (
            _("Dossier %(code)s: new appointment") % {"code": dossier.code},
            _(
                "We apologise: dossier %(code)s (%(name)s) needs more time. Reason: %(reason)s. "
                "The new appointment is %(when)s."
            )
            % {"code": dossier.code, "name": name, "reason": event.note, "when": when},
        )
    if event.action == "apology":
        expected = event.data.get("expected_at")
        expected_text = (
            timezone.localtime(datetime.fromisoformat(expected)).strftime("%H:%M %d/%m/%Y") if expected else ""
        )
        return (
            _("Dossier %(code)s: our apology") % {"code": dossier.code},
            _(
                "We apologise: dossier %(code)s (%(name)s) is late. Reason: %(reason)s. "
                "We expect to return the result by %(when)s."
            )
            % {"code": dossier.code, "name": name, "reason": event.note, "when": expected_text},
        )
    if event.action == "approve":
        text = _("The result of dossier %(code)s (%(name)s) is ready: %(where)s.") % {
            "code": dossier.code,
            "name": name,
            "where": _("it will be posted to you")
            if dossier.return_method == "post"
            else _("collect it at %(agency)s") % {"agency": dossier.receiving_agency.name},
        }
        if event.data.get("result"):  # signed at the approval: the electronic result, after the key
            text = f"{text} {_result_link_line(dossier)}"
        return (_("Dossier %(code)s: result ready") % {"code": dossier.code}, text)
    if event.action == "request_supplement":
        return (
            _("Dossier %(code)s: papers to supplement") % {"code": dossier.code},
            _("Dossier %(code)s needs more papers: %(missing)s. Please bring them by %(deadline)s.")
            % {
                "code": dossier.code,
                "missing": event.data.get("missing", ""),
                "deadline": timezone.localtime(dossier.supplement_deadline).strftime("%d/%m/%Y")
                if dossier.supplement_deadline
                else "",
            },
        )
    return None


def queue_citizen_messages(dossier, event) -> list[Message]:
    """Email and SMS (and Zalo, where configured) to the applicant for the events they must hear of."""
    texts = citizen_texts(dossier, event)
    if texts is None:
        return []
    subject, body = texts
    body = f"{body} {_lookup_line(dossier)}"
    queued = []
    targets = [(Channel.EMAIL, dossier.applicant_email), (Channel.SMS, dossier.applicant_phone)]
    if getattr(settings, "NOTIFY_ZALO_ENABLED", False):
        targets.append((Channel.ZALO, dossier.applicant_phone))
    for channel, recipient in targets:
        message = queue_message(
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            reason=event.action,
            dossier=dossier,
            dedupe_key=f"event:{event.pk}:{channel}",
        )
        if message is not None:
            queued.append(message)
    return queued
