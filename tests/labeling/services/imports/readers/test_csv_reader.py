"""The CSV reader on its own: bytes in, parsed rows (or a file error) out. No database."""

import io

import pytest

from labeling.services.imports.readers.csv_reader import CsvReader, csv_layout
from labeling.services.imports.readers.rows import ImportFileError

MAX_CHARS = 10_000


def csv_rows(data: bytes, *, filename="data.csv", **options):
    return list(
        CsvReader(io.BytesIO(data), filename=filename, options=options, max_chars=MAX_CHARS)
    )


def test_csv_reads_text_label_id_and_keeps_other_columns_as_metadata():
    rows = csv_rows(b"id,text,label,lang\na1,Hello there,ham,en\na2,WIN NOW,spam|promo,en\n")

    assert [(r.line, r.external_id, r.text, r.labels, r.metadata) for r in rows] == [
        (2, "a1", "Hello there", ["ham"], {"lang": "en"}),
        (3, "a2", "WIN NOW", ["spam", "promo"], {"lang": "en"}),
    ]
    assert all(r.error is None for r in rows)


def test_csv_multi_line_quoted_cells_keep_physical_line_numbers():
    data = (
        b"text,label\n"
        b'"first line\nsecond line\nthird line",ham\n'  # lines 2-4
        b"plain row,spam\n"  # line 5
        b'"another\r\nquoted, with comma",ham\n'  # lines 6-7
        b"too,many,cells\n"  # line 8
        b"last,ham\n"  # line 9
    )

    rows = csv_rows(data)

    assert [r.line for r in rows] == [2, 5, 6, 8, 9]
    assert rows[0].text == "first line\nsecond line\nthird line"
    assert rows[2].text == "another\r\nquoted, with comma"
    assert rows[3].error == "expected 2 columns, found 3"
    assert rows[4].text == "last"


def test_csv_malformed_quoting_is_reported_on_its_line_and_reading_goes_on():
    rows = csv_rows(b'text,label\ngood,ham\n"bad"quote,ham\nafter,spam\n')

    assert [(r.line, r.text) for r in rows if not r.error] == [(2, "good"), (4, "after")]
    [bad] = [r for r in rows if r.error]
    assert bad.line == 3
    assert bad.error.startswith("malformed CSV:")


def test_csv_blank_lines_are_skipped_but_counted_for_line_numbers():
    rows = csv_rows(b"text\nfirst\n\n\nsecond\n")

    assert [(r.line, r.text) for r in rows] == [(2, "first"), (5, "second")]


def test_csv_crlf_line_endings_and_utf8_bom_are_understood():
    rows = csv_rows(b"\xef\xbb\xbftext,label\r\nHello,ham\r\nBye,spam\r\n")

    assert [(r.text, r.labels) for r in rows] == [("Hello", ["ham"]), ("Bye", ["spam"])]


def test_csv_empty_text_cell_is_a_row_error():
    rows = csv_rows(b"text,label\n   ,ham\nok,ham\n")

    assert (rows[0].line, rows[0].error) == (2, "empty text")
    assert rows[1].text == "ok"


def test_csv_text_over_the_character_limit_is_a_row_error():
    data = b"text\n" + b"x" * (MAX_CHARS + 1) + b"\nshort\n"

    rows = csv_rows(data)

    assert rows[0].error == f"text is {MAX_CHARS + 1:,} characters; the limit is {MAX_CHARS:,}"
    assert rows[1].text == "short"


def test_csv_nul_characters_are_dropped_from_text():
    rows = csv_rows(b"text\nbad\x00byte\n")

    assert rows[0].text == "badbyte"


def test_csv_latin1_bytes_mid_file_make_that_row_an_error():
    rows = csv_rows(b"text,label\nfine,ham\ncaf\xe9 au lait,ham\nalso fine,spam\n")

    assert [(r.line, r.text) for r in rows if not r.error] == [(2, "fine"), (4, "also fine")]
    [bad] = [r for r in rows if r.error]
    assert bad.line == 3
    assert bad.error == "not valid UTF-8 (byte 0xe9 at column 4)"


def test_csv_invalid_utf8_inside_a_multi_line_cell_is_reported_on_the_row():
    rows = csv_rows(b'text\n"line one\nline \xff two"\nnext\n')

    assert rows[0].line == 2
    assert "not valid UTF-8" in rows[0].error
    assert (rows[1].line, rows[1].text) == (4, "next")


def test_tsv_is_read_without_quoting_so_a_stray_quote_does_not_swallow_lines():
    data = b'Label\tSMS\nham\t"Hello, how are you\nspam\tWIN a "free" prize\nham\tok"\n'

    rows = csv_rows(data, filename="sms.tsv")

    assert [(r.line, r.labels, r.text) for r in rows] == [
        (2, ["ham"], '"Hello, how are you'),
        (3, ["spam"], 'WIN a "free" prize'),
        (4, ["ham"], 'ok"'),
    ]


def test_tab_delimiter_is_detected_from_the_header_whatever_the_file_name():
    rows = csv_rows(b"label\ttext\nham\thi, there\n", filename="export.txt")

    assert (rows[0].text, rows[0].labels) == ("hi, there", ["ham"])


def test_explicit_delimiter_and_columns_are_used():
    rows = csv_rows(
        b"body;category;key\nhello;ham;k1\n",
        delimiter=";",
        text_column="body",
        label_column="category",
        id_column="key",
    )

    assert (rows[0].text, rows[0].labels, rows[0].external_id) == ("hello", ["ham"], "k1")


def test_missing_text_column_raises_a_file_error_listing_the_columns():
    with pytest.raises(ImportFileError) as excinfo:
        csv_layout("title,score,label\n", filename="data.csv", options={})

    assert "['title', 'score', 'label']" in str(excinfo.value)


def test_named_text_column_that_is_absent_raises_a_file_error_listing_the_columns():
    with pytest.raises(ImportFileError) as excinfo:
        csv_layout("text,label\n", filename="data.csv", options={"text_column": "body"})

    assert "'body'" in str(excinfo.value)
    assert "['text', 'label']" in str(excinfo.value)


def test_single_column_file_uses_that_column_as_text():
    layout = csv_layout("Message\n", filename="data.csv", options={})

    assert (layout.text_index, layout.label_index, layout.id_index) == (0, None, None)


def test_column_names_match_case_insensitively():
    layout = csv_layout("ID,Tweet,LABEL\n", filename="data.csv", options={})

    assert (layout.id_index, layout.text_index, layout.label_index) == (0, 1, 2)


def test_csv_with_no_bytes_raises_file_empty():
    with pytest.raises(ImportFileError, match="empty"):
        csv_rows(b"")


def test_csv_drops_nul_characters_from_every_cell():
    rows = csv_rows(b"id,text,label,note\ni\x001,he\x00llo,h\x00am,n\x00b\n")

    assert (rows[0].external_id, rows[0].text, rows[0].labels, rows[0].metadata) == (
        "i1",
        "hello",
        ["ham"],
        {"note": "nb"},
    )
