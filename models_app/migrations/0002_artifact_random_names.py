"""Model artefacts stored as ``models/<owner>/v<version>-classifier.npz`` move to random names
(``models/<owner>/<random>.npz``, ``core.files``). A missing artefact leaves its row as it was
(the registry marks such a version broken when it is next read); an empty database does
nothing. Old files are removed after the migration commits."""

from django.db import migrations


def artifacts_to_random_names(apps, schema_editor):
    from core.files import StoredFileMover
    from models_app.models.registry import artifact_folder

    ModelVersion = apps.get_model("models_app", "ModelVersion")
    mover = StoredFileMover()
    for version in ModelVersion.objects.exclude(artifact="").order_by("id").iterator():
        new_name = mover.move(
            version.artifact.name,
            folder=f"models/{artifact_folder(version.owner)}",
            extension="npz",
        )
        if new_name:
            ModelVersion.objects.filter(pk=version.pk).update(artifact=new_name)
    mover.delete_old_on_commit()


class Migration(migrations.Migration):
    dependencies = [
        ("models_app", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(artifacts_to_random_names, migrations.RunPython.noop, elidable=True),
    ]
