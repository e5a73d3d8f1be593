"""API tokens kept as SHA-256 hashes (core.ApiToken) instead of DRF's plaintext authtoken table.

Existing tokens are converted, so scripts using them keep working: each key's hash and first
characters are copied, then DRF's ``authtoken_token`` table is dropped and its migration
records and content types are forgotten (``rest_framework.authtoken`` is no longer installed).
On a new database there is no such table and only the new one is created.

Not reversible in substance: going back creates no plaintext table (the keys are gone); the
tokens stay as hashes until the table is dropped.
"""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LEGACY_TABLE = "authtoken_token"
LEGACY_PREFIX_LENGTH = 8


def tokens_from_plaintext(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    quote = connection.ops.quote_name
    ApiToken = apps.get_model("core", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} "  # noqa: S608
            f"FROM {quote(LEGACY_TABLE)}"
        )
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        token = ApiToken.objects.create(
            user_id=user_id,
            key_hash=hashlib.sha256(key.encode("utf-8")).hexdigest(),
            prefix=key[:LEGACY_PREFIX_LENGTH],
        )
        # auto_now_add wrote "now"; the token is as old as it was.
        ApiToken.objects.filter(pk=token.pk).update(created_at=created)
    schema_editor.execute(f"DROP TABLE {quote(LEGACY_TABLE)}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_append_only"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_hash", models.CharField(max_length=64, unique=True)),
                ("prefix", models.CharField(max_length=16)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_token",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(tokens_from_plaintext, migrations.RunPython.noop),
    ]
