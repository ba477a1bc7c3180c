"""Where messages go. Each channel has a backend chosen by settings:

    NOTIFY_SMS_BACKEND  = "notifications.backends.LoggingBackend"   (default)
                        | "notifications.backends.SpeedSmsBackend"  (SPEEDSMS_ACCESS_TOKEN, SPEEDSMS_SENDER)
    NOTIFY_ZALO_BACKEND = "notifications.backends.LoggingBackend"
Email goes through Django's EMAIL_BACKEND.

A backend's ``send(message)`` returns a short provider reference, or raises ``DeliveryError``.
"""

import base64
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The message could not be delivered now (it will be retried)."""


class LoggingBackend:
    """Writes the message to the log: the default until a gateway is configured."""

    def send(self, message) -> str:
        logger.info("[%s → %s] %s", message.channel, message.recipient, message.body)
        return "logged"


class EmailBackend:
    def send(self, message) -> str:
        try:
            EmailMessage(
                subject=message.subject or message.body[:60],
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.recipient],
            ).send(fail_silently=False)
        except Exception as exc:  # SMTP errors have no common base class
            raise DeliveryError(str(exc)) from exc
        return "smtp"


class SpeedSmsBackend:
    """SpeedSMS (speedsms.vn): POST /index.php/sms/send, HTTP Basic with the access token."""

    url = "https://api.speedsms.vn/index.php/sms/send"

    def send(self, message) -> str:
        token = getattr(settings, "SPEEDSMS_ACCESS_TOKEN", "")
        if not token:
            raise DeliveryError("SPEEDSMS_ACCESS_TOKEN is not set")
        phone = message.recipient
        if phone.startswith("0"):
            phone = "84" + phone[1:]
        payload = {
            "to": [phone.lstrip("+")],
            "content": message.body,
            "sms_type": getattr(settings, "SPEEDSMS_TYPE", 2),
            "sender": getattr(settings, "SPEEDSMS_SENDER", ""),
        }
        request = urllib.request.Request(
            getattr(settings, "SPEEDSMS_URL", self.url),
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(f"{token}:x".encode()).decode(),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - fixed https URL
                body = json.loads(response.read().decode() or "{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise DeliveryError(str(exc)) from exc
        if body.get("status") != "success":
            raise DeliveryError(f"{body.get('code')}: {body.get('message')}")
        return str(body.get("data", {}).get("tranId", ""))


def backend_for(channel: str):
    if channel == "email":
        return EmailBackend()
    path = {
        "sms": getattr(settings, "NOTIFY_SMS_BACKEND", "notifications.backends.LoggingBackend"),
        "zalo": getattr(settings, "NOTIFY_ZALO_BACKEND", "notifications.backends.LoggingBackend"),
    }[channel]
    return import_string(path)()
