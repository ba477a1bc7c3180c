"""The history of a dossier: one append-only row per event, announced inside the transaction."""

from django.dispatch import Signal
from django.utils import timezone

from ..models import Dossier, DossierEvent

# Sent inside the transaction with each history row: the outboxes (citizen messages, the portal,
# webhooks) and the report summary are written with it, so they commit or roll back together with
# the change.
dossier_event_recorded = Signal()


def record_event(dossier, *, action, actor, from_status, note="", data=None, at=None) -> DossierEvent:
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=at or timezone.now(),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        note=note,
        data=data or {},
    )
    dossier_event_recorded.send(sender=Dossier, dossier=dossier, event=event)
    return event
