"""Parquet (one file per split) and the Hugging Face dataset layout, both written from the
snapshot's stored file one batch at a time, one open writer per split.

Columns of both (typed; in this order): id, external_id, text (text projects) or image
(image projects: struct<bytes, path>, the image's bytes and ``<item id>.<ext>``), split, the
label column, then the provenance columns of the stored file (label_source, resolution,
is_automatic, n_human, n_import, n_moderation, n_appeal, n_auto, annotators,
proposal_accepted, proposed_by, labeled_at, metadata (JSON text), content_hash, is_audit).

The label column:
- Parquet: ``label`` dictionary<int32, string> (single-label projects, null when unlabeled) or
  ``labels`` list<dictionary<int32, string>> (multilabel); the dictionary is every class name
  of the project in class order, so a code means the same class in every file and snapshot.
- Hugging Face: ``label`` int64 ClassLabel (-1 when unlabeled, as ``datasets`` has it) or
  ``labels`` list<int64> of ClassLabel; the features are in the schema metadata under
  ``huggingface`` so ``datasets`` reads them back as ClassLabel.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from labeling.services.datasets.formats.source import (
    SPLITS,
    ExportSource,
    Progress,
    first_label_codes,
    image_file_name,
    label_codes,
    label_dictionary,
    split_of,
)
from labeling.services.datasets.schema import SNAPSHOT_SCHEMA

PROVENANCE = [
    "label_source", "resolution", "is_automatic", "n_human", "n_import", "n_moderation",
    "n_appeal", "n_auto", "annotators", "proposal_accepted", "proposed_by", "labeled_at",
    "metadata", "content_hash", "is_audit",
]  # fmt: skip
# A row group ends after this many rows, or with the row whose text or image bytes take the
# group to this many (image projects reach the bytes first): bounded memory, and decided row by
# row, so the same rows give the same groups however they were handed over (a cut writes the
# Parquet export from its pages, a later export from the stored file's batches).
ROW_GROUP_ROWS = 32_768
ROW_GROUP_BYTES = 32 * 1024 * 1024
IMAGE_TYPE = pa.struct([pa.field("bytes", pa.binary()), pa.field("path", pa.string())])
HF_SPLIT_NAMES = {"train": "train", "dev": "validation", "test": "test"}
WRITER_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    # Level 1 and dictionaries for the columns of few distinct values only (ids, texts and
    # hashes are distinct in every row: trying a dictionary first was wasted work). Measured at
    # 1M rows: 0.8 s less to write than level 3 with every column tried, for files 2 % smaller.
    "compression_level": 1,
    "write_statistics": True,
    "use_dictionary": ["split", "label", "labels.list.element", "label_source", "resolution",
                       "annotators.list.element", "metadata"],
}  # fmt: skip


def _label_field(source: ExportSource, *, hf: bool) -> pa.Field:
    if hf:
        code: pa.DataType = pa.int64()
    else:
        code = pa.dictionary(pa.int32(), pa.string())
    if source.multilabel:
        return pa.field("labels", pa.list_(code), nullable=False)
    return pa.field("label", code, nullable=hf is False)


def output_schema(source: ExportSource, *, hf: bool, classes: list[str]) -> pa.Schema:
    stored = {field.name: field for field in SNAPSHOT_SCHEMA}
    fields = [stored["id"], stored["external_id"]]
    fields.append(pa.field("image", IMAGE_TYPE) if source.is_image else stored["text"])
    fields += [stored["split"], _label_field(source, hf=hf)]
    fields += [stored[name] for name in PROVENANCE]
    if not hf:
        return pa.schema(fields)
    # datasets keeps a feature from the metadata only where its field equals the file's,
    # nullability included, and its features are all nullable.
    fields = [field.with_nullable(True) for field in fields]
    features = hf_features(source, fields, classes)
    return pa.schema(fields, metadata={b"huggingface": json.dumps(features).encode()})


def _value_feature(data_type: pa.DataType) -> dict[str, Any]:
    if pa.types.is_list(data_type):
        return {"feature": _value_feature(data_type.value_type), "_type": "List"}
    return {
        "dtype": str(data_type) if not pa.types.is_string(data_type) else "string",
        "_type": "Value",
    }


def hf_features(source: ExportSource, fields: list[pa.Field], classes: list[str]) -> dict[str, Any]:
    """``{"info": {"features": …}}`` as ``datasets.Features.to_dict`` writes it."""
    features: dict[str, Any] = {}
    for field in fields:
        if field.name == "image":
            features["image"] = {"_type": "Image"}
        elif field.name == "label":
            features["label"] = {"names": classes, "_type": "ClassLabel"}
        elif field.name == "labels":
            features["labels"] = {
                "feature": {"names": classes, "_type": "ClassLabel"},
                "_type": "List",
            }
        else:
            features[field.name] = _value_feature(field.type)
    return {"info": {"features": features}}


class _Background:
    """Runs the row groups' writes on a thread of its own, in the order they were handed over
    (each file gets its groups in order: the same bytes as written in line), while the
    caller reads and prepares the next batches: pyarrow encodes and compresses without the GIL.
    One write at a time: a new one is handed over once the previous is done (memory stays
    within one row group more than writing in line)."""

    def __init__(self) -> None:
        self._work: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="export-write", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (work := self._work.get()) is not None:
            if self._error is None:
                try:
                    work()
                except BaseException as exc:  # raised in the caller's thread
                    self._error = exc
            del work  # its row group is not kept while the next is awaited
            self._work.task_done()

    def submit(self, work: Callable[[], None]) -> None:
        self._work.join()
        if self._error is not None:
            raise self._error
        self._work.put(work)

    def close(self, *, failed: bool = False) -> None:
        """Wait for the writes handed over; raise what they raised (unless already failing)."""
        self._work.put(None)
        self._thread.join()
        if self._error is not None and not failed:
            raise self._error


def _row_bytes(batch: pa.RecordBatch) -> np.ndarray:
    """What each row weighs in a row group: its text's or its image's bytes."""
    if "image" in batch.schema.names:
        values = batch.column("image").field("bytes")
    else:
        values = batch.column("text")
    return np.asarray(pc.fill_null(pc.binary_length(values), 0), dtype=np.int64)


class _SplitWriter:
    """One split's Parquet file, written in row groups of bounded size (by ``background``)."""

    def __init__(self, path: Path, schema: pa.Schema, background: _Background):
        self.path = path
        self.schema = schema
        self.background = background
        self.writer: pq.ParquetWriter | None = None
        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0
        self.pending_bytes = 0
        self.rows = 0

    def add(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        self.rows += batch.num_rows
        sizes = _row_bytes(batch)
        start = 0
        while start < batch.num_rows:
            room = min(ROW_GROUP_ROWS - self.pending_rows, batch.num_rows - start)
            weights = np.cumsum(sizes[start : start + room]) + self.pending_bytes
            full = np.flatnonzero(weights >= ROW_GROUP_BYTES)
            taken = int(full[0]) + 1 if len(full) else room
            self.pending.append(batch.slice(start, taken))
            self.pending_rows += taken
            self.pending_bytes = int(weights[taken - 1])
            start += taken
            if self.pending_rows >= ROW_GROUP_ROWS or self.pending_bytes >= ROW_GROUP_BYTES:
                self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, **WRITER_OPTIONS)
        writer = self.writer
        table = pa.Table.from_batches(self.pending, schema=self.schema)
        self.background.submit(
            lambda: writer.write_table(table, row_group_size=max(table.num_rows, 1))
        )
        self.pending = []
        self.pending_rows = self.pending_bytes = 0

    def close(self) -> None:
        """Close the file (after ``background`` wrote every group handed over)."""
        if self.writer is not None:
            self.writer.close()


