"""The import readers on their own: bytes in, parsed rows (or a file error) out. No database."""

import io
import stat
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from labeling.services.imports.readers.image_reader import (
    CsvReader,
    ImageReader,
    ImportFileError,
    JsonlReader,
    LineReader,
    PlainTextReader,
    check_image,
    clean_text,
    csv_layout,
    read_header_line,
    split_labels,
)

MAX_CHARS = 10_000


def csv_rows(data: bytes, *, filename="data.csv", **options):
    return list(
        CsvReader(io.BytesIO(data), filename=filename, options=options, max_chars=MAX_CHARS)
    )


def jsonl_rows(data: bytes, **options):
    return list(JsonlReader(io.BytesIO(data), options=options, max_chars=MAX_CHARS))


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    colour = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)
    Image.new(mode, size, colour).save(out, format=fmt)
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose header (with a correct CRC) claims another size."""
    data = bytearray(image_bytes(size=(1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


# --- CSV -----------------------------------------------------------------------------------------


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


# --- encodings ---------------------------------------------------------------------------------


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


# --- JSON Lines ----------------------------------------------------------------------------------


def test_jsonl_reads_objects_with_labels_ids_and_metadata():
    data = (
        b'{"id": 7, "text": "Hello", "label": "ham", "metadata": {"lang": "en"}, "src": "web"}\n'
        b'{"text": "Buy", "labels": ["spam", "promo"]}\n'
    )

    rows = jsonl_rows(data)

    assert [(r.line, r.external_id, r.text, r.labels, r.metadata) for r in rows] == [
        (1, "7", "Hello", ["ham"], {"lang": "en", "src": "web"}),
        (2, None, "Buy", ["spam", "promo"], {}),
    ]


def test_jsonl_errors_name_the_line_and_the_reason():
    data = (
        b'{"text": "good one"}\n'
        b"{not json}\n"
        b"\n"
        b'["a", "list"]\n'
        b'{"title": "no text key"}\n'
        b'{"text": ""}\n'
        b'{"text": null}\n'
        b'{"text": "good two"}\n'
    )

    rows = jsonl_rows(data)

    assert [(r.line, r.text) for r in rows if not r.error] == [(1, "good one"), (8, "good two")]
    errors = {r.line: r.error for r in rows if r.error}
    assert set(errors) == {2, 4, 5, 6, 7}
    assert errors[2].startswith("invalid JSON")
    assert errors[4] == "each line must be a JSON object"
    assert errors[5] == "no text field (expected 'text')"
    assert errors[6] == "empty text"
    assert errors[7] == "no text"


def test_jsonl_text_column_option_picks_the_field():
    rows = jsonl_rows(b'{"body": "hello", "text": "not this"}\n', text_column="body")

    assert rows[0].text == "hello"
    assert rows[0].metadata == {"text": "not this"}


def test_jsonl_invalid_utf8_line_is_a_row_error():
    rows = jsonl_rows(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')

    assert rows[1].line == 2
    assert "not valid UTF-8" in rows[1].error


# --- plain text -----------------------------------------------------------------------------------


def test_plain_text_gives_one_row_per_non_blank_line():
    reader = PlainTextReader(io.BytesIO(b"first\r\n\n   \nsecond line  \n"), max_chars=MAX_CHARS)

    rows = list(reader)

    assert [(r.line, r.text) for r in rows] == [(1, "first"), (4, "second line  ")]


# --- labels and text helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ham", ["ham"]),
        (" a | b |", ["a", "b"]),
        (["x", " y "], ["x", "y"]),
        ("", None),
        (None, None),
        ([], None),
    ],
)
def test_split_labels(value, expected):
    assert split_labels(value) == expected


def test_clean_text_keeps_inner_whitespace_and_markup():
    text, error = clean_text("  <b>hi</b>\n there ", max_chars=100)

    assert (text, error) == ("  <b>hi</b>\n there ", None)


# --- images ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mode", "thumb"),
    [
        ("PNG", "RGB", "jpg"),
        ("JPEG", "RGB", "jpg"),
        ("PNG", "RGBA", "png"),
        ("GIF", "P", "png"),
        ("WEBP", "RGB", "jpg"),
        ("BMP", "RGB", "jpg"),
    ],
)
def test_check_image_accepts_common_formats_and_makes_a_small_thumbnail(fmt, mode, thumb):
    data = image_bytes(fmt, size=(600, 300), mode="RGB" if mode == "P" else mode)

    checked = check_image(data, max_pixels=1_000_000)

    assert (checked.format, checked.width, checked.height) == (fmt, 600, 300)
    assert checked.thumbnail_ext == thumb
    with Image.open(io.BytesIO(checked.thumbnail)) as thumbnail:
        assert max(thumbnail.size) == 256


def test_check_image_rejects_bytes_that_are_not_an_image():
    with pytest.raises(ValueError, match="not an image"):
        check_image(b"<html>not a picture</html>", max_pixels=1_000_000)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_check_image_rejects_a_truncated_image(fmt):
    data = image_bytes(fmt, size=(300, 300))
    if fmt == "JPEG":
        out = io.BytesIO()
        Image.effect_noise((300, 300), 60).convert("RGB").save(out, format="JPEG")
        data = out.getvalue()

    with pytest.raises(ValueError, match="truncated"):
        check_image(data[: len(data) // 2], max_pixels=1_000_000)


def test_check_image_rejects_a_header_claiming_a_huge_size_without_decoding_it():
    with pytest.raises(ValueError, match="decompression bomb"):
        check_image(png_claiming_size(100_000, 100_000), max_pixels=50_000_000)


def test_check_image_enforces_the_configured_pixel_limit():
    with pytest.raises(ValueError, match="image is 40x30 pixels; the limit is 1,000 pixels"):
        check_image(image_bytes(size=(40, 30)), max_pixels=1_000)


def test_check_image_rejects_formats_outside_the_allowed_list():
    with pytest.raises(ValueError, match="unsupported image format TIFF"):
        check_image(image_bytes("TIFF"), max_pixels=1_000_000)


def _zip(tmp_path, entries):
    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


def test_image_reader_reports_folders_and_refuses_unsafe_entries(tmp_path):
    png = image_bytes()
    path = _zip(
        tmp_path,
        [
            ("cat/one.png", png, None),
            ("nested/dog/two.png", png, None),
            ("root.png", png, None),
            ("../evil.png", png, None),
            ("/absolute.png", png, None),
            ("link.png", b"/etc/passwd", stat.S_IFLNK | 0o777),
            ("notes.txt", b"hello", None),
            ("__MACOSX/cat/._one.png", b"junk", None),
            ("cat/.hidden.png", png, None),
        ],
    )
    reader = ImageReader(str(path), filename="upload.zip", max_bytes=1_000_000)

    rows = list(reader)

    good = [(r.external_id, r.folder) for r in rows if not r.error]
    assert good == [("cat/one.png", "cat"), ("nested/dog/two.png", "dog"), ("root.png", None)]
    errors = [r.error for r in rows if r.error]
    assert errors == [
        "../evil.png: path leaves the archive (absolute or '..'); nothing was written",
        "/absolute.png: path leaves the archive (absolute or '..'); nothing was written",
        "link.png: symbolic links are not allowed in an import zip",
        "notes.txt: not an image file name",
    ]
    assert reader.bytes_read > 0


def test_image_reader_refuses_entries_over_the_byte_limit(tmp_path):
    path = _zip(tmp_path, [("big.png", image_bytes(size=(300, 300)), None)])

    rows = list(ImageReader(str(path), filename="upload.zip", max_bytes=100))

    assert rows[0].error == "big.png: larger than 100 bytes"


def test_image_reader_reads_a_single_image_file(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(image_bytes("JPEG"))

    rows = list(ImageReader(str(path), filename="photo.jpg", max_bytes=1_000_000))

    assert [(r.line, r.external_id, r.image_bytes is not None) for r in rows] == [
        (1, "photo.jpg", True),
    ]


def test_image_reader_reports_a_damaged_zip_entry_and_reads_the_rest(tmp_path):
    png = image_bytes()
    path = _zip(tmp_path, [("damaged.png", png, None), ("fine.png", png, None)])
    data = bytearray(path.read_bytes())
    start = data.index(png)  # stored uncompressed: corrupt the first entry's bytes
    data[start + 20 : start + 30] = b"\xff" * 10
    path.write_bytes(bytes(data))

    rows = list(ImageReader(str(path), filename="upload.zip", max_bytes=1_000_000))

    assert [r.external_id for r in rows if not r.error] == ["fine.png"]
    [damaged] = [r for r in rows if r.error]
    assert damaged.error.startswith("damaged.png: cannot be read")
    assert "CRC" in damaged.error


def test_csv_drops_nul_characters_from_every_cell():
    rows = csv_rows(b"id,text,label,note\ni\x001,he\x00llo,h\x00am,n\x00b\n")

    assert (rows[0].external_id, rows[0].text, rows[0].labels, rows[0].metadata) == (
        "i1",
        "hello",
        ["ham"],
        {"note": "nb"},
    )


def test_jsonl_drops_escaped_nul_characters_from_nested_values():
    rows = jsonl_rows(b'{"id": "a\\u0000", "text": "t", "m": {"k\\u0000": ["v\\u0000", 1]}}\n')

    assert (rows[0].external_id, rows[0].metadata) == ("a", {"m": {"k": ["v", 1]}})
