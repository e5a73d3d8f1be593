"""What an export is written from: the snapshot's stored file and a few facts about it.

The job service (``labeling.services.datasets.exports``) fills ``ExportSource`` from the
snapshot row; everything here reads the stored Parquet file in batches and never the
database, so the same snapshot always gives the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from labeling.services.datasets.schema import SNAPSHOT_SCHEMA

# Rows read from the stored file at a time: bounded memory, few Python round trips. Image
# projects carry each image's bytes in the batch being written, hence far fewer rows.
BATCH_ROWS = 16_384
IMAGE_BATCH_ROWS = 256
SPLITS = ("train", "dev", "test")
_SAFE_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")

Progress = Callable[[int], None]


class ExportError(Exception):
    """The snapshot cannot be exported in this format (the message says why)."""


@dataclass(frozen=True)
class ExportSource:
    """A succeeded snapshot, as the writers need it.

    ``path``: a local copy of its stored Parquet file. ``classes``: the project's class names
    in class order (as recorded in the snapshot's manifest when it has them). ``read_image``:
    the bytes of a stored image by its storage name (image projects).
    """

    path: str
    project_id: int
    project_name: str
    number: int
    data_type: str  # "text" | "image"
    multilabel: bool
    classes: tuple[str, ...]
    manifest: dict[str, Any]
    manifest_sha256: str
    guidelines: str = ""
    image_url_template: str = ""  # "/api/v1/projects/3/items/%d/image/"
    read_image: Callable[[str], bytes] | None = field(default=None, compare=False)

    @property
    def is_image(self) -> bool:
        return self.data_type == "image"

    def open(self) -> pq.ParquetFile:
        parquet = pq.ParquetFile(self.path)
        missing = [name for name in SNAPSHOT_SCHEMA.names if name not in parquet.schema_arrow.names]
        if missing:
            raise ExportError(f"The snapshot file lacks the columns {', '.join(missing)}.")
        return parquet

    def batches(self, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The stored rows in item order, ``BATCH_ROWS`` at a time."""
        parquet = self.open()
        size = IMAGE_BATCH_ROWS if self.is_image and not columns else BATCH_ROWS
        yield from parquet.iter_batches(batch_size=size, columns=columns or SNAPSHOT_SCHEMA.names)

    @property
    def rows_total(self) -> int:
        return self.open().metadata.num_rows

    def image_bytes(self, name: str | None, *, item_id: int) -> bytes:
        if not name or self.read_image is None:
            raise ExportError(f"Item {item_id} has no stored image.")
        try:
            return self.read_image(name)
        except (FileNotFoundError, OSError) as exc:
            raise ExportError(f"The image of item {item_id} is missing from storage.") from exc


def image_file_name(item_id: int, stored_name: str | None) -> str:
    """``<item id>.<extension>``: the extension of the stored name (the server chose it from the
    format Pillow verified), never anything a person gave."""
    extension = (stored_name or "").rsplit(".", 1)[-1].lower() if "." in (stored_name or "") else ""
    return f"{item_id}.{extension if _SAFE_EXTENSION.match(extension) else 'bin'}"


def label_dictionary(source: ExportSource) -> list[str]:
    """The class names in class order, then (should the snapshot hold labels of classes that
    no longer exist) those, sorted: every label keeps a code, and the codes of the project's
    classes never move."""
    known = set(source.classes)
    extra: set[str] = set()
    for batch in source.batches(columns=["labels"]):
        values = pc.unique(batch.column(0).flatten())
        extra.update(value for value in values.to_pylist() if value not in known)
    return [*source.classes, *sorted(extra)]


def label_codes(
    labels: pa.ListArray, dictionary: pa.Array
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(codes of every label, labels per row, offset of each row's first label)``."""
    flat = labels.flatten()
    codes = pc.index_in(flat, value_set=dictionary).to_numpy(zero_copy_only=False)
    lengths = labels.value_lengths().fill_null(0).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return codes.astype(np.int32), lengths, starts


def first_label_codes(labels: pa.ListArray, dictionary: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Single-label projects: each row's code (0 where it has none) and which rows have none."""
    codes, lengths, starts = label_codes(labels, dictionary)
    empty = lengths == 0
    if len(codes) == 0:
        return np.zeros(len(labels), dtype=np.int32), empty
    first = codes[np.minimum(starts, len(codes) - 1)]
    return np.where(empty, 0, first).astype(np.int32), empty


def split_of(batch: pa.RecordBatch, split: str) -> pa.RecordBatch:
    return batch.filter(pc.equal(batch.column("split"), split))
