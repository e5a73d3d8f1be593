"""Items created for another app's content (moderation intake): one text and/or image each.

Imports stream files; this takes content already checked by the caller, a few hundred at a
time, and returns the items, creating only those missing (the same external id twice is the
same item).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from labeling.models import Item, Project
from labeling.services.bulk import insert_ignoring_conflicts, item_ids_by_external_id
from labeling.services.import_parsers import text_hash
from labeling.services.imports import ITEM_FIELDS, split_for


@dataclass(slots=True)
class ExternalContent:
    """One piece of content for ``items_create_for_content``.

    ``image_thumbnail`` / ``image_format`` come from ``import_parsers.check_image`` (the caller
    has verified the image); ``content_hash`` is the SHA-256 of the image bytes, else the text.
    """

    external_id: str
    text: str | None = None
    image_bytes: bytes | None = None
    image_format: str = ""
    image_thumbnail: bytes | None = None
    thumbnail_ext: str = "jpg"
    metadata: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""


def _store_image(project_id: int, entry: ExternalContent) -> tuple[str, str]:
    ext = {"JPEG": "jpg"}.get(entry.image_format, entry.image_format.lower() or "bin")
    base = f"{project_id}/{entry.content_hash[:2]}/{entry.content_hash}"
    image_name = f"items/{base}.{ext}"
    thumb_name = f"thumbnails/{base}.{entry.thumbnail_ext}"
    # Content-addressed names: the same image sent twice is stored once.
    if not default_storage.exists(image_name):
        image_name = default_storage.save(image_name, ContentFile(entry.image_bytes or b""))
    if entry.image_thumbnail and not default_storage.exists(thumb_name):
        thumb_name = default_storage.save(thumb_name, ContentFile(entry.image_thumbnail))
    return image_name, thumb_name if entry.image_thumbnail else ""


@transaction.atomic
def items_create_for_content(*, project: Project, entries: list[ExternalContent]) -> dict[str, int]:
    """Item ids by external id for ``entries``, creating the items that do not exist yet.

    Side effects: writes images and thumbnails under MEDIA_ROOT (items/, thumbnails/); bulk
    inserts items (skipping ones a concurrent caller created). New items wait at priority 0
    for the project's next rescoring, like imported ones; nothing is embedded here.
    """
    if not entries:
        return {}
    now = timezone.now()
    rows = []
    for entry in entries:
        if not entry.content_hash:
            entry.content_hash = text_hash(entry.text or "")
        image = thumbnail = None
        if entry.image_bytes is not None:
            image, thumbnail = _store_image(project.pk, entry)
        rows.append(
            (project.pk, entry.external_id, entry.text, image, thumbnail or None,
             orjson.dumps(entry.metadata).decode(), entry.content_hash,
             split_for(entry.external_id), now)
        )  # fmt: skip
    insert_ignoring_conflicts(Item, ITEM_FIELDS, rows)
    return item_ids_by_external_id(
        project_id=project.pk, external_ids=[entry.external_id for entry in entries]
    )
