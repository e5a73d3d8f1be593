"""CSV and TSV files: the delimiter and the text, label and id columns worked out from the
header line (or named in the job's options); every other column becomes metadata. A file of
Tandem's own CSV exports (``external_id`` beside a provenance column) is read like its JSONL
export: split, metadata and labels kept, automatic labels skipped."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

from labeling.services.imports.readers.jsonl_reader import TANDEM_MARKS, tandem_export_row
from labeling.services.imports.readers.lines import LineReader
from labeling.services.imports.readers.rows import (
    ID_COLUMNS,
    LABEL_COLUMNS,
    TEXT_COLUMNS,
    ImportFileError,
    ParsedRow,
    clean_text,
    split_labels,
)

# Cells of Tandem's CSV exports that are lists (joined with "|") or booleans.
_TANDEM_LISTS = ("labels", "annotators")
_TANDEM_BOOLEANS = ("is_automatic", "proposal_accepted", "is_audit")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _unescaped(cell: str) -> str:
    """A cell as it was before ``core.spreadsheet.csv_cell`` put ``'`` before a formula start."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS) else cell


def is_tandem_header(columns: list[str]) -> bool:
    """Whether a CSV header is that of Tandem's own exports (project or snapshot)."""
    lowered = {c.strip().lower() for c in columns}
    return "external_id" in lowered and any(mark in lowered for mark in TANDEM_MARKS)


def _tandem_object(columns: list[str], cells: list[str]) -> dict[str, Any]:
    """A row of a Tandem CSV export as the JSON object its JSONL export would hold."""
    obj: dict[str, Any] = {}
    for name, cell in zip(columns, cells, strict=True):
        key = name.strip().lower()
        value = _unescaped(cell)
        if key in _TANDEM_LISTS:
            obj[key] = [part for part in value.split("|") if part] if value else []
        elif key in _TANDEM_BOOLEANS:
            obj[key] = value.strip().lower() == "true" if value else None
        else:
            obj[key] = value
    # The project export's CSV has no is_automatic column: its label_source says it.
    if "is_automatic" not in obj and obj.get("label_source") == "auto":
        obj["is_automatic"] = True
    return obj


# Quoted CSV fields can be long (a whole email); the csv module's default cap is 128 KB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _pick(
    columns: list[str], wanted: str | None, candidates: Iterable[str], what: str
) -> int | None:
    lowered = [c.strip().lower() for c in columns]
    if wanted:
        if wanted in columns:
            return columns.index(wanted)
        if wanted.strip().lower() in lowered:
            return lowered.index(wanted.strip().lower())
        raise ImportFileError(
            f"The {what} column {wanted!r} is not in the file; columns: {columns}."
        )
    for candidate in candidates:
        if candidate in lowered:
            return lowered.index(candidate)
    return None


# The csv.QUOTE_* values csv.reader accepts on Python 3.11.
CsvQuoting = Literal[0, 1, 2, 3]


@dataclass
class CsvLayout:
    delimiter: str
    quoting: CsvQuoting
    columns: list[str]
    text_index: int
    label_index: int | None
    id_index: int | None


def csv_layout(header_line: str, *, filename: str, options: dict[str, Any]) -> CsvLayout:
    """Work out delimiter and columns from the header line; raise ImportFileError naming the gap."""
    delimiter = options.get("delimiter") or (
        "\t"
        if filename.lower().endswith(".tsv") or header_line.count("\t") > header_line.count(",")
        else ","
    )
    # Tab-separated files in the wild (the SMS corpus among them) do not quote fields, and a
    # stray quote would otherwise swallow the lines after it.
    quoting: CsvQuoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    header = next(csv.reader([header_line], delimiter=delimiter, quoting=quoting), [])
    columns = [c.strip() or f"column_{i + 1}" for i, c in enumerate(header)]
    if not columns:
        raise ImportFileError("The file is empty: expected a header line naming the columns.")
    text_index = _pick(columns, options.get("text_column"), TEXT_COLUMNS, "text")
    if text_index is None:
        if len(columns) == 1:
            text_index = 0
        else:
            raise ImportFileError(
                f"No text column found; columns are {columns}. Name one 'text' or choose it "
                "with text_column.",
            )
    label_index = _pick(columns, options.get("label_column"), LABEL_COLUMNS, "label")
    id_index = _pick(columns, options.get("id_column"), ID_COLUMNS, "id")
    return CsvLayout(delimiter, quoting, columns, text_index, label_index, id_index)


class CsvReader:
    def __init__(self, fh: IO[bytes], *, filename: str, options: dict[str, Any], max_chars: int):
        self._lines = LineReader(fh)
        self._filename = filename
        self._options = options
        self._max_chars = max_chars

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

    def __iter__(self) -> Iterator[ParsedRow]:
        lines = iter(self._lines)
        header_line = next(lines, None)
        if header_line is None:
            raise ImportFileError("The file is empty.")
        layout = csv_layout(header_line, filename=self._filename, options=self._options)
        reader = csv.reader(lines, delimiter=layout.delimiter, quoting=layout.quoting, strict=True)
        tandem = is_tandem_header(layout.columns)
        special = {layout.text_index, layout.label_index, layout.id_index}
        metadata_columns = [(i, c) for i, c in enumerate(layout.columns) if i not in special]
        width = len(layout.columns)
        while True:
            # Physical line numbers: the header is line 1, and a quoted cell may span lines.
            consumed_before = reader.line_num
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield ParsedRow(line=consumed_before + 2, error=f"malformed CSV: {exc}")
                continue
            line = consumed_before + 2
            last_line = reader.line_num + 1
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            bad_lines = self._lines.bad_lines
            bad = bad_lines and [n for n in range(line, last_line + 1) if n in bad_lines]
            if bad:
                yield ParsedRow(line=line, error=self._lines.bad_lines[bad[0]])
                continue
            if self._lines.saw_nul:
                cells = [cell.replace("\x00", "") for cell in cells]
            if len(cells) != width:
                yield ParsedRow(line=line, error=f"expected {width} columns, found {len(cells)}")
                continue
            if tandem:
                # Tandem's own CSV export: split, metadata and labels come back as they went.
                obj = _tandem_object(layout.columns, cells)
                yield tandem_export_row(line, obj, max_chars=self._max_chars)
                continue
            text, error = clean_text(cells[layout.text_index], max_chars=self._max_chars)
            if error:
                yield ParsedRow(line=line, error=error)
                continue
            external_id = (
                cells[layout.id_index].strip() if layout.id_index is not None else None
            ) or None
            labels = (
                split_labels(cells[layout.label_index]) if layout.label_index is not None else None
            )
            metadata = {name: cells[i] for i, name in metadata_columns}
            yield ParsedRow(
                line=line, external_id=external_id, text=text, labels=labels, metadata=metadata
            )
