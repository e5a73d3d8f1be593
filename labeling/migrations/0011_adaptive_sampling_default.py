"""``adaptive`` becomes the sampling strategy of new projects, and of existing projects that
have ``hybrid``, the old default.

Why existing ``hybrid`` projects move too: nothing records whether a project chose ``hybrid`` or
got it by default (it has been the default since 0002), and ``adaptive`` keeps ordering the
queue by ``hybrid`` unless the project's own dev labels measure another arm as better, so these
projects change only where the measurement says ``hybrid`` is the worse choice. Projects with
any other strategy were set by someone on purpose and keep it. Reversing the migration puts
``adaptive`` projects back on ``hybrid``.
"""

from django.db import migrations, models


def hybrid_to_adaptive(apps, schema_editor):
    Project = apps.get_model("labeling", "Project")
    Project.objects.filter(sampling_strategy="hybrid").update(sampling_strategy="adaptive")


def adaptive_to_hybrid(apps, schema_editor):
    Project = apps.get_model("labeling", "Project")
    Project.objects.filter(sampling_strategy="adaptive").update(sampling_strategy="hybrid")


class Migration(migrations.Migration):
    dependencies = [
        ("labeling", "0010_label_class_description"),
    ]

    operations = [
        migrations.AlterField(
            model_name="project",
            name="sampling_strategy",
            field=models.CharField(
                choices=[
                    ("random", "Random"),
                    ("uncertainty", "Least confident"),
                    ("margin", "Smallest margin"),
                    ("entropy", "Highest entropy"),
                    ("hybrid", "Hybrid (uncertain and diverse)"),
                    ("adaptive", "Adaptive (chosen on the dev split)"),
                ],
                default="adaptive",
                max_length=16,
            ),
        ),
        migrations.RunPython(hybrid_to_adaptive, adaptive_to_hybrid, elidable=True),
    ]
