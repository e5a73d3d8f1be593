"""Reading text files as UTF-8 lines: whole-file refusals and bad lines kept aside."""

import io

import pytest

from labeling.services.imports.readers.lines import LineReader, read_header_line
from labeling.services.imports.readers.rows import ImportFileError


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_file_with_a_bom_is_refused_as_a_whole(encoding):
    data = "text\nhello\n".encode(encoding)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = ("\ufeff" + "text\nhello\n").encode(encoding)

    with pytest.raises(ImportFileError, match="UTF-16"):
        read_header_line(io.BytesIO(data))


def test_non_utf8_first_line_is_refused_as_a_whole():
    with pytest.raises(ImportFileError, match=r"not UTF-8 text \(byte 0xe9 on line 1\)"):
        read_header_line(io.BytesIO(b"r\xe9sum\xe9\nok\n"))


def test_line_reader_counts_bytes_and_remembers_bad_lines():
    data = b"one\ntw\xf6\nthree\n"
    reader = LineReader(io.BytesIO(data))

    lines = list(reader)

    assert lines == ["one\n", "tw\ufffd\n", "three\n"]
    assert reader.bytes_read == len(data)
    assert reader.bad_lines == {2: "not valid UTF-8 (byte 0xf6 at column 3)"}
