"""Items can be media-restricted; files stored under content- or uploader-derived names move to
random ones (``core.files``).

Item images used to live at ``items/<project>/<sha256[:2]>/<sha256>.<ext>`` (the hash shows
in the thumbnail's name) and import uploads under the uploader's own file name. Each file is
linked to ``<folder>/<project>/<random>.<ext>`` (the extension from what Pillow reads in the
file, ``bin`` when it is not an accepted image) and the old name is removed after the
migration commits. A missing file leaves its row as it was; an empty database does nothing.
"""

from django.db import migrations, models

BATCH = 1000
IMPORT_EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "text": "txt"}


def _import_extension(job, storage) -> str:
    import zipfile

    if job.format in IMPORT_EXTENSIONS:
        return IMPORT_EXTENSIONS[job.format]
    try:
        with storage.open(job.file.name, "rb") as handle:
            return "zip" if zipfile.is_zipfile(handle) else "bin"
    except OSError:
        return "bin"


def files_to_random_names(apps, schema_editor):
    from core.files import StoredFileMover, stored_image_extension

    Item = apps.get_model("labeling", "Item")
    ImportJob = apps.get_model("labeling", "ImportJob")
    mover = StoredFileMover()
    storage = mover.storage

    items = (
        Item.objects.filter(models.Q(image__gt="") | models.Q(thumbnail__gt=""))
        .only("id", "project_id", "image", "thumbnail")
        .order_by("id")
    )
    changed = []
    for item in items.iterator(chunk_size=BATCH):
        touched = False
        for field, folder in (("image", "items"), ("thumbnail", "thumbnails")):
            name = getattr(item, field).name
            if not name:
                continue
            extension = stored_image_extension(name, storage=storage)
            new_name = mover.move(name, folder=f"{folder}/{item.project_id}", extension=extension)
            if new_name:
                setattr(item, field, new_name)
                touched = True
        if touched:
            changed.append(item)
        if len(changed) >= BATCH:
            Item.objects.bulk_update(changed, ["image", "thumbnail"])
            changed = []
    if changed:
        Item.objects.bulk_update(changed, ["image", "thumbnail"])

    for job in ImportJob.objects.exclude(file="").order_by("id").iterator(chunk_size=BATCH):
        new_name = mover.move(
            job.file.name,
            folder=f"imports/{job.project_id}",
            extension=_import_extension(job, storage),
        )
        if new_name:
            ImportJob.objects.filter(pk=job.pk).update(file=new_name)
    mover.delete_old_on_commit()


class Migration(migrations.Migration):
    dependencies = [
        ("labeling", "0005_h3_project_new_versions_start_in_shadow"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="media_restricted",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(files_to_random_names, migrations.RunPython.noop, elidable=True),
    ]
