"""PostgreSQL COPY text built column by column: each value as PostgreSQL reads it back."""

from datetime import UTC, datetime

from labeling.choices import AnnotationSource
from labeling.services.bulk_sql import copy_text


def test_copy_text_escapes_text_and_formats_each_kind_of_value():
    now = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    rows = [
        (1, "plain", None, now, True, 1, AnnotationSource.IMPORT, 0.5, '{"a": 1}'),
        (2, "tab\there\nnew line\\", "x", now, False, 0, AnnotationSource.IMPORT, None, "{}"),
        (3, "carriage\r", None, now, True, 7, AnnotationSource.IMPORT, 2.0, "{}"),
    ]

    text = copy_text(rows)

    assert text == (
        '1\tplain\t\\N\t2026-12-06T14:00:00+00:00\tTrue\t1\timport\t0.5\t{"a": 1}\n'
        "2\ttab\\there\\nnew line\\\\\tx\t2026-12-06T14:00:00+00:00\tFalse\t0\timport\t\\N\t{}\n"
        "3\tcarriage\\r\t\\N\t2026-12-06T14:00:00+00:00\tTrue\t7\timport\t2.0\t{}\n"
    )


def test_copy_text_of_no_rows_is_empty():
    assert copy_text([]) == ""
