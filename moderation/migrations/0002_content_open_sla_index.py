from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="content",
            index=models.Index(
                condition=models.Q(("state__in", ["pending", "escalated"])),
                fields=["policy", "tier", "sla_due_at"],
                name="content_open_sla_idx",
            ),
        ),
    ]
