"""Exporting a project's items with their annotations, as JSON Lines or CSV."""

import csv
import io
from datetime import datetime

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from labeling.choices import AnnotationSource, Role
from labeling.services import exports
from tests.factories import AnnotationFactory, ItemFactory, UserFactory
from tests.labeling.api.test_imports import Importer

pytestmark = pytest.mark.django_db

HTML_TEXT = '<script>alert("x")</script><img src=x onerror=alert(1)> &amp; fish'
TRICKY_TEXT = 'line one\nline two, with "quotes", a comma\r\nand unicode: café ✓ 🙂'


@pytest.fixture
def client(api, make_member):
    return api.as_user(make_member(Role.ML_ENGINEER))


@pytest.fixture
def items(project):
    """Four items: human + import labels, import only, none, and an HTML text with a human label."""
    alice = UserFactory(username="alice")
    both = ItemFactory(
        project=project, external_id="both", text=TRICKY_TEXT, metadata={"lang": "en", "n": 1}
    )
    AnnotationFactory(item=both, labels=["ham"], source=AnnotationSource.IMPORT)
    AnnotationFactory(item=both, labels=["spam"], source=AnnotationSource.HUMAN, annotator=alice)
    imported = ItemFactory(project=project, external_id="imported", text="imported only")
    AnnotationFactory(item=imported, labels=["spam"], source=AnnotationSource.IMPORT)
    unlabeled = ItemFactory(project=project, external_id="unlabeled", text="nobody looked")
    html = ItemFactory(project=project, external_id="html", text=HTML_TEXT)
    AnnotationFactory(item=html, labels=["ham"], annotator=alice)
    ItemFactory(external_id="elsewhere", text="another project's item")  # never exported
    return {"both": both, "imported": imported, "unlabeled": unlabeled, "html": html}


def export(client, project, **params) -> tuple[bytes, object]:
    response = client.get(f"/api/v1/projects/{project.pk}/export/", params)
    assert response.status_code == 200, response
    return b"".join(response.streaming_content), response


def jsonl(body: bytes) -> list[dict]:
    return [orjson.loads(line) for line in body.splitlines()]


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def test_jsonl_export_streams_every_item_with_all_its_annotations(client, project, items):
    body, response = export(client, project, format="jsonl")

    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"] == f'attachment; filename="project-{project.pk}.jsonl"'
    rows = jsonl(body)
    assert [r["external_id"] for r in rows] == ["both", "imported", "unlabeled", "html"]
    both = rows[0]
    assert both["id"] == items["both"].pk
    assert both["text"] == TRICKY_TEXT
    assert both["metadata"] == {"lang": "en", "n": 1}
    assert both["split"] == items["both"].split
    assert both["content_hash"] == items["both"].content_hash
    assert both["image"] is None
    assert [(a["labels"], a["source"], a["annotator"]) for a in both["annotations"]] == [
        (["ham"], "import", None),
        (["spam"], "human", "alice"),
    ]
    assert all(a["created_at"] for a in both["annotations"])
    assert rows[2]["annotations"] == []


def test_jsonl_is_the_default_format(client, project, items):
    body, response = export(client, project)

    assert response["Content-Type"] == "application/x-ndjson"
    assert len(jsonl(body)) == 4


def test_csv_export_has_one_row_per_item_with_the_latest_labels(client, project, items):
    body, response = export(client, project, format="csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="project-{project.pk}.csv"'
    rows = csv_rows(body)
    assert list(rows[0]) == exports.CSV_COLUMNS
    assert [
        (r["external_id"], r["labels"], r["label_source"], r["annotation_count"]) for r in rows
    ] == [
        ("both", "spam", "human", "2"),
        ("imported", "spam", "import", "1"),
        ("unlabeled", "", "", "0"),
        ("html", "ham", "human", "1"),
    ]
    assert orjson.loads(rows[0]["metadata"]) == {"lang": "en", "n": 1}


def test_csv_export_parses_back_to_the_same_rows_and_texts(client, project, items):
    body, _ = export(client, project, format="csv")

    parsed = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))

    assert len(parsed) == 1 + 4
    texts = {row[1]: row[2] for row in parsed[1:]}
    assert texts["both"] == TRICKY_TEXT
    assert texts["html"] == HTML_TEXT


def test_source_filter_keeps_items_and_annotations_of_that_source(client, project, items):
    body, response = export(client, project, format="jsonl", source="import")

    rows = jsonl(body)
    assert [r["external_id"] for r in rows] == ["both", "imported"]
    assert [[a["source"] for a in r["annotations"]] for r in rows] == [["import"], ["import"]]
    assert [r["annotations"][0]["labels"] for r in rows] == [["ham"], ["spam"]]
    assert response["Content-Disposition"].endswith(f'project-{project.pk}-import.jsonl"')


def test_source_filter_applies_to_csv_labels(client, project, items):
    body, _ = export(client, project, format="csv", source="human")

    rows = csv_rows(body)
    assert [(r["external_id"], r["labels"], r["annotation_count"]) for r in rows] == [
        ("both", "spam", "1"),
        ("html", "ham", "1"),
    ]


def test_source_filter_with_no_matching_annotations_exports_nothing(client, project, items):
    body, _ = export(client, project, format="jsonl", source="moderation")

    assert body == b""


