"""The default letters beyond the law (administrators edit their text afterwards)."""

from django.db import migrations


def create_letters(apps, schema_editor):
    from dossiers.letters import DEFAULT_LETTERS

    LetterTemplate = apps.get_model("dossiers", "LetterTemplate")
    for letter in DEFAULT_LETTERS:
        LetterTemplate.objects.get_or_create(key=letter["key"], defaults=letter)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_backfill_resolution")]

    operations = [migrations.RunPython(create_letters, migrations.RunPython.noop)]
