"""The audit log as a file: CSV or JSON Lines, streamed in keyset pages.

Memory stays flat however long the log: events are read ``PAGE_SIZE`` at a time, newest
first, each page starting after the last event of the one before (by time, then id), so no
page re-reads or skips rows and nothing is held between pages.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

import orjson
from django.db.models import Q, QuerySet

from core.choices import AuditExportFormat
from core.models import AuditEvent
from core.spreadsheet import csv_cell

PAGE_SIZE = 2000
COLUMNS = [
    "id",
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "scope",
    "request_id",
    "before",
    "after",
]


def _pages(events: QuerySet[AuditEvent]) -> Iterator[list[tuple[Any, ...]]]:
    rows = events.order_by("-created_at", "-id").values_list(*COLUMNS)
    page = list(rows[:PAGE_SIZE])
    while page:
        yield page
        if len(page) < PAGE_SIZE:
            return
        last_id, last_at = page[-1][0], page[-1][1]
        page = list(
            rows.filter(Q(created_at__lt=last_at) | Q(created_at=last_at, id__lt=last_id))[
                :PAGE_SIZE
            ]
        )


def _jsonl(row: tuple[Any, ...]) -> bytes:
    record = dict(zip(COLUMNS, row, strict=True))
    record["created_at"] = record["created_at"].isoformat()
    return orjson.dumps(record) + b"\n"


def _csv_row(row: tuple[Any, ...]) -> list[Any]:
    record = dict(zip(COLUMNS, row, strict=True))
    json_cells = {
        key: "" if record[key] is None else orjson.dumps(record[key]).decode()
        for key in ("before", "after")
    }
    return [
        record["id"],
        record["created_at"].isoformat(),
        "" if record["actor_id"] is None else record["actor_id"],
        *(
            csv_cell(json_cells.get(key, record[key]))
            for key in COLUMNS[3:]  # every text column, people's values among them
        ),
    ]


def audit_export_stream(*, events: QuerySet[AuditEvent], fmt: str) -> Iterator[bytes]:
    """Yield ``events`` (already limited to what the reader may see and filtered) as a file,
    one chunk per page: JSONL one event per line with ``before`` / ``after`` as JSON; CSV
    with a header, ``before`` / ``after`` as JSON text, and every text cell that a spreadsheet
    would run as a formula started with ``'`` (``csv_cell``)."""
    if fmt == AuditExportFormat.JSONL:
        for page in _pages(events):
            yield b"".join(_jsonl(row) for row in page)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for page in _pages(events):
        writer.writerows(_csv_row(row) for row in page)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # no events: the header alone is still a valid CSV file
        yield buffer.getvalue().encode("utf-8")
