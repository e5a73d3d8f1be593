"""JSON Lines and CSV: one row per item, today's export columns plus provenance.

Columns (both formats, in this order): id, external_id, text, image, split, labels,
label_source, resolution, is_automatic, n_human, n_import, n_moderation, n_appeal, n_auto,
annotators, proposal_accepted, proposed_by, labeled_at, metadata, content_hash, is_audit.
``image`` is the API path that serves the item's image to a member (storage names are
private), null for text items. JSONL keeps every value as it is (``labels`` and
``annotators`` as lists, ``metadata`` as an object); CSV joins lists with ``|``, writes
``metadata`` as its JSON text and starts every text cell a spreadsheet would run as a formula
with ``'`` (``core.spreadsheet.csv_cell``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from core.spreadsheet import csv_cell
from labeling.services.datasets.formats.source import ExportSource, Progress

COLUMNS = [
    "id", "external_id", "text", "image", "split", "labels", "label_source", "resolution",
    "is_automatic", "n_human", "n_import", "n_moderation", "n_appeal", "n_auto", "annotators",
    "proposal_accepted", "proposed_by", "labeled_at", "metadata", "content_hash", "is_audit",
]  # fmt: skip
_PASS_THROUGH = [
    "split", "labels", "label_source", "resolution", "is_automatic", "n_human", "n_import",
    "n_moderation", "n_appeal", "n_auto", "annotators", "proposal_accepted", "proposed_by",
]  # fmt: skip


def _timestamps(column: pa.Array) -> list[str | None]:
    """ISO 8601 in UTC, microseconds always and "+00:00" always (the same instant is always
    the same text), formatted by pyarrow (``%S`` of a microsecond timestamp carries the
    fraction)."""
    return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S+00:00").to_pylist()


def _records(source: ExportSource, progress: Progress):
    image_url = source.image_url_template
    done = 0
    for batch in source.batches():
        columns = {
            name: batch.column(name).to_pylist()
            for name in batch.schema.names
            if name != "labeled_at"
        }
        labeled_at = _timestamps(batch.column("labeled_at"))
        for index, item_id in enumerate(columns["id"]):
            record: dict[str, Any] = {
                "id": item_id,
                "external_id": columns["external_id"][index],
                "text": columns["text"][index],
                "image": (image_url % item_id) if columns["image_name"][index] else None,
            }
            for name in _PASS_THROUGH:
                record[name] = columns[name][index]
            record["labeled_at"] = labeled_at[index]
            record["metadata"] = columns["metadata"][index]
            record["content_hash"] = columns["content_hash"][index]
            record["is_audit"] = columns["is_audit"][index]
            yield record
        done += batch.num_rows
        progress(done)


def write_jsonl(source: ExportSource, target: Path, progress: Progress) -> None:
    with target.open("wb") as out:
        lines: list[bytes] = []
        for record in _records(source, progress):
            # metadata is JSON text with sorted keys already: embedded as it is.
            record["metadata"] = orjson.Fragment(record["metadata"] or "{}")
            lines.append(orjson.dumps(record))
            if len(lines) >= 4096:
                out.write(b"\n".join(lines) + b"\n")
                lines.clear()
        if lines:
            out.write(b"\n".join(lines) + b"\n")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return csv_cell("|".join(value))
    if isinstance(value, str):
        return csv_cell(value)
    return value


def write_csv(source: ExportSource, target: Path, progress: Progress) -> None:
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for record in _records(source, progress):
            writer.writerow([_csv_value(record[name]) for name in COLUMNS])