def _image_column(source: ExportSource, batch: pa.RecordBatch) -> pa.Array:
    ids = batch.column("id").to_pylist()
    names = batch.column("image_name").to_pylist()
    payload = [
        source.image_bytes(name, item_id=item_id) for item_id, name in zip(ids, names, strict=True)
    ]
    paths = [image_file_name(item_id, name) for item_id, name in zip(ids, names, strict=True)]
    return pa.StructArray.from_arrays(
        [pa.array(payload, pa.binary()), pa.array(paths, pa.string())], fields=list(IMAGE_TYPE)
    )


def _label_column(
    source: ExportSource, batch: pa.RecordBatch, dictionary: pa.Array, *, hf: bool
) -> pa.Array:
    labels = batch.column("labels")
    if source.multilabel:
        codes, lengths, _ = label_codes(labels, dictionary)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
        if hf:
            values: pa.Array = pa.array(codes.astype(np.int64))
        else:
            values = pa.DictionaryArray.from_arrays(pa.array(codes), dictionary)
        return pa.ListArray.from_arrays(offsets, values)
    first, empty = first_label_codes(labels, dictionary)
    if hf:
        return pa.array(np.where(empty, -1, first).astype(np.int64))
    return pa.DictionaryArray.from_arrays(pa.array(first, mask=empty), dictionary)


