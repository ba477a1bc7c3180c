"""Webhooks for the commune's other software: the payload, its signature and the POST.

Each delivery is ``POST <url>`` with a JSON body and the headers

- ``X-MotCua-Event``: the event type, ``dossier.<action>``;
- ``X-MotCua-Delivery``: the delivery id (the same on every retry: use it to ignore repeats);
- ``X-MotCua-Timestamp``: Unix seconds when this attempt was signed;
- ``X-MotCua-Signature``: ``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>``.

Any 2xx answer is a success; anything else (or no answer within WEBHOOK_TIMEOUT) is retried with
back-off, in order per dossier.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import requests
from django.conf import settings
from django.utils import timezone


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def build_webhook_payload(dossier, event, *, delivery_id: int, include_personal_data: bool = False) -> dict:
    payload = {
        "id": delivery_id,
        "type": f"dossier.{event.action}",
        "occurred_at": _iso(event.at),
        "dossier": {
            "code": dossier.code,
            "external_code": getattr(dossier, "external_code", "") or None,
            "status": dossier.status,
            "procedure": dossier.procedure.code,
            "procedure_name": dossier.procedure_version.name,
            "channel": dossier.channel,
            "receiving_agency": dossier.receiving_agency.code,
            "competent_agency": dossier.competent_agency.code,
            "received_at": _iso(dossier.received_at),
            "competent_received_at": _iso(dossier.competent_received_at),
            "due_at": _iso(dossier.due_at),
            "finished_at": _iso(dossier.finished_at),
        },
        "event": {
            "number": event.pk,
            "action": event.action,
            "from_status": event.from_status or None,
            "to_status": event.to_status,
            "at": _iso(event.at),
            "note": event.note,
        },
    }
    if include_personal_data:
        payload["dossier"]["applicant"] = {
            "full_name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        }
    return payload


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int | None = 300) -> bool:
    """What a subscriber does: the signature matches and the timestamp is recent."""
    if tolerance is not None and abs(time.time() - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookError(Exception):
    pass


def deliver(*, url: str, secret: str, payload: dict, event_type: str, delivery_id: int) -> str:
    """POST one delivery; the answer's status and start on success, WebhookError otherwise."""
    body = encode(payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "MotCua-Webhooks/1",
        "X-MotCua-Event": event_type,
        "X-MotCua-Delivery": str(delivery_id),
        "X-MotCua-Timestamp": timestamp,
        "X-MotCua-Signature": sign(secret, timestamp, body),
    }
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=getattr(settings, "WEBHOOK_TIMEOUT", 10), allow_redirects=False
        )
    except requests.RequestException as exc:
        raise WebhookError(str(exc)) from exc
    detail = f"HTTP {response.status_code}: {response.text[:300]}"
    if not 200 <= response.status_code < 300:
        raise WebhookError(detail)
    return detail
