"""Plain text files: every non-blank line is one item's text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from labeling.services.imports.readers.lines import LineReader
from labeling.services.imports.readers.rows import ParsedRow, clean_text


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
