"""Staff notifications (the bell) and the outbox of messages to citizens and staff.

Messages are written in the same transaction as the event that causes them (the outbox), then
sent by Celery; a failed send is retried with back-off. The text of a message is never rewritten
and attempts are append-only, so what a citizen was told stays on record.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import AppendOnlyModel


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    SUPPLEMENT_OVERDUE = "supplement_overdue", _("No supplement in time")
    ASSIGNED = "assigned", _("Assigned to you")
    REPORT = "report", _("Report")
    INFO = "info", _("Information")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The same alert is never given twice to the same person.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once_per_user"),
        ]

    def __str__(self):
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class MessageState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message to one recipient on one channel. Its text never changes once written."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    reason = models.CharField(_("reason"), max_length=40, help_text=_("The event that caused it"))
    created_at = models.DateTimeField(default=timezone.now)
    dedupe_key = models.CharField(max_length=200, unique=True)
    # Delivery state: the only fields a send may change.
    state = models.CharField(_("state"), max_length=10, choices=MessageState.choices, default=MessageState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    DELIVERY_FIELDS = ("state", "attempts", "next_attempt_at", "sent_at", "last_error")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="message_due_idx")]

    def __str__(self):
        return f"{self.channel} → {self.recipient}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or not set(update_fields) <= set(self.DELIVERY_FIELDS)):
            raise PermissionError("A message's text is never rewritten; only its delivery state changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Messages are kept: they cannot be deleted.")


class MessageAttempt(AppendOnlyModel):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["message", "at", "pk"]

    def __str__(self):
        return f"{self.message_id} {'ok' if self.ok else 'failed'}"
