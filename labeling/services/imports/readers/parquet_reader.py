"""Parquet files: Hugging Face datasets, Tandem's own snapshot exports, and zips of split files.

Read row group by row group (``ParquetFile.iter_batches``): memory holds one batch.

- text: ``text_column`` or a usual text column; id: ``id_column`` or ``external_id``/``id``…;
- label: ``label_column`` or ``label``/``labels``. Integers are a Hugging Face ``ClassLabel``:
  their names come from the file's ``huggingface`` schema metadata (-1 means no label); strings,
  dictionary columns and lists of either are label names;
- split: a ``split`` column, else the file's name (``train``, ``dev``/``validation``/``valid``,
  ``test``), else Tandem's stable split;
- metadata: a ``metadata`` column of JSON text (Tandem's exports) and every other column,
  except the provenance columns of a Tandem snapshot (counts, annotators, label source…).
  Rows marked ``is_automatic`` keep their item but not their label (skipped and counted).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO, Any

import orjson

from labeling.services.imports.readers.jsonl_reader import TANDEM_KEYS, TANDEM_MARKS
from labeling.services.imports.readers.rows import (
    ID_COLUMNS,
    LABEL_COLUMNS,
    TEXT_COLUMNS,
    ImportFileError,
    ParsedRow,
    clean_text,
    parse_split,
    without_nul,
)

_BATCH_ROWS = 5000
_SPLIT_WORDS = ("train", "validation", "valid", "dev", "test")


def parquet_check(fh: IO[bytes]) -> None:
    """Refuse a file that is not a whole Parquet file (magic at both ends, a readable footer)
    before it is queued."""
    import pyarrow.parquet as pq

    fh.seek(0)
    head = fh.read(4)
    fh.seek(-4, 2)
    tail = fh.read(4)
    fh.seek(0)
    if head != b"PAR1":
        raise ImportFileError("This is not a Parquet file (it does not start with PAR1).")
    if tail != b"PAR1":
        raise ImportFileError("The Parquet file is truncated: its footer is missing.")
    try:
        pq.read_metadata(fh)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError… for a damaged footer
        raise ImportFileError(f"The Parquet file cannot be read: {exc}") from exc
    finally:
        fh.seek(0)


def split_from_name(name: str) -> str | None:
    stem = PurePosixPath(name).name.lower()
    for word in _SPLIT_WORDS:
        if stem.startswith(word) or f"-{word}" in stem or f"_{word}" in stem or f"/{word}" in name:
            return parse_split(word)[0]
    return None


def _class_names(metadata: dict[bytes, bytes] | None, column: str) -> list[str] | None:
    """ClassLabel names of ``column`` (or of the items of a list column) from the file's
    Hugging Face features."""
    if not metadata or b"huggingface" not in metadata:
        return None
    try:
        info = orjson.loads(metadata[b"huggingface"])
        feature = info["info"]["features"][column]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None
    while isinstance(feature, dict):
        names = feature.get("names")
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            return names
        feature = feature.get("feature")
    return None


def _jsonable(value: Any) -> Any:
    """A Parquet value as JSON metadata can hold it."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return str(value) if isinstance(value, datetime.timedelta) else value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


