"""Items created for another app's content (moderation intake): one text and/or image each.

Imports stream files; this takes content already checked by the caller, a few hundred at a
time, and returns the items, creating only those missing (the same external id twice is the
same item).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import transaction
from django.utils import timezone

from core.files import file_store, image_extension
from labeling.models import Item, Project
from labeling.services.bulk_sql import (
    insert_ignoring_conflicts,
    item_files_discard_unused,
    item_ids_by_external_id,
)
from labeling.services.imports.item_rows import ITEM_FIELDS, split_for
from labeling.services.imports.readers.rows import text_hash


@dataclass(slots=True)
class ExternalContent:
    """One piece of content for ``items_create_for_content``.

    ``image_thumbnail`` / ``image_format`` come from ``core.images.check_image`` (the caller
    has verified the image); ``content_hash`` is the SHA-256 of the image bytes, else the text.
    ``media_restricted``: the caller only shows the image deliberately (moderation): the item
    is marked so, ``image_thumbnail`` must then be the blurred thumbnail the caller made, and
    labeling records every fetch of the full image in the audit log.
    """

    external_id: str
    text: str | None = None
    image_bytes: bytes | None = None
    image_format: str = ""
    image_thumbnail: bytes | None = None
    thumbnail_ext: str = "jpg"
    metadata: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    media_restricted: bool = False


ITEM_FIELDS_RESTRICTABLE = (*ITEM_FIELDS, "media_restricted")


def _store_image(project_id: int, entry: ExternalContent) -> tuple[str, str | None]:
    image_name = file_store(
        folder=f"items/{project_id}",
        extension=image_extension(entry.image_format),
        content=entry.image_bytes or b"",
    )
    thumb_name = (
        file_store(
            folder=f"thumbnails/{project_id}",
            extension=entry.thumbnail_ext,
            content=entry.image_thumbnail,
        )
        if entry.image_thumbnail
        else None
    )
    return image_name, thumb_name


@transaction.atomic
def items_create_for_content(*, project: Project, entries: list[ExternalContent]) -> dict[str, int]:
    """Item ids by external id for ``entries``, creating the items that do not exist yet.

    Side effects: writes images and thumbnails under random names in MEDIA_ROOT (items/,
    thumbnails/; wrap the caller's transaction in ``core.files.files_removed_on_error`` to
    remove them if it rolls back); bulk inserts items (skipping ones a concurrent caller
    created, whose files are deleted again). New items wait at priority 0 for the project's
    next rescoring, like imported ones; nothing is embedded here.
    """
    if not entries:
        return {}
    existing = item_ids_by_external_id(
        project_id=project.pk, external_ids=[entry.external_id for entry in entries]
    )
    now = timezone.now()
    rows = []
    for entry in entries:
        if entry.external_id in existing:
            continue
        if not entry.content_hash:
            entry.content_hash = text_hash(entry.text or "")
        image = thumbnail = None
        if entry.image_bytes is not None:
            image, thumbnail = _store_image(project.pk, entry)
        rows.append(
            (project.pk, entry.external_id, entry.text, image, thumbnail,
             orjson.dumps(entry.metadata).decode(), entry.content_hash,
             split_for(entry.external_id), now, entry.media_restricted)
        )  # fmt: skip
    created = insert_ignoring_conflicts(Item, ITEM_FIELDS_RESTRICTABLE, rows)
    if created < len(rows):
        item_files_discard_unused(project_id=project.pk, rows=rows)
    existing.update(
        item_ids_by_external_id(project_id=project.pk, external_ids=[row[1] for row in rows])
    )
    return existing
