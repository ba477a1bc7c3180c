"""Celery tasks: small, idempotent, safe to run twice or at once (records are leased)."""

from celery import shared_task

from .services import outbox_alert_stale, outbox_drain


@shared_task(ignore_result=True)
def drain_outbox_task():
    """Send what is due to the portal and the webhook subscribers; alert on old failures."""
    outbox_drain()
    outbox_alert_stale()


@shared_task(ignore_result=True)
def pull_online_dossiers_task():
    """Online dossiers filed on the portal arrive at their desk's "to accept" list."""
    from django.conf import settings

    from .online import online_dossiers_pull

    if settings.PORTAL_ENABLED:
        online_dossiers_pull()
