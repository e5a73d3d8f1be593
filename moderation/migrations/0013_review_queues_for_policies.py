"""Every policy gets its default queue (where content no routing rule sends waits) and its
appeals queue; its contents go to the default queue, those with an open appeal to the appeals
queue."""

from django.db import migrations

DEFAULT_NAME = "Default"
APPEALS_NAME = "Appeals"


def forwards(apps, schema_editor):
    Policy = apps.get_model("moderation", "Policy")
    ReviewQueue = apps.get_model("moderation", "ReviewQueue")
    Content = apps.get_model("moderation", "Content")
    Appeal = apps.get_model("moderation", "Appeal")
    for policy in Policy.objects.order_by("id").iterator():
        default, _ = ReviewQueue.objects.get_or_create(
            policy=policy,
            kind="default",
            defaults={"name": DEFAULT_NAME, "position": 0,
                      "description": "Content no routing rule sends elsewhere."},
        )  # fmt: skip
        appeals, _ = ReviewQueue.objects.get_or_create(
            policy=policy,
            kind="appeals",
            defaults={"name": APPEALS_NAME, "position": 1,
                      "description": "Content whose decision is under appeal."},
        )  # fmt: skip
        Content.objects.filter(policy=policy, queue__isnull=True).update(queue=default)
        appealed = Appeal.objects.filter(content__policy=policy, state="open").values("content_id")
        Content.objects.filter(pk__in=appealed).update(queue=appeals)


def backwards(apps, schema_editor):
    apps.get_model("moderation", "Content").objects.update(queue=None)
    apps.get_model("moderation", "ReviewQueue").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0012_review_queues")]

    operations = [migrations.RunPython(forwards, backwards)]
