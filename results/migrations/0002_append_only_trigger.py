"""On PostgreSQL, result documents cannot be updated or deleted, whatever the code does (the
function onestop_forbid_change comes from dossiers' migration 0002)."""

from django.db import migrations

TABLE = "results_resultdocument"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION onestop_forbid_change();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial"), ("dossiers", "0002_append_only_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
