"""The outbox: writing records with each dossier event, sending them, resending, alerting.

Writing (``outbox_record_event``) runs inside the dossier event's transaction and only inserts
rows. Sending (``outbox_drain``, run by Celery) is one code path for the portal and webhooks:

1. pick the *heads*: records due now whose earlier records in the same stream (the portal, or one
   subscriber) and dossier are all sent — never event N+1 while N is unsent;
2. claim them with a short lease (a plain UPDATE: two drains at once never send the same row);
3. send them outside any transaction: the portal in batches per service (DongBoHoSoMC takes a
   list), a webhook one by one;
4. mark them sent, or failed with back-off (1, 2, 4… minutes), or held after PORTAL_MAX_ATTEMPTS
   (stopped until an administrator resends: ``outbox_resend``).

The portal is told the dossier code and the event number with every object, so a resend (or a
sender that crashed after the portal answered) never creates a duplicate there.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import DossierEvent, SupplementRequest
from notifications.services import enqueue_after_commit, retry_delay

from . import portal
from .models import OutboxAttempt, OutboxRecord, RecordState, Target, WebhookSubscriber
from .portal import PortalClient, PortalCodes, PortalError
from .webhooks import WebhookError, build_webhook_payload, deliver

logger = logging.getLogger(__name__)

SUBSCRIBERS_CACHE_KEY = "interop:subscribers"
UNSENT = (RecordState.PENDING, RecordState.FAILED, RecordState.HELD)
SENDABLE = (RecordState.PENDING, RecordState.FAILED)
# Events that change what the portal shows of the dossier: its whole state is synced again.
SYNC_ACTIONS = {"receive", "receive_online", "extend", "supplement", "request_supplement", "accept"}
# The first event of a dossier: DongBoHoSoMC is sent with isUpdating false.
FIRST_ACTIONS = {"receive", "receive_online"}


# ----- writing (in the request) ------------------------------------------------------------------


def subscribers_changed():
    cache.delete(SUBSCRIBERS_CACHE_KEY)


def active_subscribers() -> list[tuple[int, str]]:
    """(id, event types) of the active subscribers; cached (cleared when one is saved)."""
    subscribers = cache.get(SUBSCRIBERS_CACHE_KEY)
    if subscribers is None:
        subscribers = list(WebhookSubscriber.objects.filter(active=True).values_list("pk", "event_types"))
        cache.set(SUBSCRIBERS_CACHE_KEY, subscribers, 60)
    return subscribers


def portal_services_for(event) -> list[str]:
    """What the portal is sent for an event, in order: the dossier's state when it changed, the
    decision on an online dossier, and always the step of progress."""
    services = []
    if event.action in SYNC_ACTIONS or event.from_status != event.to_status:
        services.append(portal.SYNC_DOSSIER)
    if portal.decision_of(event):
        services.append(portal.ONLINE_DECISION)
    services.append(portal.UPDATE_PROGRESS)
    return services


def outbox_record_event(*, dossier, event) -> list[OutboxRecord]:
    """Write the outbox rows of one dossier event (inside its transaction: they commit or roll back
    with it). Only inserts; nothing is sent here."""
    now = timezone.now()
    code = portal.dossier_portal_code(dossier)
    common = {"dossier": dossier, "dossier_code": code, "event": event, "event_number": event.pk, "created_at": now}
    rows = []
    if portal.conf("PORTAL_ENABLED"):
        rows += [
            OutboxRecord(target=Target.PORTAL, stream="portal", service=service, next_attempt_at=now, **common)
            for service in portal_services_for(event)
        ]
    for pk, types in active_subscribers():
        if WebhookSubscriber(event_types=types).wants(event.action):
            rows.append(
                OutboxRecord(
                    target=Target.WEBHOOK,
                    subscriber_id=pk,
                    stream=f"webhook:{pk}",
                    service=f"dossier.{event.action}",
                    next_attempt_at=now,
                    **common,
                )
            )
    if rows:
        OutboxRecord.objects.bulk_create(rows)
    return rows


# ----- sending (Celery) --------------------------------------------------------------------------


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0
    held: int = 0
    calls: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DrainReport):
        self.sent += other.sent
        self.failed += other.failed
        self.held += other.held
        self.calls += other.calls
        self.errors += other.errors


def _lease_seconds() -> float:
    return float(portal.conf("PORTAL_TIMEOUT")) * 3 + 60


def _unclaimed(now):
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def outbox_heads(*, now=None, limit=500) -> list[int]:
    """Ids of the records that may be sent now: due, unclaimed, and first unsent in their stream
    for their dossier."""
    now = now or timezone.now()
    earlier_unsent = OutboxRecord.objects.filter(
        dossier=OuterRef("dossier"), stream=OuterRef("stream"), state__in=UNSENT
    ).filter(
        Q(event_number__lt=OuterRef("event_number")) | Q(event_number=OuterRef("event_number"), pk__lt=OuterRef("pk"))
    )
    ready = OutboxRecord.objects.filter(state__in=SENDABLE, next_attempt_at__lte=now).filter(_unclaimed(now))
    if not portal.conf("PORTAL_ENABLED"):
        ready = ready.exclude(target=Target.PORTAL)
    ready = ready.exclude(target=Target.WEBHOOK, subscriber__active=False)
    return list(ready.exclude(Exists(earlier_unsent)).order_by("pk").values_list("pk", flat=True)[:limit])


def _claim(ids, now) -> list[OutboxRecord]:
    token = uuid.uuid4().hex
    OutboxRecord.objects.filter(pk__in=ids, state__in=SENDABLE).filter(_unclaimed(now)).update(
        claim=token, claimed_until=now + timedelta(seconds=_lease_seconds())
    )
    return list(
        OutboxRecord.objects.filter(claim=token)
        .select_related(
            "subscriber",
            "dossier__procedure__field",
            "dossier__procedure_version",
            "dossier__competent_agency",
            "dossier__receiving_agency",
            "event__actor__agency",
        )
        .prefetch_related(
            "dossier__documents",
            Prefetch("dossier__supplement_requests", SupplementRequest.objects.select_related("created_by")),
            Prefetch("dossier__events", DossierEvent.objects.select_related("actor")),
        )
        .order_by("pk")
    )


def _build(record: OutboxRecord, codes: PortalCodes) -> dict:
    dossier, event = record.dossier, record.event
    if record.target == Target.WEBHOOK:
        return build_webhook_payload(
            dossier,
            event,
            delivery_id=record.pk,
            include_personal_data=record.subscriber.include_personal_data,
        )
    builder = {
        portal.SYNC_DOSSIER: portal.build_dossier_sync,
        portal.UPDATE_PROGRESS: portal.build_progress,
        portal.ONLINE_DECISION: portal.build_online_decision,
    }[record.service]
    return builder(dossier, event, codes=codes)


FIELDS = ["state", "attempts", "next_attempt_at", "first_failed_at", "last_error", "portal_message", "sent_at"]


def _mark(records, *, now, ok: bool, detail: str = "", portal_message: str = "", error_code="") -> DrainReport:
    report = DrainReport()
    max_attempts = int(portal.conf("PORTAL_MAX_ATTEMPTS"))
    for record in records:
        record.attempts += 1
        record.claim, record.claimed_until = "", None
        if ok:
            record.state, record.sent_at, record.last_error, record.portal_message = RecordState.SENT, now, "", ""
            report.sent += 1
        else:
            record.last_error, record.portal_message = detail[:2000], portal_message[:2000]
            record.first_failed_at = record.first_failed_at or now
            if record.attempts >= max_attempts:
                record.state = RecordState.HELD
                report.held += 1
            else:
                record.state = RecordState.FAILED
                record.next_attempt_at = now + retry_delay(record.attempts)
                report.failed += 1
    with transaction.atomic():
        if ok:  # one statement for the whole batch
            OutboxRecord.objects.filter(pk__in=[r.pk for r in records]).update(
                state=RecordState.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                last_error="",
                portal_message="",
                claim="",
                claimed_until=None,
            )
        else:
            OutboxRecord.objects.bulk_update(records, [*FIELDS, "claim", "claimed_until"], batch_size=100)
        OutboxAttempt.objects.bulk_create(
            OutboxAttempt(record=record, at=now, ok=ok, error_code=str(error_code or "")[:32], detail=detail[:2000])
            for record in records
        )
    if not ok:
        report.errors.append(detail[:300])
    return report


def _portal_message(exc: PortalError) -> str:
    if exc.error_code is not None:
        return exc.message
    return portal._snippet(exc.body, 500) if exc.body else ""


def _send_portal(service, records, *, client, now, is_updating) -> tuple[DrainReport, bool]:
    """One call for a batch. Returns the report and whether the portal is reachable (False stops
    this pass: an outage is not hammered)."""
    try:
        result = client.call(service, data=[r.payload for r in records], is_updating=is_updating)
    except PortalError as exc:
        if exc.error_code is not None and len(records) > 1:
            # The portal answered but refused the batch: find the object it refuses, one by one.
            report = DrainReport(calls=1)
            for record in records:
                single, reachable = _send_portal(service, [record], client=client, now=now, is_updating=is_updating)
                report.add(single)
                if not reachable:
                    _release([r for r in records if r.claim])
                    return report, False
            return report, True
        report = _mark(
            records,
            now=now,
            ok=False,
            detail=str(exc),
            portal_message=_portal_message(exc),
            error_code=exc.error_code,
        )
        report.calls += 1
        return report, exc.error_code is not None
    report = _mark(records, now=now, ok=True, detail=f"{service}: {len(result)} result(s)")
    report.calls += 1
    return report, True


def _release(records):
    OutboxRecord.objects.filter(pk__in=[r.pk for r in records]).update(claim="", claimed_until=None)
    for record in records:
        record.claim = ""


def _send_webhook(record, *, now) -> DrainReport:
    try:
        detail = deliver(
            url=record.subscriber.url,
            secret=record.subscriber.secret,
            payload=record.payload,
            event_type=record.service,
            delivery_id=record.pk,
        )
    except WebhookError as exc:
        return _mark([record], now=now, ok=False, detail=str(exc), portal_message=str(exc))
    return _mark([record], now=now, ok=True, detail=detail)


def _drain_pass(*, now, limit, codes, client) -> DrainReport | None:
    ids = outbox_heads(now=now, limit=limit)
    if not ids:
        return None
    records = _claim(ids, now)
    report = DrainReport()
    fresh, ready = [], []
    for record in records:
        if record.payload is None:
            try:
                record.payload = _build(record, codes)
            except Exception as exc:  # a record that cannot be built must not stop the others
                logger.exception("Outbox record %s cannot be built", record.pk)
                report.add(_mark([record], now=now, ok=False, detail=f"{type(exc).__name__}: {exc}"))
                continue
            fresh.append(record)
        ready.append(record)
    if fresh:
        OutboxRecord.objects.bulk_update(fresh, ["payload"], batch_size=100)
    groups = defaultdict(list)
    for record in ready:
        if record.target == Target.PORTAL:
            is_updating = not (
                record.service == portal.SYNC_DOSSIER and record.event and record.event.action in FIRST_ACTIONS
            )
            groups[(record.service, is_updating)].append(record)
        else:
            report.add(_send_webhook(record, now=now))
    batch = max(int(portal.conf("PORTAL_BATCH_SIZE")), 1)
    portal_up = True
    for (service, is_updating), members in groups.items():
        for start in range(0, len(members), batch):
            chunk = members[start : start + batch]
            if not portal_up:
                _release(chunk)
                continue
            result, portal_up = _send_portal(service, chunk, client=client, now=now, is_updating=is_updating)
            report.add(result)
    if not portal_up:
        report.errors.append("portal unreachable: pass stopped")
    return report


def outbox_drain(*, now=None, limit: int = 500, max_passes: int = 1000) -> DrainReport:
    """Send everything that may be sent now, pass after pass (each pass sends the next event of
    every dossier), until nothing is left, a pass finds the portal unreachable, or max_passes."""
    codes = PortalCodes.load()
    client = PortalClient()
    total = DrainReport()
    for _pass in range(max_passes):
        report = _drain_pass(now=now or timezone.now(), limit=limit, codes=codes, client=client)
        if report is None:
            break
        total.add(report)
        if report.sent == 0:
            break  # everything due failed: wait for the back-off
    if total.sent or total.failed or total.held:
        logger.info("Outbox: %s sent, %s failed, %s held", total.sent, total.failed, total.held)
    return total


# ----- administrators ----------------------------------------------------------------------------


def outbox_resend(*, by, record_ids=None, all_held: bool = False) -> int:
    """An administrator resends failed or held records: they are tried again now, with a fresh
    count of attempts (the attempts log keeps the earlier ones)."""
    if not by.is_administrator:
        raise PermissionError(_("Only an administrator may resend."))
    records = OutboxRecord.objects.filter(state__in=(RecordState.FAILED, RecordState.HELD))
    if record_ids is not None:
        records = records.filter(pk__in=record_ids)
    elif all_held:
        records = records.filter(state=RecordState.HELD)
    else:
        return 0
    with transaction.atomic():
        count = records.update(
            state=RecordState.PENDING, attempts=0, next_attempt_at=timezone.now(), claim="", claimed_until=None
        )
        if count:
            from .tasks import drain_outbox_task

            logger.info("Outbox: %s record(s) resent by %s", count, by.username)
            enqueue_after_commit(drain_outbox_task)
    return count


def outbox_summary() -> dict:
    """What the queue page shows: counts per target and state, and the last success per target."""
    from django.db.models import Count

    counts = defaultdict(lambda: dict.fromkeys(RecordState.values, 0))
    for row in OutboxRecord.objects.values("target", "state").annotate(n=Count("pk")):
        counts[row["target"]][row["state"]] = row["n"]
    last_sent = {
        target: OutboxRecord.objects.filter(target=target, state=RecordState.SENT).aggregate(at=Max("sent_at"))["at"]
        for target in Target.values
    }
    return {"counts": dict(counts), "last_sent": last_sent}


def _directors_of(agency):
    """The centre's director: the leaders of the receiving agency, else of its commune (as the
    deadline watch finds them)."""
    from accounts.choices import Role
    from accounts.models import User

    for candidate in (agency, agency.commune() if agency is not None else None):
        if candidate is None:
            continue
        leaders = list(User.objects.filter(role=Role.LEADER, agency=candidate, is_active=True))
        if leaders:
            return leaders
    return []


def outbox_alert_stale(*, now=None) -> int:
    """Tell the centre's director, once, of records failing for more than a working day of the
    receiving agency's calendar. Returns the number of records newly alerted."""
    from agencies.calendar import calendar_for
    from notifications.models import NotificationKind
    from notifications.services import notify_staff

    now = now or timezone.now()
    candidates = list(
        OutboxRecord.objects.filter(
            state__in=(RecordState.FAILED, RecordState.HELD),
            alerted_at__isnull=True,
            first_failed_at__lte=now - timedelta(hours=1),
        )
        .select_related("dossier__receiving_agency")
        .order_by("pk")[:5000]
    )
    by_agency = defaultdict(list)
    for record in candidates:
        by_agency[record.dossier.receiving_agency].append(record)
    alerted = 0
    for agency, records in by_agency.items():
        cal = calendar_for(agency)
        stale = [r for r in records if cal.working_seconds_between(r.first_failed_at, now) >= cal.normal_day_seconds]
        if not stale:
            continue
        with transaction.atomic():
            OutboxRecord.objects.filter(pk__in=[r.pk for r in stale]).update(alerted_at=now)
            notify_staff(
                users=_directors_of(agency),
                kind=NotificationKind.INFO,
                title=_("Sending to the national portal has failed for more than a working day (%(count)s records)")
                % {"count": len(stale)},
                body=_(
                    "The oldest: dossier %(code)s, failing since %(since)s: %(error)s. "
                    "Ask an administrator to check the queue at /lien-thong/."
                )
                % {
                    "code": stale[0].dossier_code,
                    "since": timezone.localtime(stale[0].first_failed_at).strftime("%H:%M %d/%m/%Y"),
                    "error": stale[0].portal_message or stale[0].last_error,
                },
                dedupe=f"interop-stale:{agency.pk}:{stale[0].pk}",
            )
        alerted += len(stale)
    return alerted
