"""On PostgreSQL: message attempts are append-only; a message's text is never rewritten or deleted."""

from django.db import migrations

MESSAGE_GUARD = """
CREATE OR REPLACE FUNCTION onestop_message_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'messages are kept: DELETE is not allowed';
    END IF;
    IF NEW.body IS DISTINCT FROM OLD.body OR NEW.recipient IS DISTINCT FROM OLD.recipient
       OR NEW.channel IS DISTINCT FROM OLD.channel OR NEW.subject IS DISTINCT FROM OLD.subject
       OR NEW.dossier_id IS DISTINCT FROM OLD.dossier_id OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'append-only message: its text cannot be rewritten';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE TRIGGER notifications_messageattempt_append_only BEFORE UPDATE OR DELETE "
        "ON notifications_messageattempt FOR EACH ROW EXECUTE FUNCTION onestop_forbid_change();"
    )
    schema_editor.execute(MESSAGE_GUARD)
    schema_editor.execute(
        "CREATE TRIGGER notifications_message_guard BEFORE UPDATE OR DELETE "
        "ON notifications_message FOR EACH ROW EXECUTE FUNCTION onestop_message_guard();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS notifications_messageattempt_append_only ON notifications_messageattempt;")
    schema_editor.execute("DROP TRIGGER IF EXISTS notifications_message_guard ON notifications_message;")
    schema_editor.execute("DROP FUNCTION IF EXISTS onestop_message_guard();")


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("dossiers", "0002_append_only_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
