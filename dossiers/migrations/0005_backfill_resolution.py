"""Fill resolved_at and timeliness for dossiers resolved before those fields existed, from their
history (the first approve, refuse, withdraw or close event)."""

from django.db import migrations

RESOLVING = ("approve", "refuse", "withdraw", "close")


def backfill(apps, schema_editor):
    from reports.definitions import classify_resolution

    Dossier = apps.get_model("dossiers", "Dossier")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    pending = Dossier.objects.filter(resolved_at__isnull=True).exclude(
        status__in=["received", "in_progress", "awaiting_supplement"]
    )
    for dossier in pending.iterator(chunk_size=1000):
        event = DossierEvent.objects.filter(dossier_id=dossier.pk, action__in=RESOLVING).order_by("at", "pk").first()
        if event is None:
            continue
        timeliness = classify_resolution(
            resolved_at=event.at, due_at=dossier.due_at, supplement_count=dossier.supplement_count
        )
        Dossier.objects.filter(pk=dossier.pk).update(resolved_at=event.at, timeliness=timeliness)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_resolution")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
