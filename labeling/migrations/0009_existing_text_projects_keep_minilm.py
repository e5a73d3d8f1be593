"""Text projects created before "minilm-int8" became the default keep the vector space they
were embedded and trained in: a blank embedder (the default) becomes "minilm" explicitly, so only
projects created from now on get the new default."""

from django.db import migrations


def keep_minilm(apps, schema_editor):
    Project = apps.get_model("labeling", "Project")
    Project.objects.filter(data_type="text", embedder="").update(embedder="minilm")


class Migration(migrations.Migration):
    dependencies = [
        ("labeling", "0008_assignment_skipped_idx"),
    ]

    operations = [
        migrations.RunPython(keep_minilm, migrations.RunPython.noop, elidable=True),
    ]
