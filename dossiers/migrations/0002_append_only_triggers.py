"""On PostgreSQL, history rows cannot be updated or deleted, whatever the code does."""

from django.db import migrations

TABLES = [
    "dossiers_dossierevent",
    "dossiers_extension",
    "dossiers_supplementrequest",
    "dossiers_personaldataaccess",
]

# "%%" because the schema editor formats the SQL with (empty) parameters.
FUNCTION = """
CREATE OR REPLACE FUNCTION onestop_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %%: %% is not allowed', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION onestop_forbid_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS onestop_forbid_change();")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
