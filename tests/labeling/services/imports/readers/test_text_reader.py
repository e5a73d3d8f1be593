"""The plain text reader on its own: one row per non-blank line."""

import io

from labeling.services.imports.readers.text_reader import PlainTextReader

MAX_CHARS = 10_000


def test_plain_text_gives_one_row_per_non_blank_line():
    reader = PlainTextReader(io.BytesIO(b"first\r\n\n   \nsecond line  \n"), max_chars=MAX_CHARS)

    rows = list(reader)

    assert [(r.line, r.text) for r in rows] == [(1, "first"), (4, "second line  ")]
