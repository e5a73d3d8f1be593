"""JSON Lines files: one JSON object per line; its text, label and id keys are recognised (or
named in the job's options), a ``split`` key (train, dev/validation, test) sets the item's
split, every other key becomes metadata.

Lines of Tandem's own exports (they carry ``external_id`` and ``content_hash``) are read as
such: the project export's ``annotations`` become one imported annotation per person (auto
labels are skipped and counted), a snapshot export's ``labels`` one imported annotation (rows
marked ``is_automatic`` skipped and counted), and ``metadata`` is the item's metadata while the
provenance columns (counts, annotators, label source…) are left out.
"""

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
    parse_split,
    pseudonym,
    split_labels,
    without_nul,
)

# Keys of Tandem's project and snapshot exports that are provenance, not the item's metadata.
TANDEM_KEYS = {
    "id", "external_id", "text", "image", "image_name", "split", "labels", "label",
    "annotations", "label_source", "resolution", "is_automatic", "n_human", "n_import",
    "n_moderation", "n_appeal", "n_auto", "annotators", "proposal_accepted", "proposed_by",
    "labeled_at", "metadata", "content_hash", "is_audit", "annotation_count",
}  # fmt: skip


# Columns only Tandem's exports write: one of them beside ``external_id`` marks a Tandem file.
TANDEM_MARKS = ("content_hash", "label_source", "resolution", "n_human", "is_automatic")


def is_tandem_line(obj: Any) -> bool:
    """Whether a JSON Lines object is a line of Tandem's own JSONL exports."""
    return (
        isinstance(obj, dict)
        and "external_id" in obj
        and any(mark in obj for mark in TANDEM_MARKS)
        and ("annotations" in obj or "labels" in obj or "label" in obj)
    )


def _tandem_annotations(row: ParsedRow, obj: dict[str, Any]) -> str | None:
    """Fill the row's annotations from a Tandem export line; returns an error message."""
    annotations = obj.get("annotations")
    if annotations is not None:
        if not isinstance(annotations, list):
            return "annotations is not a list"
        by_person: dict[str, list[str]] = {}
        for number, annotation in enumerate(annotations, start=1):
            if not isinstance(annotation, dict):
                return f"annotation {number} is not an object"
            labels = annotation.get("labels")
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                return f"annotation {number}: labels is not a list of strings"
            source = annotation.get("source")
            if source == "auto":
                # Automatic labels are never mixed with people's labels.
                row.skipped.append("auto label")
                continue
            if not labels:
                continue
            who = annotation.get("annotator")
            person = pseudonym("tandem", who) if who else f"tandem-{str(source)[:20]}"
            if person in by_person:
                row.skipped.append("earlier annotation by the same person")
            by_person[person] = labels
        row.annotations = list(by_person.items())
        return None
    labels = obj.get("labels", obj.get("label"))
    if labels is None or labels == []:
        return None
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        return "labels is not a list of strings"
    if obj.get("is_automatic") is True:
        row.skipped.append("automatic label")
        return None
    row.annotations = [("", [x.strip() for x in labels if x.strip()])]
    return None


def json_line_objects(
    lines: LineReader, *, max_depth: int
) -> Iterator[tuple[int, dict[str, Any]] | ParsedRow]:
    """``(line number, object)`` for each line of a JSON Lines file holding a JSON object, and
    a ParsedRow with the error for a line that does not (blank lines are passed over)."""
    for text_line in lines:
        line = lines.line_no
        if not text_line.strip():
            continue
        if line in lines.bad_lines:
            yield ParsedRow(line=line, error=lines.bad_lines[line])
            continue
        try:
            obj = orjson.loads(text_line)
        except orjson.JSONDecodeError as exc:
            yield ParsedRow(line=line, error=f"invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield ParsedRow(line=line, error="each line must be a JSON object")
            continue
        if json_depth_exceeds(obj, max_depth):
            # The row's metadata would reach the database and every reader of it.
            yield ParsedRow(line=line, error=f"nested more than {max_depth} levels deep")
            continue
        if "\\u0000" in text_line:
            obj = without_nul(obj)
        yield line, obj


def tandem_export_row(
    line: int, obj: dict[str, Any], *, max_chars: int, max_depth: int = 32
) -> ParsedRow:
    """A row of Tandem's own exports (a JSONL line, or a CSV row read into a dict): the item
    with its split and metadata, and its labels as imported annotations (automatic ones are
    skipped and counted, never imported as people's)."""
    text, error = clean_text(obj.get("text"), max_chars=max_chars)
    if error:
        if obj.get("image") or obj.get("image_name"):
            error = "an image item: this export does not carry image files"
        return ParsedRow(line=line, error=error)
    split, error = parse_split(obj.get("split"))
    if error:
        return ParsedRow(line=line, error=error)
    metadata = obj.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = orjson.loads(metadata)
        except orjson.JSONDecodeError:
            return ParsedRow(line=line, error="metadata is not a JSON object")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        return ParsedRow(line=line, error="metadata is not a JSON object")
    if json_depth_exceeds(metadata, max_depth):
        return ParsedRow(line=line, error=f"nested more than {max_depth} levels deep")
    for key, value in obj.items():
        if key not in TANDEM_KEYS:
            metadata[key] = value
    external_id = obj.get("external_id")
    row = ParsedRow(
        line=line,
        external_id=str(external_id).strip() or None if external_id is not None else None,
        text=text,
        metadata=metadata,
        split=split,
        skipped=[],
    )
    error = _tandem_annotations(row, obj)
    if error:
        return ParsedRow(line=line, error=error)
    return row


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
        for entry in json_line_objects(self._lines, max_depth=self._max_depth):
            if isinstance(entry, ParsedRow):
                yield entry
                continue
            line, obj = entry
            if is_tandem_line(obj):
                yield self._tandem_row(line, obj)
                continue
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
            split, error = parse_split(obj.get("split"))
            if error:
                yield ParsedRow(line=line, error=error)
                continue
            metadata: dict[str, Any] = (
                obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
            )
            for key, value in obj.items():
                if key not in {text_key, label_key, id_key, "metadata", "split"}:
                    metadata[key] = value
            yield ParsedRow(
                line=line,
                external_id=str(external_id).strip() or None if external_id is not None else None,
                text=text,
                labels=split_labels(obj.get(label_key)) if label_key else None,
                metadata=metadata,
                split=split,
            )

    def _tandem_row(self, line: int, obj: dict[str, Any]) -> ParsedRow:
        return tandem_export_row(line, obj, max_chars=self._max_chars, max_depth=self._max_depth)
