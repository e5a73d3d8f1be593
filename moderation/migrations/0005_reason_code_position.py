"""Reason codes keep the order their policy's editor gave (the digit keys moderators press)."""

from django.db import migrations, models


def number_existing_codes(apps, schema_editor):
    # Until now a policy listed its codes sorted by code: number them in that order so no
    # moderator's digit keys move on upgrade.
    ReasonCode = apps.get_model("moderation", "ReasonCode")
    changed = []
    last_policy = None
    position = 0
    for reason in ReasonCode.objects.order_by("policy_id", "code"):
        position = 0 if reason.policy_id != last_policy else position + 1
        last_policy = reason.policy_id
        reason.position = position
        changed.append(reason)
    ReasonCode.objects.bulk_update(changed, ["position"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0004_blurred_random_names_restricted_items"),
    ]

    operations = [
        migrations.AddField(
            model_name="reasoncode",
            name="position",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(number_existing_codes, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="reasoncode",
            options={"ordering": ["position", "id"]},
        ),
    ]
