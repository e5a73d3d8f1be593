"""Blurred thumbnails move to random names, and the labeling items holding moderated images
become media-restricted.

Blurred thumbnails were stored once per image at ``blurred/<sha256[:2]>/<sha256>.jpg`` (the
content's hash in the name, shared across policies); each content's now lives with its
project's thumbnails at ``thumbnails/<project>/<random>.jpg`` (``core.files``). The item holding a moderated image is
marked media-restricted: its thumbnail becomes a copy of the blurred one (the unblurred
thumbnail is deleted unless another item still uses it) and labeling audits every fetch of its
full image. Missing files leave rows as they were (a restricted item whose blurred thumbnail
is missing gets no thumbnail); an empty database does nothing. Old files are removed after
the migration commits.
"""

from django.db import migrations


def blurred_and_restricted(apps, schema_editor):
    from core.files import StoredFileMover, files_delete_on_commit

    Content = apps.get_model("moderation", "Content")
    Item = apps.get_model("labeling", "Item")
    mover = StoredFileMover()
    replaced_thumbnails: set[str] = set()
    contents = (
        Content.objects.select_related("item", "policy")
        .only("id", "blurred_thumbnail", "item", "policy__project_id")
        .order_by("id")
    )
    for content in contents.iterator(chunk_size=500):
        project_id = content.policy.project_id
        blurred = content.blurred_thumbnail.name
        if blurred:
            new_name = mover.move(blurred, folder=f"thumbnails/{project_id}", extension="jpg")
            if new_name:
                Content.objects.filter(pk=content.pk).update(blurred_thumbnail=new_name)
                blurred = new_name
            else:
                blurred = ""
        item = content.item
        if not item.image:
            continue
        thumbnail = ""
        if blurred:
            # The item's own copy: deleting either one never takes the other with it.
            thumbnail = (
                mover.copy(blurred, folder=f"thumbnails/{item.project_id}", extension="jpg") or ""
            )
        if item.thumbnail.name:
            replaced_thumbnails.add(item.thumbnail.name)
        Item.objects.filter(pk=item.pk).update(media_restricted=True, thumbnail=thumbnail or None)
    mover.delete_old_on_commit()
    still_used = set(
        Item.objects.filter(thumbnail__in=sorted(replaced_thumbnails)).values_list(
            "thumbnail", flat=True
        )
    ) | set(
        Item.objects.filter(image__in=sorted(replaced_thumbnails)).values_list("image", flat=True)
    )
    files_delete_on_commit(sorted(replaced_thumbnails - still_used))


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_policy_grants_delivery_ids"),
        ("labeling", "0006_item_media_restricted_random_file_names"),
    ]

    operations = [
        migrations.RunPython(blurred_and_restricted, migrations.RunPython.noop, elidable=True),
    ]
