"""The clean-up every reader shares: labels split from a cell, text kept as written."""

import pytest

from labeling.services.imports.readers.rows import clean_text, split_labels


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