def test_labeled_only_leaves_out_items_without_annotations(client, project, items):
    body, _ = export(client, project, format="jsonl", labeled_only="true")

    assert [r["external_id"] for r in jsonl(body)] == ["both", "imported", "html"]


def test_labeled_only_applies_to_csv(client, project, items):
    body, _ = export(client, project, format="csv", labeled_only="true")

    assert [r["external_id"] for r in csv_rows(body)] == ["both", "imported", "html"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_exporting_the_same_data_twice_gives_identical_bytes(client, project, items, fmt):
    first, _ = export(client, project, format=fmt)
    second, _ = export(client, project, format=fmt)

    assert first == second
    assert first


def test_html_in_text_is_exported_verbatim(client, project, items):
    jsonl_body, _ = export(client, project, format="jsonl")
    csv_body, _ = export(client, project, format="csv")

    assert [r["text"] for r in jsonl(jsonl_body) if r["external_id"] == "html"] == [HTML_TEXT]
    assert b"<script>" in jsonl_body
    assert b"&lt;" not in jsonl_body
    assert [r["text"] for r in csv_rows(csv_body) if r["external_id"] == "html"] == [HTML_TEXT]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_spanning_many_pages_has_every_item_once_in_order(client, project, monkeypatch, fmt):
    monkeypatch.setattr(exports, "PAGE_SIZE", 3)
    created = ItemFactory.create_batch(10, project=project)
    for item in created[::2]:
        AnnotationFactory(item=item, labels=["spam"])
    ids = [item.pk for item in created]

    body, _ = export(client, project, format=fmt)

    if fmt == "jsonl":
        rows = jsonl(body)
        assert [r["id"] for r in rows] == ids
        assert [len(r["annotations"]) for r in rows] == [1, 0] * 5
    else:
        rows = csv_rows(body)
        assert [int(r["id"]) for r in rows] == ids
        assert [r["annotation_count"] for r in rows] == ["1", "0"] * 5
    chunks = len(
        list(
            client.get(f"/api/v1/projects/{project.pk}/export/", {"format": fmt}).streaming_content
        )
    )
    assert chunks >= 4  # streamed page by page, not built in one piece


def test_csv_export_of_a_project_without_items_still_has_the_header(client, project):
    body, _ = export(client, project, format="csv")

    assert list(csv.reader(io.StringIO(body.decode()))) == [exports.CSV_COLUMNS]


def test_jsonl_export_of_a_project_without_items_is_empty(client, project):
    body, _ = export(client, project, format="jsonl")

    assert body == b""


def test_unknown_export_format_is_refused(client, project):
    response = client.get(f"/api/v1/projects/{project.pk}/export/", {"format": "xlsx"})

    assert response.status_code == 400
    assert response.json()["message"].startswith("format:")


def test_unknown_source_is_refused(client, project):
    response = client.get(f"/api/v1/projects/{project.pk}/export/", {"source": "oracle"})

    assert response.status_code == 400
    assert response.json()["message"].startswith("source:")


def test_timestamps_of_labels_imported_from_a_file_are_valid_iso_8601(
    client, project, django_capture_on_commit_callbacks
):
    """Imports write rows with raw SQL; on SQLite their timestamps once came out of an export
    as ``…+00:00+00:00``, which no ISO 8601 parser reads."""
    importer = Importer(client, project, django_capture_on_commit_callbacks)
    data = b"id,text,label\nm1,Hello there,ham\nm2,WIN A PRIZE,spam\n"
    job = importer.run(SimpleUploadedFile("sms.csv", data))
    assert job["annotations_created"] == 2
    AnnotationFactory(item=ItemFactory(project=project, external_id="by-hand"), labels=["ham"])

    body, _ = export(client, project, format="jsonl")
    stamps = [a["created_at"] for row in jsonl(body) for a in row["annotations"]]
    csv_body, _ = export(client, project, format="csv")

    assert len(stamps) == 3
    for stamp in stamps:
        assert datetime.fromisoformat(stamp).utcoffset().total_seconds() == 0, stamp
    # The CSV file has no timestamp column today; if one is added, it must parse too.
    header = csv_rows(csv_body)[0]
    for column in (c for c in header if c.endswith("_at")):
        for row in csv_rows(csv_body):
            datetime.fromisoformat(row[column])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the text shape SQLite stores")
def test_sqlite_rows_written_with_an_offset_export_as_valid_timestamps(client, project):
    """Databases that imported labels before the fix hold '… 11:31:37.210372+00:00'."""
    annotation = AnnotationFactory(item=ItemFactory(project=project), labels=["ham"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE labeling_annotation SET created_at = %s WHERE id = %s",
            ["2026-12-05 11:31:37.210372+00:00", annotation.pk],
        )
    whole_second = AnnotationFactory(item=ItemFactory(project=project), labels=["spam"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE labeling_annotation SET created_at = %s WHERE id = %s",
            ["2026-12-05 11:31:38+00:00", whole_second.pk],
        )

    body, _ = export(client, project, format="jsonl")

    stamps = [a["created_at"] for row in jsonl(body) for a in row["annotations"]]
    assert stamps == ["2026-12-05T11:31:37.210372+00:00", "2026-12-05T11:31:38+00:00"]
    assert all(datetime.fromisoformat(stamp) for stamp in stamps)
