"""The JSON Lines reader on its own: bytes in, parsed rows out. No database."""

import io

from labeling.services.imports.readers.jsonl_reader import JsonlReader

MAX_CHARS = 10_000


def jsonl_rows(data: bytes, **options):
    return list(JsonlReader(io.BytesIO(data), options=options, max_chars=MAX_CHARS))


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


def test_jsonl_drops_escaped_nul_characters_from_nested_values():
    rows = jsonl_rows(b'{"id": "a\\u0000", "text": "t", "m": {"k\\u0000": ["v\\u0000", 1]}}\n')

    assert (rows[0].external_id, rows[0].metadata) == ("a", {"m": {"k": ["v", 1]}})