def _output_batch(
    source: ExportSource,
    batch: pa.RecordBatch,
    schema: pa.Schema,
    dictionary: pa.Array,
    *,
    hf: bool,
) -> pa.RecordBatch:
    columns: list[pa.Array] = []
    for field in schema:
        if field.name == "image":
            columns.append(_image_column(source, batch))
        elif field.name in ("label", "labels"):
            columns.append(_label_column(source, batch, dictionary, hf=hf))
        else:
            columns.append(batch.column(field.name))
    return pa.RecordBatch.from_arrays(columns, schema=schema)


class SplitFiles:
    """One Parquet file per split that has rows (``path_for(split)`` says where), fed the
    stored rows in item order, any number at a time (``add``); ``close`` returns rows per split
    (Tandem's split names). The same rows give the same bytes however they were batched."""

    def __init__(
        self,
        source: ExportSource,
        *,
        hf: bool,
        classes: list[str],
        path_for: Callable[[str], Path],
    ):
        self.source = source
        self.hf = hf
        self.path_for = path_for
        self.dictionary = pa.array(classes, pa.string())
        self.schema = output_schema(source, hf=hf, classes=classes)
        self.writers: dict[str, _SplitWriter] = {}
        # One writing thread for every split's file (a thread per file was faster, but its
        # peak RSS passed 500 MB at 1,000,000 rows): written while the next rows are read.
        self.background = _Background()
        self.closed = False

    def add(self, batch: pa.RecordBatch) -> None:
        for split in SPLITS:
            part = split_of(batch, split)
            if part.num_rows == 0:
                continue
            if split not in self.writers:
                self.writers[split] = _SplitWriter(
                    self.path_for(split), self.schema, self.background
                )
            output = _output_batch(self.source, part, self.schema, self.dictionary, hf=self.hf)
            self.writers[split].add(output)

    def close(self, *, failed: bool = False) -> dict[str, int]:
        """Write what is pending and close the files (``failed``: only stop the writing
        thread and close them, raising nothing of its own)."""
        if self.closed:
            return {}
        self.closed = True
        try:
            if not failed:
                try:
                    for writer in self.writers.values():
                        writer.flush()
                except BaseException:
                    self.background.close(failed=True)
                    raise
            self.background.close(failed=failed)
        finally:
            for writer in self.writers.values():
                writer.close()
        return {split: self.writers[split].rows for split in SPLITS if split in self.writers}


def write_split_files(
    source: ExportSource,
    *,
    hf: bool,
    path_for: Callable[[str], Path],
    progress: Progress,
) -> dict[str, int]:
    """Write one Parquet file per split that has rows from the stored file; returns rows per
    split (Tandem's split names)."""
    files = SplitFiles(source, hf=hf, classes=label_dictionary(source), path_for=path_for)
    done = 0
    try:
        for batch in source.batches():
            files.add(batch)
            done += batch.num_rows
            progress(done)
    except BaseException:
        files.close(failed=True)
        raise
    return files.close()


def parquet_file_name(split: str) -> str:
    """A split's file in the Parquet export."""
    return f"{split}.parquet"


def write_parquet(source: ExportSource, staging: Any, progress: Progress) -> dict[str, Any]:
    rows = write_split_files(
        source,
        hf=False,
        path_for=lambda split: staging.path(parquet_file_name(split)),
        progress=progress,
    )
    return {"splits": rows}
