"""Image files and zip archives of images, held to their limits.

A zip is checked twice: ``zip_summary`` reads what its central directory declares (entries,
uncompressed bytes) when it is uploaded, and ``ImageReader`` counts again in bytes actually
decompressed while it reads, capping every entry, so an archive whose headers lie is caught.
Whether the bytes are a whole image is ``core.images.check_image``'s question, asked when a
batch is written.
"""

from __future__ import annotations

import copy
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from labeling.services.imports.readers.rows import ImportFileError, ParsedRow

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"}


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
