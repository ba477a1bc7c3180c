"""Listen to dossier events: write the citizen's messages in the same transaction (the outbox)."""

from django.dispatch import receiver

from dossiers.services import dossier_event_recorded

from .models import NotificationKind
from .services import notify_staff, queue_citizen_messages


@receiver(dossier_event_recorded, dispatch_uid="notifications.citizen_messages")
def on_dossier_event(sender, dossier, event, **kwargs):
    queue_citizen_messages(dossier, event)
    if event.action == "assign" and dossier.assignee_id and dossier.assignee_id != event.actor_id:
        notify_staff(
            users=[dossier.assignee],
            kind=NotificationKind.ASSIGNED,
            title=f"{dossier.code}: {dossier.procedure_version.name}"[:255],
            body=event.note,
            url=f"/ho-so/{dossier.code}/",
            dossier=dossier,
            dedupe=f"assigned:{event.pk}",
            email=False,
        )
