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
from collections.abc import Iterator
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


def _image_urls(batch: pa.RecordBatch, template: str) -> pa.Array:
    """The API path of each row's image (``template`` with ``%d`` for the item id), null for
    rows without one: built by pyarrow, not row by row."""
    names = batch.column("image_name")
    if not template or names.null_count == len(names):
        return pa.nulls(len(names), pa.string())
    prefix, _, suffix = template.partition("%d")
    ids = batch.column("id").cast(pa.string())
    urls = pc.binary_join_element_wise(prefix, ids, suffix, "")
    return pc.if_else(pc.is_valid(names), urls, pa.scalar(None, pa.string()))


def _prepared(batch: pa.RecordBatch, image_url: str) -> pa.RecordBatch:
    """The batch with exactly ``COLUMNS``, in their order: ``image`` (the API path) instead of
    ``image_name``, ``labeled_at`` as ISO 8601 text in UTC (microseconds always and "+00:00"
    always: the same instant is always the same text; ``%S`` of a microsecond timestamp
    carries the fraction)."""
    arrays = []
    for name in COLUMNS:
        if name == "image":
            arrays.append(_image_urls(batch, image_url))
        elif name == "labeled_at":
            arrays.append(pc.strftime(batch.column(name), format="%Y-%m-%dT%H:%M:%S+00:00"))
        else:
            arrays.append(batch.column(name))
    return pa.RecordBatch.from_arrays(arrays, names=COLUMNS)


def _records(source: ExportSource, progress: Progress) -> Iterator[dict[str, Any]]:
    """Each row as a dict with the keys of ``COLUMNS`` in order (pyarrow builds the dicts)."""
    done = 0
    for batch in source.batches():
        yield from _prepared(batch, source.image_url_template).to_pylist()
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
