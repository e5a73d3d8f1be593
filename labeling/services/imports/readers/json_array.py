"""The elements of a JSON array file, one at a time, without holding the file in memory.

A Label Studio export is one JSON array of tasks that can run to gigabytes. The file is read in
chunks; each element is decoded by the standard library's C scanner straight from the chunk
(``JSONDecoder.raw_decode`` at an offset), and an element cut by the end of a chunk is decoded
again once the next chunk is in. Memory holds one chunk plus the element being read, which is
bounded by ``max_element_chars``.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from labeling.services.imports.readers.rows import ImportFileError

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_CHUNK_BYTES = 1 << 20


class JsonArrayReader:
    """Iterates ``(position, element)`` of a top-level JSON array; ``position`` counts from 1.

    A file that is not an array, an element larger than ``max_element_chars`` and JSON that
    cannot be read raise ``ImportFileError`` (the elements before it were already yielded):
    there is no telling where the next element starts in a broken array.
    """

    def __init__(self, fh: IO[bytes], *, max_element_chars: int, chunk_bytes: int = _CHUNK_BYTES):
        self._fh = fh
        self._max = max_element_chars
        self._chunk = chunk_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._first = True
        self.bytes_read = 0
        self.position = 0
        # Whether the element just yielded holds an escaped NUL (``\u0000``): JSON cannot hold
        # a raw one inside a string, so only then do its strings need cleaning.
        self.element_has_nul = False

    def _fill(self) -> bool:
        """Read the next chunk into the buffer; False at the end of the file."""
        if self._eof:
            return False
        raw = self._fh.read(self._chunk)
        self.bytes_read += len(raw)
        if self._first:
            self._first = False
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise ImportFileError("The file is UTF-16 text; save it as UTF-8.")
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            text = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            where = self.bytes_read - len(raw) + exc.start
            raise ImportFileError(f"The file is not UTF-8 text (near byte {where:,}).") from exc
        if not raw:
            self._eof = True
        self._buf = self._buf[self._pos :] + text
        self._pos = 0
        return bool(raw)

    def _skip_space(self) -> str:
        """The next character that is not whitespace ("" at the end of the file)."""
        while True:
            match = _WHITESPACE.match(self._buf, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _element(self) -> Any:
        while True:
            try:
                value, end = self._json.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if len(self._buf) - self._pos > self._max:
                    raise ImportFileError(
                        f"Task {self.position + 1:,} is larger than {self._max:,} characters "
                        "or is not valid JSON."
                    ) from exc
                if self._fill():
                    continue
                raise ImportFileError(
                    f"The JSON breaks off or is invalid in task {self.position + 1:,}: {exc.msg}."
                ) from exc
            except RecursionError as exc:
                raise ImportFileError(f"Task {self.position + 1:,} is nested too deeply.") from exc
            cut = end == len(self._buf) and not isinstance(value, dict | list)
            # A number or literal cut by the chunk's end: read on and decode it whole.
            if cut and not self._eof and self._fill():
                continue
            self.element_has_nul = self._buf.find("\\u0000", self._pos, end) != -1
            self._pos = end
            return value

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        first = self._skip_space()
        if first != "[":
            shown = "an empty file" if not first else f"{first!r}"
            raise ImportFileError(
                f"A Label Studio export is a JSON array of tasks; this file starts with {shown}."
            )
        self._pos += 1
        if self._skip_space() == "]":
            return
        while True:
            if not self._skip_space():
                raise ImportFileError("The JSON array breaks off: the file is truncated.")
            value = self._element()
            self.position += 1
            yield self.position, value
            after = self._skip_space()
            if after == ",":
                self._pos += 1
                continue
            if after == "]":
                return
            if not after:
                raise ImportFileError("The JSON array breaks off: the file is truncated.")
            raise ImportFileError(
                f"Expected ',' or ']' after task {self.position:,}, found {after!r}."
            )
