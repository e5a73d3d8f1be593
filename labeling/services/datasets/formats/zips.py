"""Zips that are the same bytes whenever they are written from the same files.

Entries are written in sorted order with a fixed timestamp (1980-01-01, the earliest a zip can
hold), fixed permissions (0644 regular files, made on Unix) and a compression chosen by the
entry's extension alone: files that are compressed already (Parquet, images) are stored, text
is deflated at zlib's default level. Nothing about the machine, the clock or the order files
were produced in reaches the archive.

Files are first written to a staging directory (streaming, any size), hashed, then copied into
the zip in chunks: memory stays flat whatever the size of the export.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
STORED_EXTENSIONS = frozenset({"parquet", "png", "jpg", "jpeg", "gif", "webp", "bmp", "bin", "zip"})

CHUNK_BYTES = 1024 * 1024
MANIFEST_NAME = "manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _zip_info(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.create_system = 3  # Unix, wherever the zip is written
    info.external_attr = (0o100644 & 0xFFFF) << 16
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if extension in STORED_EXTENSIONS:
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = size  # lets zipfile choose zip64 from the size, not from a guess
    return info


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, UTF-8, one trailing newline."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


class StagedZip:
    """Files staged under ``root`` by archive path, then zipped deterministically.

    ``path(name)`` gives the staging path for an archive entry (folders created);
    ``finish(out, manifest)`` hashes every staged file, adds ``manifest.json`` (the given
    manifest with ``files``: {archive path: SHA-256}) and writes the zip to ``out``.
    Returns the files' hashes (manifest.json's own hash included under its name).
    """

    def __init__(self, root: Path):
        self.root = root
        self.names: set[str] = set()

    def path(self, name: str) -> Path:
        parts = PurePosixPath(name).parts
        if not parts or any(part in ("", ".", "..") for part in parts) or name.startswith("/"):
            raise ValueError(f"unsafe archive path {name!r}")
        if name == MANIFEST_NAME:
            raise ValueError("manifest.json is written by the zip itself")
        self.names.add(name)
        target = self.root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def finish(self, out: Path, manifest: dict[str, Any]) -> dict[str, str]:
        names = sorted(name for name in self.names if self.root.joinpath(name).exists())
        files = {name: sha256_file(self.root.joinpath(name)) for name in names}
        manifest = {**manifest, "files": files}
        manifest_path = self.root / MANIFEST_NAME
        manifest_path.write_bytes(manifest_bytes(manifest))
        with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
            for name in sorted([*names, MANIFEST_NAME]):
                source = self.root.joinpath(name)
                info = _zip_info(name, source.stat().st_size)
                with source.open("rb") as reader, archive.open(info, "w") as writer:
                    while chunk := reader.read(CHUNK_BYTES):
                        writer.write(chunk)
        return {**files, MANIFEST_NAME: sha256_file(manifest_path)}
