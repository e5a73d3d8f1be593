"""Streaming readers for import files. Pure Python: no models, no database.

Each reader yields ``ParsedRow`` objects one at a time and keeps ``bytes_read`` current, so the
caller can report progress and memory stays flat whatever the file size.
"""

from __future__ import annotations

import codecs
import copy
import csv
import hashlib
import io
import stat
import sys
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any, Literal

import orjson

from core.limits import json_depth_exceeds

TEXT_COLUMNS = ("text", "content", "body", "message", "sms", "tweet", "sentence", "document")
LABEL_COLUMNS = ("label", "labels")
ID_COLUMNS = ("external_id", "id", "item_id", "uid")
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"}
ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP"}
MULTILABEL_SEPARATOR = "|"

# Quoted CSV fields can be long (a whole email); the csv module's default cap is 128 KB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong encoding, no text column, not a zip…)."""


@dataclass(slots=True)
class ParsedRow:
    line: int
    external_id: str | None = None
    text: str | None = None
    labels: list[str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    image_bytes: bytes | None = None
    # The zip folder an image sits in: its label when a label class has that name.
    folder: str | None = None
    error: str | None = None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_text(value: Any, *, max_chars: int) -> tuple[str | None, str | None]:
    """Return (text, error). Text keeps its inner whitespace; NUL characters are dropped."""
    if value is None:
        return None, "no text"
    if not isinstance(value, str):
        value = str(value)
    value = value.replace("\x00", "")
    if not value.strip():
        return None, "empty text"
    if len(value) > max_chars:
        return None, f"text is {len(value):,} characters; the limit is {max_chars:,}"
    return value, None


def without_nul(value: Any) -> Any:
    """The value with NUL characters dropped from every string in it.

    PostgreSQL text and jsonb cannot store NUL, so one stray NUL would fail a whole batch.
    """
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


def split_labels(value: Any) -> list[str] | None:
    """Labels from a cell or JSON value: a list, or a string with ``|`` between labels."""
    if value is None:
        return None
    if isinstance(value, str) and MULTILABEL_SEPARATOR not in value:
        value = value.strip()
        return [value] if value else None
    if isinstance(value, list):
        labels = [str(v).strip() for v in value]
    else:
        labels = [part.strip() for part in str(value).split(MULTILABEL_SEPARATOR)]
    labels = [label for label in labels if label]
    return labels or None


class LineReader:
    """Iterates a binary file as decoded lines; lines that are not UTF-8 are remembered."""

    def __init__(self, fh: IO[bytes]):
        self._fh = fh
        self.bytes_read = 0
        self.line_no = 0
        self.bad_lines: dict[int, str] = {}
        # Set once any line holds a NUL byte, so readers only clean values when there is need.
        self.saw_nul = False

    def __iter__(self) -> Iterator[str]:
        first = True
        for raw in self._fh:
            self.bytes_read += len(raw)
            self.line_no += 1
            if b"\x00" in raw:
                self.saw_nul = True
            if first:
                first = False
                if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise ImportFileError(
                        "The file is UTF-16 text; save it as UTF-8 and import it again."
                    )
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if self.line_no == 1:
                    raise ImportFileError(
                        f"The file is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line 1); "
                        "save it as UTF-8 and import it again."
                    ) from exc
                self.bad_lines[self.line_no] = (
                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
                )
                yield raw.decode("utf-8", errors="replace")


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


def read_header_line(fh: IO[bytes]) -> str:
    """The first line of a text file, decoded, for validating an upload before it is queued."""
    reader = LineReader(fh)
    for line in reader:
        return line
    raise ImportFileError("The file is empty.")


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


class PlainTextReader:
    def __init__(self, fh: IO[bytes], *, max_chars: int):
        self._lines = LineReader(fh)
        self._max_chars = max_chars

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

    def __iter__(self) -> Iterator[ParsedRow]:
        for text_line in self._lines:
            line = self._lines.line_no
            value = text_line.rstrip("\r\n")
            if not value.strip():
                continue
            if line in self._lines.bad_lines:
                yield ParsedRow(line=line, error=self._lines.bad_lines[line])
                continue
            text, error = clean_text(value, max_chars=self._max_chars)
            yield ParsedRow(line=line, text=text, error=error)


def _unsafe_member_reason(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symbolic links are not allowed in an import zip"
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        return "path leaves the archive (absolute or '..'); nothing was written"
    return None


@dataclass(frozen=True)
class ZipSummary:
    """What a zip's central directory declares (headers: to be checked while reading)."""

    entries: int
    total_bytes: int


def zip_summary(fh: IO[bytes]) -> ZipSummary:
    """Entry count and declared uncompressed bytes, read from the central directory only.

    Raises ImportFileError when the file is not a readable zip.
    """
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(f"The zip file cannot be read: {exc}") from exc
    return ZipSummary(entries=len(infos), total_bytes=sum(info.file_size for info in infos))


def _entry_reading_past_header(info: zipfile.ZipInfo, max_bytes: int) -> zipfile.ZipInfo:
    """A copy of ``info`` that lets zipfile decompress up to ``max_bytes + 1`` bytes whatever
    size the header declares: zipfile otherwise stops at the declared size, and an entry that
    lies about it would only show as a CRC error. Two bytes of room past the cap keep zipfile
    from taking the cap for the entry's end (and checking the CRC of a partial read)."""
    widened = copy.copy(info)
    widened.file_size = max_bytes + 2
    return widened


class ImageReader:
    """Images from a zip (folders may name label classes) or a single image file.

    Entry names are only used as external ids: files are stored under their content hash,
    so no name in an archive ever becomes a path on disk.

    A zip is held to ``max_entries`` entries and ``max_total_bytes`` uncompressed bytes,
    counted in bytes actually decompressed (the upload was checked against the central
    directory; this catches a file whose headers lie). An entry whose real size differs from
    its header stops the import: nothing else in that archive can be trusted.
    """

    def __init__(
        self,
        path: str,
        *,
        filename: str,
        max_bytes: int,
        max_entries: int | None = None,
        max_total_bytes: int | None = None,
    ):
        self._path = path
        self._filename = filename
        self._max_bytes = max_bytes
        self._max_entries = max_entries
        self._max_total_bytes = max_total_bytes
        self.bytes_read = 0
        self.bytes_decompressed = 0

    def __iter__(self) -> Iterator[ParsedRow]:
        if not zipfile.is_zipfile(self._path):
            with open(self._path, "rb") as fh:
                data = fh.read(self._max_bytes + 1)
            self.bytes_read = len(data)
            if len(data) > self._max_bytes:
                yield ParsedRow(line=1, error=f"image is larger than {self._max_bytes:,} bytes")
                return
            yield ParsedRow(line=1, external_id=self._filename, image_bytes=data)
            return
        try:
            archive = zipfile.ZipFile(self._path)
        except zipfile.BadZipFile as exc:
            raise ImportFileError(f"The zip file cannot be read: {exc}") from exc
        with archive:
            infos = archive.infolist()
            if self._max_entries is not None and len(infos) > self._max_entries:
                raise ImportFileError(
                    f"The zip has {len(infos):,} entries; the limit is {self._max_entries:,}."
                )
            for index, info in enumerate(infos, start=1):
                self.bytes_read += info.compress_size
                if info.is_dir():
                    continue
                name = info.filename.replace("\\", "/")
                if PurePosixPath(name).name.startswith(".") or name.startswith("__MACOSX/"):
                    continue
                reason = _unsafe_member_reason(info)
                if reason:
                    yield ParsedRow(line=index, external_id=name, error=f"{name}: {reason}")
                    continue
                if PurePosixPath(name).suffix.lower() not in IMAGE_EXTENSIONS:
                    yield ParsedRow(line=index, error=f"{name}: not an image file name")
                    continue
                if info.file_size > self._max_bytes:
                    yield ParsedRow(
                        line=index, error=f"{name}: larger than {self._max_bytes:,} bytes"
                    )
                    continue
                try:
                    with archive.open(_entry_reading_past_header(info, self._max_bytes)) as member:
                        # Never trust the size in the header: read at most one byte past the limit.
                        data = member.read(self._max_bytes + 1)
                except (
                    zipfile.BadZipFile,
                    zlib.error,
                    EOFError,
                    NotImplementedError,
                    RuntimeError,
                ) as exc:
                    # One damaged, encrypted or oddly compressed entry must not stop the others.
                    yield ParsedRow(
                        line=index, error=f"{name}: cannot be read from the zip ({exc})"
                    )
                    continue
                self.bytes_decompressed += len(data)
                if len(data) != info.file_size:
                    actual = (
                        f"more than {self._max_bytes:,}"
                        if len(data) > self._max_bytes
                        else f"{len(data):,}"
                    )
                    raise ImportFileError(
                        f"{name}: the zip's header says {info.file_size:,} bytes but the entry "
                        f"holds {actual}; a zip whose headers lie about sizes is not imported "
                        "further."
                    )
                limit = self._max_total_bytes
                if limit is not None and self.bytes_decompressed > limit:
                    raise ImportFileError(
                        f"The zip holds more than {limit:,} bytes uncompressed; the limit is "
                        f"{limit:,} bytes."
                    )
                parts = PurePosixPath(name).parts
                folder = parts[-2] if len(parts) >= 2 else None
                yield ParsedRow(
                    line=index,
                    external_id=name,
                    folder=folder,
                    image_bytes=data,
                    metadata={"filename": name, **({"folder": folder} if folder else {})},
                )


@dataclass(slots=True)
class CheckedImage:
    format: str
    width: int
    height: int
    thumbnail: bytes
    thumbnail_ext: str


def check_image(data: bytes, *, max_pixels: int, thumb_size: int = 256) -> CheckedImage:
    """Verify bytes are a whole, reasonably sized image and make a thumbnail.

    Raises ValueError with a message for the import report. The pixel count is checked from
    the header before any pixel is decoded, which is what stops decompression bombs.
    """
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                width, height = probe.size
                if fmt not in ALLOWED_IMAGE_FORMATS:
                    raise ValueError(f"unsupported image format {fmt or 'unknown'}")
                if width * height > max_pixels:
                    raise ValueError(
                        f"image is {width}x{height} pixels; the limit is {max_pixels:,} pixels"
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image.thumbnail((thumb_size, thumb_size))
                has_alpha = image.mode in ("RGBA", "LA", "P")
                converted = image.convert("RGBA" if has_alpha else "RGB")
                out = io.BytesIO()
                if has_alpha:
                    converted.save(out, format="PNG", optimize=True)
                    ext = "png"
                else:
                    converted.save(out, format="JPEG", quality=85)
                    ext = "jpg"
        except UnidentifiedImageError as exc:
            raise ValueError("not an image (Pillow cannot identify it)") from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValueError(f"rejected as a decompression bomb: {exc}") from exc
        except (OSError, SyntaxError) as exc:
            raise ValueError(f"broken or truncated image: {exc}") from exc
    return CheckedImage(
        format=fmt, width=width, height=height, thumbnail=out.getvalue(), thumbnail_ext=ext
    )
