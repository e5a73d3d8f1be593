"""Streamed exports of items with their annotations. Memory stays flat: keyset pages of rows."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import orjson
from django.db.models import Exists, OuterRef

from labeling.choices import ExportFormat
from labeling.models import Annotation, Item, Project

PAGE_SIZE = 5000
CSV_COLUMNS = ["id", "external_id", "text", "image", "split", "labels", "label_source",
               "annotation_count", "metadata"]


def _item_pages(*, project: Project, source: str | None, labeled_only: bool) -> Iterator[
    tuple[list[tuple[Any, ...]], dict[int, list[dict[str, Any]]]]
]:
    items = Item.objects.filter(project=project)
    annotations = Annotation.objects.all()
    if source:
        annotations = annotations.filter(source=source)
    if source or labeled_only:
        items = items.filter(Exists(annotations.filter(item_id=OuterRef("pk"))))
    last_id = 0
    while True:
        rows = list(
            items.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "external_id", "text", "image", "metadata", "split",
                         "content_hash")[:PAGE_SIZE]
        )
        if not rows:
            return
        by_item: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for item_id, labels, ann_source, annotator, created_at in (
            annotations.filter(item_id__in=[r[0] for r in rows])
            .order_by("id")
            .values_list("item_id", "labels", "source", "annotator__username", "created_at")
        ):
            by_item[item_id].append(
                {"labels": labels, "source": ann_source, "annotator": annotator,
                 "created_at": created_at}
            )
        yield rows, by_item
        last_id = rows[-1][0]


def export_stream(
    *, project: Project, fmt: str, source: str | None = None, labeled_only: bool = False
) -> Iterator[bytes]:
    """Yield the export file in chunks (one chunk per page of items).

    JSONL: one object per item with all its annotations. CSV: one row per item; ``labels`` are
    the latest annotation's labels joined with ``|``.
    """
    pages = _item_pages(project=project, source=source, labeled_only=labeled_only)
    if fmt == ExportFormat.JSONL:
        for rows, by_item in pages:
            chunk = bytearray()
            for item_id, external_id, text, image, metadata, split, content_hash in rows:
                chunk += orjson.dumps(
                    {"id": item_id, "external_id": external_id, "text": text,
                     "image": image or None, "metadata": metadata, "split": split,
                     "content_hash": content_hash, "annotations": by_item.get(item_id, [])}
                )
                chunk += b"\n"
            yield bytes(chunk)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for rows, by_item in pages:
        for item_id, external_id, text, image, metadata, split, _ in rows:
            anns = by_item.get(item_id, [])
            latest = anns[-1] if anns else None
            writer.writerow([
                item_id, external_id, text or "", image or "", split,
                "|".join(latest["labels"]) if latest else "",
                latest["source"] if latest else "", len(anns),
                orjson.dumps(metadata).decode(),
            ])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
