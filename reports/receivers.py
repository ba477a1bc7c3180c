"""Keep the report summary current, in the same transaction as each dossier event."""

from django.dispatch import receiver

from dossiers.choices import Action
from dossiers.services import RESOLVING_ACTIONS, dossier_event_recorded

from .summaries import figures_record_receipt, figures_record_resolution


@receiver(dossier_event_recorded, dispatch_uid="reports.figures")
def on_dossier_event(sender, dossier, event, **kwargs):
    if event.action == Action.RECEIVE:
        figures_record_receipt(dossier)
    elif event.action in RESOLVING_ACTIONS and dossier.resolved_at is not None:
        # A dossier is resolved once: no resolving action is allowed after another.
        figures_record_resolution(dossier)