class ParquetReader:
    def __init__(
        self,
        path: str,
        *,
        filename: str,
        options: dict[str, Any],
        max_chars: int,
    ):
        self._path = path
        self._filename = filename
        self._options = options
        self._max_chars = max_chars
        self.bytes_read = 0
        self._line = 0

    def __iter__(self) -> Iterator[ParsedRow]:
        if zipfile.is_zipfile(self._path):
            yield from self._zip()
            return
        with open(self._path, "rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(0)
            yield from self._file(fh, name=self._filename, size=size, done=0)

    def _zip(self) -> Iterator[ParsedRow]:
        with zipfile.ZipFile(self._path) as archive:
            members = sorted(
                (i for i in archive.infolist() if i.filename.lower().endswith(".parquet")),
                key=lambda i: i.filename,
            )
            if not members:
                raise ImportFileError("The zip holds no .parquet file.")
            done = 0
            for info in members:
                with archive.open(info) as member:
                    yield from self._file(
                        member, name=info.filename, size=info.compress_size, done=done
                    )
                done += info.compress_size

    def _column(
        self, names: list[str], wanted: str | None, candidates: tuple[str, ...]
    ) -> str | None:
        if wanted:
            if wanted not in names:
                raise ImportFileError(
                    f"The column {wanted!r} is not in the file; columns: {names}."
                )
            return wanted
        lowered = {n.lower(): n for n in names}
        return next((lowered[c] for c in candidates if c in lowered), None)

    def _file(self, fh: IO[bytes], *, name: str, size: int, done: int) -> Iterator[ParsedRow]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(fh)
        except Exception as exc:
            raise ImportFileError(f"{name}: not a readable Parquet file ({exc}).") from exc
        schema = parquet.schema_arrow
        names = list(schema.names)
        text_col = self._column(names, self._options.get("text_column"), TEXT_COLUMNS)
        if text_col is None:
            raise ImportFileError(f"{name}: no text column (expected 'text'); columns: {names}.")
        label_col = self._column(names, self._options.get("label_column"), LABEL_COLUMNS)
        id_col = self._column(names, self._options.get("id_column"), ID_COLUMNS)
        tandem = "external_id" in names and any(mark in names for mark in TANDEM_MARKS)
        class_names = _class_names(schema.metadata, label_col) if label_col else None
        if label_col is not None and class_names is None:
            kind = schema.field(label_col).type
            inner = (
                kind.value_type if pa.types.is_list(kind) or pa.types.is_large_list(kind) else kind
            )
            if pa.types.is_integer(inner):
                raise ImportFileError(
                    f"{name}: the {label_col!r} column holds numbers but the file names no "
                    "classes (no Hugging Face ClassLabel in its metadata)."
                )
        file_split = split_from_name(name)
        skip = {text_col, label_col, id_col, "split", "metadata"}
        if tandem:
            skip |= TANDEM_KEYS
        rows_total = max(parquet.metadata.num_rows, 1)
        rows_done = 0
        try:
            for batch in parquet.iter_batches(batch_size=_BATCH_ROWS):
                columns = {n: batch.column(n).to_pylist() for n in batch.schema.names}
                for index in range(batch.num_rows):
                    self._line += 1
                    yield self._row(
                        {n: values[index] for n, values in columns.items()},
                        text_col=text_col,
                        label_col=label_col,
                        id_col=id_col,
                        class_names=class_names,
                        file_split=file_split,
                        skip=skip,
                    )
                rows_done += batch.num_rows
                self.bytes_read = done + size * rows_done // rows_total
        except (OSError, pa.ArrowException) as exc:
            raise ImportFileError(
                f"{name}: the Parquet file is damaged after its first {rows_done:,} rows ({exc})."
            ) from exc

    def _row(
        self,
        values: dict[str, Any],
        *,
        text_col: str,
        label_col: str | None,
        id_col: str | None,
        class_names: list[str] | None,
        file_split: str | None,
        skip: set[str | None],
    ) -> ParsedRow:
        line = self._line
        text, error = clean_text(values[text_col], max_chars=self._max_chars)
        if error:
            return ParsedRow(line=line, error=error)
        split, error = parse_split(values.get("split"))
        if error:
            return ParsedRow(line=line, error=error)
        metadata: Any = values.get("metadata")
        if isinstance(metadata, str):
            try:
                metadata = orjson.loads(metadata)
            except orjson.JSONDecodeError:
                return ParsedRow(line=line, error="metadata is not JSON")
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            return ParsedRow(line=line, error="metadata is not a JSON object")
        for key, value in values.items():
            if key not in skip:
                metadata[key] = _jsonable(value)
        external_id = values.get(id_col) if id_col else None
        row = ParsedRow(
            line=line,
            text=text.replace("\x00", "") if text else text,
            external_id=str(external_id).strip() or None if external_id is not None else None,
            metadata=without_nul(metadata),
            split=split or file_split,
            skipped=[],
        )
        if label_col is None:
            return row
        raw = values.get(label_col)
        labels: list[str] = []
        for value in raw if isinstance(raw, list) else [raw]:
            if value is None or value == -1:
                continue
            if isinstance(value, bool) or not isinstance(value, int | str):
                return ParsedRow(
                    line=line, error=f"{label_col} is not a label name or class number"
                )
            if isinstance(value, int):
                if class_names is None or not 0 <= value < len(class_names):
                    return ParsedRow(line=line, error=f"class number {value} is not a ClassLabel")
                value = class_names[value]
            if value.strip():
                labels.append(value.strip())
        if labels and values.get("is_automatic") is True:
            row.skipped.append("automatic label")
        elif labels:
            row.annotations = [("", labels)]
        return row
