"""Text files read line by line as UTF-8, with what was wrong with each bad line kept aside, so
the CSV, JSON Lines and plain text readers report a bad line as a row error and read on."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import IO

from labeling.services.imports.readers.rows import ImportFileError


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


def read_header_line(fh: IO[bytes]) -> str:
    """The first line of a text file, decoded, for validating an upload before it is queued."""
    reader = LineReader(fh)
    for line in reader:
        return line
    raise ImportFileError("The file is empty.")
