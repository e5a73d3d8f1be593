"""Zip files written byte by byte, so tests can make ones a normal zip writer will not: a bomb
of several GB of zeros that stays a few MB on disk (built without ever holding the zeros), and
archives whose headers lie about sizes.

Format: PKWARE APPNOTE 6.3 (local file header, data, central directory, end record); sizes stay
under 4 GiB per entry so no ZIP64 records are needed.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

STORED, DEFLATED = 0, 8


@dataclass
class Entry:
    name: str
    data: Iterable[bytes]  # the bytes as stored in the archive (compressed for DEFLATED)
    crc: int
    compress_size: int
    file_size: int  # what the headers declare
    method: int = DEFLATED


def entry_of(name: str, content: bytes, *, declared_size: int | None = None) -> Entry:
    """An entry holding ``content``, deflated; ``declared_size`` makes its headers lie."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(content) + packer.flush()
    return Entry(
        name=name,
        data=[packed],
        crc=zlib.crc32(content),
        compress_size=len(packed),
        file_size=len(content) if declared_size is None else declared_size,
    )


def zeros_entry(name: str, size: int, *, block: int = 16 * 1024 * 1024) -> Entry:
    """``size`` bytes of zeros (a multiple of ``block``), deflated without holding them.

    Each block is compressed after a full flush, which resets the compressor, so every block
    compresses to the same bytes: one block is compressed and repeated.
    """
    assert size % block == 0
    zeros = bytes(block)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    assert first == again
    tail = packer.flush(zlib.Z_FINISH)
    blocks = size // block
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(zeros, crc)
    return Entry(
        name=name,
        data=[*([first] * blocks), tail],
        crc=crc,
        compress_size=len(first) * blocks + len(tail),
        file_size=size,
    )


def write_zip(path: Path, entries: list[Entry]) -> Path:
    central = b""
    with path.open("wb") as out:
        for entry in entries:
            offset = out.tell()
            name = entry.name.encode()
            fields = (
                20,
                0,
                entry.method,
                0,
                0x21,
                entry.crc,
                entry.compress_size,
                entry.file_size,
                len(name),
                0,
            )
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name)
            for chunk in entry.data:
                out.write(chunk)
            central += (
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    *fields,
                    0,  # comment length
                    0,  # disk number
                    0,  # internal attributes
                    0o100644 << 16,  # a regular file
                    offset,
                )
                + name
            )
        start = out.tell()
        out.write(central)
        out.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0
            )
        )
    return path
