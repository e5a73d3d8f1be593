"""Policy grants (which platform may use which policy) and stable webhook delivery ids.

Existing installs keep working: every (policy, platform) pair that already has content is
granted. Deliveries get a UUID each (one per row, so the unique index can be built), and
pending rows without a due time become due now, for the periodic sender to find.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def grant_pairs_with_content(apps, schema_editor):
    Content = apps.get_model("moderation", "Content")
    PolicyGrant = apps.get_model("moderation", "PolicyGrant")
    pairs = Content.objects.values_list("policy_id", "platform_id").distinct().order_by()
    PolicyGrant.objects.bulk_create(
        [PolicyGrant(policy_id=policy, platform_id=platform) for policy, platform in pairs],
        ignore_conflicts=True,
        batch_size=1000,
    )


def number_deliveries(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The unique index comes next in this transaction: PostgreSQL refuses to alter a table
        # with deferred foreign-key checks still queued by these updates, so run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    WebhookDelivery = apps.get_model("moderation", "WebhookDelivery")
    for pk in WebhookDelivery.objects.filter(uuid__isnull=True).values_list("pk", flat=True):
        WebhookDelivery.objects.filter(pk=pk).update(uuid=uuid.uuid4())
    WebhookDelivery.objects.filter(status="pending", next_attempt_at__isnull=True).update(
        next_attempt_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_content_open_sla_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PolicyGrant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "granted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "platform",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="policy_grants",
                        to="moderation.platform",
                    ),
                ),
                (
                    "policy",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="grants",
                        to="moderation.policy",
                    ),
                ),
            ],
            options={
                "ordering": ["policy__name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("policy", "platform"), name="policy_grant_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(grant_pairs_with_content, migrations.RunPython.noop),
        migrations.AddField(
            model_name="webhookdelivery",
            name="uuid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(number_deliveries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
