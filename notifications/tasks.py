"""Celery tasks: small, idempotent, given ids, safe to run twice."""

from celery import shared_task

from .services import message_send, messages_due


@shared_task(ignore_result=True)
def send_message_task(*, message_id: int):
    message_send(message_id)


@shared_task(ignore_result=True)
def dispatch_messages_task():
    """Send every pending message whose time has come: retries, and whatever the broker missed."""
    for message_id in messages_due():
        message_send(message_id)
