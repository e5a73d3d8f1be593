"""JSON Lines files: one JSON object per line; its text, label and id keys are recognised (or
named in the job's options), every other key becomes metadata."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

import orjson

from core.limits import json_depth_exceeds
from labeling.services.imports.readers.lines import LineReader
from labeling.services.imports.readers.rows import (
    ID_COLUMNS,
    LABEL_COLUMNS,
    TEXT_COLUMNS,
    ParsedRow,
    clean_text,
    split_labels,
    without_nul,
)


class JsonlReader:
    def __init__(
        self, fh: IO[bytes], *, options: dict[str, Any], max_chars: int, max_depth: int = 32
    ):
        self._lines = LineReader(fh)
        self._options = options
        self._max_chars = max_chars
        self._max_depth = max_depth

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

    def _key(
        self, obj: dict[str, Any], wanted: str | None, candidates: Iterable[str]
    ) -> str | None:
        if wanted:
            return wanted if wanted in obj else None
        lowered = {k.lower(): k for k in obj}
        for candidate in candidates:
            if candidate in lowered:
                return lowered[candidate]
        return None

    def __iter__(self) -> Iterator[ParsedRow]:
        for text_line in self._lines:
            line = self._lines.line_no
            if not text_line.strip():
                continue
            if line in self._lines.bad_lines:
                yield ParsedRow(line=line, error=self._lines.bad_lines[line])
                continue
            try:
                obj = orjson.loads(text_line)
            except orjson.JSONDecodeError as exc:
                yield ParsedRow(line=line, error=f"invalid JSON: {exc}")
                continue
            if not isinstance(obj, dict):
                yield ParsedRow(line=line, error="each line must be a JSON object")
                continue
            if json_depth_exceeds(obj, self._max_depth):
                # The row's metadata would reach the database and every reader of it.
                yield ParsedRow(line=line, error=f"nested more than {self._max_depth} levels deep")
                continue
            if "\\u0000" in text_line:
                obj = without_nul(obj)
            text_key = self._key(obj, self._options.get("text_column"), TEXT_COLUMNS)
            if text_key is None:
                yield ParsedRow(line=line, error="no text field (expected 'text')")
                continue
            text, error = clean_text(obj[text_key], max_chars=self._max_chars)
            if error:
                yield ParsedRow(line=line, error=error)
                continue
            label_key = self._key(obj, self._options.get("label_column"), LABEL_COLUMNS)
            id_key = self._key(obj, self._options.get("id_column"), ID_COLUMNS)
            external_id = obj.get(id_key) if id_key else None
            metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
            for key, value in obj.items():
                if key not in {text_key, label_key, id_key, "metadata"}:
                    metadata[key] = value
            yield ParsedRow(
                line=line,
                external_id=str(external_id).strip() or None if external_id is not None else None,
                text=text,
                labels=split_labels(obj.get(label_key)) if label_key else None,
                metadata=metadata,
            )
