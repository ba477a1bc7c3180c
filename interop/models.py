"""The outbox towards the national portal and the commune's other software (webhooks), and the
mapping tables administrators edit.

Every dossier event writes its outbox rows in the same transaction (interop.receivers): a row per
portal service and one per interested webhook subscriber. Celery sends them (interop.services),
in order per dossier and target, retries with back-off and, after PORTAL_MAX_ATTEMPTS, holds a
row until an administrator resends it. Attempts are append-only.
"""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import AppendOnlyModel


class PortalStatusMapping(models.Model):
    """Our dossier status → the portal's status code (TrangThaiHoSo / TrangThai)."""

    status = models.CharField(_("our status"), max_length=32, unique=True)
    portal_code = models.CharField(_("portal status code"), max_length=16)
    label = models.CharField(_("portal status name"), max_length=255, blank=True)
    unconfirmed = models.BooleanField(
        _("unconfirmed"), default=True, help_text=_("Untick once checked against the portal's specification.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("portal status code")
        verbose_name_plural = _("portal status codes")
        ordering = ["status"]

    def __str__(self):
        return f"{self.status} → {self.portal_code}"


class PortalProcedureCode(models.Model):
    """Our procedure code → the portal's code, where they differ (local codes, province suffixes)."""

    procedure_code = models.CharField(_("our procedure code"), max_length=64, unique=True)
    portal_code = models.CharField(_("portal procedure code"), max_length=64)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("portal procedure code")
        verbose_name_plural = _("portal procedure codes")
        ordering = ["procedure_code"]

    def __str__(self):
        return f"{self.procedure_code} → {self.portal_code}"


def new_secret():
    return secrets.token_hex(32)


class WebhookSubscriber(models.Model):
    """Another system told of dossier events: each event is POSTed to its URL, signed with its secret."""

    name = models.CharField(_("name"), max_length=150)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.CharField(
        _("event types"),
        max_length=500,
        default="*",
        help_text=_("Comma-separated dossier actions (receive, transfer, approve, return…), or * for all."),
    )
    secret = models.CharField(_("secret"), max_length=128, default=new_secret)
    active = models.BooleanField(_("active"), default=True)
    include_personal_data = models.BooleanField(
        _("include the applicant's details"),
        default=False,
        help_text=_("Name, ID number and contacts of the applicant: only for systems entitled to them."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def types(self) -> set[str]:
        return {t.strip().removeprefix("dossier.") for t in self.event_types.split(",") if t.strip()}

    def wants(self, action: str) -> bool:
        types = self.types()
        return "*" in types or action in types


class Target(models.TextChoices):
    PORTAL = "portal", _("National portal")
    WEBHOOK = "webhook", _("Webhook")


class RecordState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    HELD = "held", _("Held: waiting for an administrator")


class OutboxRecord(models.Model):
    """One thing to tell one target about one dossier event. Sent once, in order per dossier and
    stream (the portal, or one subscriber): never event N+1 while N is unsent."""

    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    subscriber = models.ForeignKey(
        WebhookSubscriber, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    # "portal" or "webhook:<subscriber id>": what the order is kept within.
    stream = models.CharField(max_length=32)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="outbox_records", db_index=False
    )
    dossier_code = models.CharField(_("dossier code"), max_length=64)
    event = models.ForeignKey(
        "dossiers.DossierEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The event number sent with MaHoSo (the DossierEvent's id): the idempotency key.
    event_number = models.PositiveBigIntegerField(_("event number"))
    service = models.CharField(_("service"), max_length=64)
    # Built when first sent (from the dossier and the event), then kept: a resend sends the same.
    payload = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=RecordState.choices, default=RecordState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    first_failed_at = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    portal_message = models.TextField(_("the portal's message"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A sender's lease: another sender leaves the row alone until it expires.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    # The director was told of this failure (once).
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox record")
        verbose_name_plural = _("outbox records")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "dossier", "event_number", "service"], name="outbox_once"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["dossier", "stream", "event_number"], name="outbox_order_idx"),
            models.Index(fields=["target", "sent_at"], name="outbox_sent_idx"),
        ]

    def __str__(self):
        return f"{self.dossier_code} #{self.event_number} {self.service} → {self.stream}"


class OutboxAttempt(AppendOnlyModel):
    """One try at sending a record: what came back."""

    record = models.ForeignKey(OutboxRecord, on_delete=models.PROTECT, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    error_code = models.CharField(max_length=32, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        verbose_name = _("sending attempt")
        verbose_name_plural = _("sending attempts")
        ordering = ["record", "at", "pk"]

    def __str__(self):
        return f"{self.record_id} {'ok' if self.ok else 'failed'}"
