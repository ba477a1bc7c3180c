"""Keep the report summary current, in the same transaction as each dossier event."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from dossiers.models import Attachment
from dossiers.services import dossier_event_recorded

from .summaries import figures_record_event, figures_record_scan


@receiver(dossier_event_recorded, dispatch_uid="reports.figures")
def on_dossier_event(sender, dossier, event, **kwargs):
    figures_record_event(dossier, event)


@receiver(post_save, sender=Attachment, dispatch_uid="reports.figures.scan")
def on_scan_saved(sender, instance, created, raw=False, **kwargs):
    # A scan is one of the dossier's papers digitised: at intake or attached later
    # (dossiers.services.dossier_attach). Code that creates scans must save them one by one
    # (bulk_create sends no signal): rebuild_figures repairs the summary otherwise.
    if created and not raw:
        figures_record_scan(instance)
