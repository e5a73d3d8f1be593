"""The audit log is append-only in the database itself.

PostgreSQL refuses UPDATE and DELETE of its rows; SQLite refuses UPDATE (its DELETE stays
possible only because Django's ``flush`` — tests, ``manage.py flush`` — empties tables with
DELETE; the application refuses deletes). TRUNCATE, a database-owner operation, stays possible
on PostgreSQL for the same reason.
"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the audit log is append-only';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change()
    """,
]
SQLITE = [
    """
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
]
REVERSE = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
        "DROP FUNCTION IF EXISTS core_auditevent_refuse_change()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    ],
}


def forwards(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in REVERSE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
