"""Streamed exports of items with their annotations.

Memory stays flat: items are read in keyset pages of ``PAGE_SIZE`` rows, and each page's
annotations with one range query. JSON columns are passed through as the database stores them
(``orjson.Fragment``) instead of being decoded and encoded again, which is most of the cost of
an export at 100k+ rows/s.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import orjson
from django.db import connection
from django.urls import reverse

from core.spreadsheet import csv_cell
from labeling.choices import ExportFormat
from labeling.models import Project

PAGE_SIZE = 5000
CSV_COLUMNS = [
    "id",
    "external_id",
    "text",
    "image",
    "split",
    "labels",
    "label_source",
    "annotation_count",
    "metadata",
]

_ITEMS_SQL = """
SELECT i.id, i.external_id, i.text, i.image, CAST(i.metadata AS TEXT), i.split, i.content_hash
FROM labeling_item i
WHERE i.project_id = %s AND i.id > %s {having}
ORDER BY i.id
LIMIT %s
"""
_HAVING_ANNOTATION = (
    "AND EXISTS (SELECT 1 FROM labeling_annotation a WHERE a.item_id = i.id {source})"
)
_ANNOTATIONS_SQL = """
SELECT a.item_id, CAST(a.labels AS TEXT), a.source, u.username, {created_at}
FROM labeling_annotation a
JOIN labeling_item i ON i.id = a.item_id
LEFT JOIN auth_user u ON u.id = a.annotator_id
WHERE i.project_id = %s AND a.item_id > %s AND a.item_id <= %s AND i.id > %s AND i.id <= %s
  {source}
ORDER BY a.id
"""


def _created_at_sql() -> str:
    """ISO 8601 text in UTC, formatted by the database (parsing datetimes in Python is slow)."""
    if connection.vendor == "postgresql":
        return "to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
    # SQLite holds the text Django wrote: 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC. Rows that
    # imports and auto-labeling wrote before they adapted their datetimes end in '+00:00'
    # (still UTC): the seconds and the fraction are cut out, so both shapes read the same.
    return (
        "replace(substr(a.created_at, 1, 19), ' ', 'T') || "
        "CASE WHEN substr(a.created_at, 20, 1) = '.' THEN substr(a.created_at, 20, 7) ELSE '' END"
        " || '+00:00'"
    )


def _item_pages(
    *, project: Project, source: str | None, labeled_only: bool
) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, list[tuple[str, str, str | None, str]]]]]:
    source_sql = "AND a.source = %s" if source else ""
    source_params = [source] if source else []
    having = _HAVING_ANNOTATION.format(source=source_sql) if (source or labeled_only) else ""
    items_sql = _ITEMS_SQL.format(having=having)
    annotations_sql = _ANNOTATIONS_SQL.format(source=source_sql, created_at=_created_at_sql())
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(items_sql, [project.pk, last_id, *source_params, PAGE_SIZE])
            rows = cursor.fetchall()
            if not rows:
                return
            by_item: dict[int, list[tuple[str, str, str | None, str]]] = defaultdict(list)
            page_end = rows[-1][0]
            cursor.execute(
                annotations_sql,
                [project.pk, last_id, page_end, last_id, page_end, *source_params],
            )
            for annotation in cursor.fetchall():
                by_item[annotation[0]].append(annotation[1:])
            yield rows, by_item
            last_id = rows[-1][0]


_dumps = orjson.dumps


def _image_path_template(project: Project) -> str:
    """``/api/v1/projects/<id>/items/%d/image/``: an export's ``image`` is the API path that
    serves the item's image to a member (storage names are private). Reversed once per
    export, not once per row."""
    return reverse("item-image", kwargs={"project_id": project.pk, "item_id": 0}).replace(
        "/items/0/", "/items/%d/"
    )


def _jsonl_line(row: tuple[Any, ...], annotations: Any, image_path: str) -> bytes:
    """One item as a JSON line, assembled as bytes.

    Building dicts for orjson costs three times as much at 100k rows. Strings that come from
    people go through ``orjson.dumps``; ``labels`` and ``metadata`` are JSON already (as the
    database holds them); split, hash, source and timestamps are our own ASCII values.
    """
    item_id, external_id, text, image, metadata, split, content_hash = row
    annotation_json = b",".join([
        b'{"labels":%s,"source":"%s","annotator":%s,"created_at":"%s"}'
        % (labels.encode(), source.encode(), _dumps(annotator), created_at.encode())
        for labels, source, annotator, created_at in annotations
    ])  # fmt: skip
    return (
        b'{"id":%d,"external_id":%s,"text":%s,"image":%s,"metadata":%s,"split":"%s",'
        b'"content_hash":"%s","annotations":[%s]}\n'
        % (item_id, _dumps(external_id), _dumps(text),
           _dumps(image_path % item_id if image else None),
           (metadata or "{}").encode(), split.encode(), content_hash.encode(), annotation_json)
    )  # fmt: skip


def export_stream(
    *, project: Project, fmt: str, source: str | None = None, labeled_only: bool = False
) -> Iterator[bytes]:
    """Yield the export file in chunks (one chunk per page of items).

    JSONL: one object per item with all its annotations (only those of ``source`` when given).
    CSV: one row per item; ``labels`` are the latest annotation's labels joined with ``|``;
    text cells that a spreadsheet would run as a formula start with ``'`` (``csv_cell``).
    """
    pages = _item_pages(project=project, source=source, labeled_only=labeled_only)
    image_path = _image_path_template(project)
    if fmt == ExportFormat.JSONL:
        for rows, by_item in pages:
            yield b"".join(_jsonl_line(row, by_item.get(row[0], ()), image_path) for row in rows)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for rows, by_item in pages:
        for item_id, external_id, text, image, metadata, split, _ in rows:
            annotations = by_item.get(item_id, [])
            latest = annotations[-1] if annotations else None
            writer.writerow(
                [
                    item_id,
                    csv_cell(external_id),
                    csv_cell(text or ""),
                    csv_cell(image_path % item_id if image else ""),
                    split,
                    csv_cell("|".join(orjson.loads(latest[0]))) if latest else "",
                    latest[1] if latest else "",
                    len(annotations),
                    csv_cell(metadata or "{}"),
                ]
            )
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # no items at all: the header alone still makes a valid CSV file
        yield buffer.getvalue().encode("utf-8")
