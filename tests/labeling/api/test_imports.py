"""Importing files through the API: what lands in the project, and what a bad file reports.

Imports run in a Celery task queued after commit; in tests Celery runs tasks eagerly, and
``django_capture_on_commit_callbacks`` lets the commit hook fire inside the test transaction.
The client sees what a browser would: 202 with the queued job, then the job's report.
"""

import io
import re
import stat
import struct
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from labeling.choices import AnnotationSource, DataType, ImportStatus, Role, TaskType
from labeling.models import Annotation, ImportJob, Item
from labeling.services.imports.batches import ImportRun
from labeling.services.imports.run import import_job_run
from tests.factories import ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


# --- helpers -----------------------------------------------------------------------------------


def upload_file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def image_bytes(fmt="PNG", size=(32, 24), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims ``width`` x ``height``: what a decompression bomb shows."""
    data = bytearray(image_bytes(size=(1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def zip_bytes(entries: list[tuple[str, bytes]], *, symlinks: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name), data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return out.getvalue()


class Importer:
    """Posts uploads as an ML engineer and returns the job as the client then sees it."""

    def __init__(self, client, project, capture):
        self.client = client
        self.project = project
        self._capture = capture

    @property
    def url(self) -> str:
        return f"/api/v1/projects/{self.project.pk}/imports/"

    def post(self, *files: SimpleUploadedFile, **fields):
        data = dict(fields)
        if len(files) == 1:
            data["file"] = files[0]
        elif files:
            data["files"] = list(files)
        with self._capture(execute=True):
            return self.client.post(self.url, data, format="multipart")

    def run(self, *files: SimpleUploadedFile, **fields) -> dict:
        response = self.post(*files, **fields)
        assert response.status_code == 202, response.json()
        return self.job(response.json()["id"])

    def job(self, job_id: int) -> dict:
        response = self.client.get(f"{self.url}{job_id}/")
        assert response.status_code == 200
        return response.json()

    def retry(self, job_id: int):
        with self._capture(execute=True):
            return self.client.post(f"{self.url}{job_id}/retry/")

    def items(self, **params) -> list[dict]:
        response = self.client.get(
            f"/api/v1/projects/{self.project.pk}/items/", {"page_size": 500, **params}
        )
        assert response.status_code == 200
        return response.json()["results"]


@pytest.fixture
def importer(api, project, make_member, django_capture_on_commit_callbacks):
    return Importer(
        api.as_user(make_member(Role.ML_ENGINEER)), project, django_capture_on_commit_callbacks
    )


@pytest.fixture
def image_importer(api, make_member, django_capture_on_commit_callbacks):
    image_project = ProjectFactory(
        data_type=DataType.IMAGE,
        task_type=TaskType.MULTICLASS,
        label_classes=["cat", "dog", "bird"],
    )
    user = make_member(Role.ADMIN, proj=image_project)
    return Importer(api.as_user(user), image_project, django_capture_on_commit_callbacks)


def report(job: dict) -> dict:
    keys = (
        "status",
        "rows_seen",
        "items_created",
        "items_existing",
        "duplicate_rows",
        "annotations_created",
        "error_count",
    )
    return {key: job[key] for key in keys}


def errors_by_line(job: dict) -> dict[int, str]:
    return {e["line"]: e["message"] for e in job["errors"]}


def media_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


# --- text formats ------------------------------------------------------------------------------


def test_csv_import_creates_items_with_import_annotations(importer):
    data = b"id,text,label,lang\nm1,Hello there,ham,en\nm2,WIN A PRIZE,spam,en\nm3,See you,,fr\n"

    job = importer.run(upload_file("sms.csv", data))

    assert report(job) == {
        "status": ImportStatus.SUCCEEDED,
        "rows_seen": 3,
        "items_created": 3,
        "items_existing": 0,
        "duplicate_rows": 0,
        "annotations_created": 2,
        "error_count": 0,
    }
    assert job["progress"] == 1.0
    items = {i["external_id"]: i for i in importer.items()}
    assert items["m1"]["text"] == "Hello there"
    assert items["m1"]["metadata"] == {"lang": "en"}
    assert [(a["labels"], a["source"], a["annotator"]) for a in items["m2"]["annotations"]] == [
        (["spam"], AnnotationSource.IMPORT, None),
    ]
    assert items["m3"]["annotations"] == []


def test_csv_multi_line_quoted_text_becomes_one_item(importer):
    data = b'text,label\n"Dear user,\nyour parcel is waiting.\nClick here",spam\nshort,ham\n'

    job = importer.run(upload_file("mail.csv", data))

    assert job["items_created"] == 2
    assert {i["text"] for i in importer.items()} == {
        "Dear user,\nyour parcel is waiting.\nClick here",
        "short",
    }


def test_csv_with_named_columns_and_semicolons(importer):
    data = b"key;body;category\nk1;hello;ham\nk2;offer;spam\n"

    job = importer.run(
        upload_file("data.csv", data),
        delimiter=";",
        text_column="body",
        label_column="category",
        id_column="key",
    )

    assert job["options"] == {
        "delimiter": ";",
        "text_column": "body",
        "label_column": "category",
        "id_column": "key",
    }
    assert job["annotations_created"] == 2
    assert sorted(i["external_id"] for i in importer.items()) == ["k1", "k2"]


def test_sms_spam_tsv_imports_every_distinct_message_with_its_label(importer, dataset_path):
    path = dataset_path("sms_spam_collection.tsv")

    job = importer.run(upload_file(path.name, path.read_bytes()))

    assert report(job) == {
        "status": ImportStatus.SUCCEEDED,
        "rows_seen": 5574,
        "items_created": 5171,
        "items_existing": 0,
        "duplicate_rows": 403,
        "annotations_created": 5171,
        "error_count": 0,
    }
    assert job["errors"] == []
    assert job["processed_bytes"] == job["total_bytes"] == path.stat().st_size
    project = importer.project
    assert Item.objects.filter(project=project).count() == 5171
    imported = Annotation.objects.filter(item__project=project, source=AnnotationSource.IMPORT)
    assert imported.count() == 5171
    assert {tuple(labels) for labels in imported.values_list("labels", flat=True)} == {
        ("ham",),
        ("spam",),
    }

    again = importer.run(upload_file(path.name, path.read_bytes()))

    assert report(again) == {
        "status": ImportStatus.SUCCEEDED,
        "rows_seen": 5574,
        "items_created": 0,
        "items_existing": 5171,
        "duplicate_rows": 403,
        "annotations_created": 0,
        "error_count": 0,
    }
    assert Item.objects.filter(project=project).count() == 5171
    assert imported.count() == 5171


def test_jsonl_import_reads_ids_labels_and_metadata(importer):
    data = (
        b'{"id": "j1", "text": "Hello", "label": "ham", "metadata": {"lang": "en"}}\n'
        b'{"id": "j2", "text": "Offer!", "labels": ["spam"], "channel": "sms"}\n'
        b'{"text": "no id, no label"}\n'
    )

    job = importer.run(upload_file("data.jsonl", data))

    assert (job["items_created"], job["annotations_created"], job["error_count"]) == (3, 2, 0)
    items = {i["external_id"]: i for i in importer.items()}
    assert items["j1"]["metadata"] == {"lang": "en"}
    assert items["j2"]["metadata"] == {"channel": "sms"}
    assert [a["labels"] for a in items["j2"]["annotations"]] == [["spam"]]
    [unnamed] = [i for key, i in items.items() if key.startswith("sha256:")]
    assert unnamed["text"] == "no id, no label"


def test_plain_text_import_makes_one_item_per_non_blank_line(importer):
    data = "first message\n\nsecond message\r\nthird — with unicode ✓\n".encode()

    job = importer.run(upload_file("lines.txt", data))

    assert (job["format"], job["items_created"], job["annotations_created"]) == ("text", 3, 0)
    assert sorted(i["text"] for i in importer.items()) == [
        "first message",
        "second message",
        "third — with unicode ✓",
    ]


def test_format_can_be_given_when_the_file_name_does_not_tell(importer):
    job = importer.run(upload_file("export.dat", b"text\nhello\n"), format="csv")

    assert (job["format"], job["items_created"]) == ("csv", 1)


def test_reimporting_the_same_file_adds_nothing(importer):
    data = b"text,label\nalpha,ham\nbeta,spam\nalpha,ham\n"

    first = importer.run(upload_file("a.csv", data))
    second = importer.run(upload_file("a.csv", data))

    assert (first["items_created"], first["duplicate_rows"], first["annotations_created"]) == (
        2,
        1,
        2,
    )
    assert (second["items_created"], second["items_existing"], second["annotations_created"]) == (
        0,
        2,
        0,
    )
    assert Item.objects.filter(project=importer.project).count() == 2
    assert Annotation.objects.filter(item__project=importer.project).count() == 2


def test_reimport_with_labels_for_items_that_had_none_adds_the_labels_once(importer):
    importer.run(upload_file("a.csv", b"id,text\nx1,alpha\nx2,beta\n"))

    job = importer.run(upload_file("b.csv", b"id,text,label\nx1,alpha,spam\nx2,beta,ham\n"))
    again = importer.run(upload_file("b.csv", b"id,text,label\nx1,alpha,spam\nx2,beta,ham\n"))

    assert (job["items_created"], job["annotations_created"]) == (0, 2)
    assert again["annotations_created"] == 0
    assert Annotation.objects.filter(source=AnnotationSource.IMPORT).count() == 2


def test_html_and_script_in_text_are_stored_verbatim(importer):
    text = '<script>alert("x")</script><img src=x onerror=alert(1)> &amp; <b>bold</b>'
    data = ("id,text\nh1," + '"' + text.replace('"', '""') + '"\n').encode()

    importer.run(upload_file("html.csv", data))

    [item] = importer.items()
    assert item["text"] == text
    assert Item.objects.get(external_id="h1").text == text


def test_import_list_shows_the_newest_job_first(importer):
    importer.run(upload_file("one.csv", b"text\na\n"))
    importer.run(upload_file("two.csv", b"text\nb\n"))

    response = importer.client.get(importer.url)

    assert [j["original_name"] for j in response.json()["results"]] == ["two.csv", "one.csv"]


# --- bad rows: reported with their line, good rows still imported --------------------------------


def test_malformed_csv_rows_are_reported_by_line_and_good_rows_import(importer):
    data = (
        b"id,text,label\n"
        b"r1,good one,ham\n"
        b'r2,"broken"quote,ham\n'
        b"r3,too,many,cells\n"
        b"r4,,ham\n"
        b"r5,good two,spam\n"
    )

    job = importer.run(upload_file("rows.csv", data))

    assert (job["status"], job["items_created"], job["error_count"]) == ("succeeded", 2, 3)
    errors = errors_by_line(job)
    assert set(errors) == {3, 4, 5}
    assert errors[3].startswith("malformed CSV")
    assert errors[4] == "expected 3 columns, found 4"
    assert errors[5] == "empty text"
    assert sorted(i["external_id"] for i in importer.items()) == ["r1", "r5"]


def test_malformed_jsonl_rows_are_reported_by_line_and_good_rows_import(importer):
    data = b'{"text": "ok 1"}\n{"text": "unterminated}\n42\n{"title": "x"}\n{"text": "ok 2"}\n'

    job = importer.run(upload_file("rows.jsonl", data))

    assert (job["items_created"], job["error_count"]) == (2, 3)
    errors = errors_by_line(job)
    assert errors[2].startswith("invalid JSON")
    assert errors[3] == "each line must be a JSON object"
    assert errors[4] == "no text field (expected 'text')"


def test_latin1_bytes_mid_file_make_that_row_an_error_and_the_rest_import(importer):
    data = b"text,label\ncafe,ham\ncaf\xe9 cr\xe8me,ham\nthe end,spam\n"

    job = importer.run(upload_file("mixed.csv", data))

    assert (job["items_created"], job["error_count"]) == (2, 1)
    assert job["errors"] == [{"line": 3, "message": "not valid UTF-8 (byte 0xe9 at column 4)"}]


def test_unknown_label_names_are_listed_and_their_rows_reported(importer):
    data = b"text,label\na,ham\nb,eggs\nc,spam\nd,bacon\ne,eggs\n"

    job = importer.run(upload_file("labels.csv", data))

    assert job["unknown_labels"] == ["bacon", "eggs"]
    assert (job["items_created"], job["annotations_created"], job["error_count"]) == (2, 2, 3)
    assert errors_by_line(job)[3] == "unknown label 'eggs'"


def test_several_labels_for_a_single_label_project_are_reported(importer):
    data = b"text,label\nfine,ham\nboth,ham|spam\n"

    job = importer.run(upload_file("labels.csv", data))

    assert (job["items_created"], job["annotations_created"], job["error_count"]) == (1, 1, 1)
    assert "one label" in errors_by_line(job)[3]
    assert all(len(labels) == 1 for labels in Annotation.objects.values_list("labels", flat=True))


def test_several_labels_are_kept_for_a_multilabel_project(
    api, make_member, django_capture_on_commit_callbacks
):
    multilabel = ProjectFactory(
        task_type=TaskType.MULTILABEL, label_classes=["spam", "phishing", "ham"]
    )
    client = api.as_user(make_member(Role.ADMIN, proj=multilabel))
    importer = Importer(client, multilabel, django_capture_on_commit_callbacks)

    job = importer.run(upload_file("labels.csv", b"text,label\nboth,spam|phishing\n"))

    assert (job["annotations_created"], job["error_count"]) == (1, 0)
    assert Annotation.objects.get().labels == ["spam", "phishing"]


def test_duplicate_external_ids_inside_one_file_are_reported(importer):
    data = b"id,text\nd1,first\nd2,second\nd1,another text with the same id\n"

    job = importer.run(upload_file("dupes.csv", data))

    assert (job["items_created"], job["error_count"]) == (2, 1)
    assert job["errors"] == [
        {"line": 4, "message": "duplicate external id 'd1' (first on line 2)"},
    ]
    assert Item.objects.get(external_id="d1").text == "first"


def test_repeated_text_without_ids_counts_as_duplicate_rows_not_errors(importer):
    job = importer.run(upload_file("dupes.txt", b"same\nsame\nother\nsame\n"))

    assert (job["items_created"], job["duplicate_rows"], job["error_count"]) == (2, 2, 0)


def test_a_file_with_only_a_header_fails_the_job_with_a_reason(importer):
    job = importer.run(upload_file("header.csv", b"text,label\n"))

    assert job["status"] == ImportStatus.FAILED
    assert job["error_message"] == "The file has no rows to import."


# --- bad files: refused at upload with a 4xx naming the problem -----------------------------------


@pytest.fixture
def existing_items(importer):
    return ItemFactory.create_batch(3, project=importer.project)


def assert_nothing_changed(importer, existing_items):
    assert not ImportJob.objects.exists()
    assert list(Item.objects.filter(project=importer.project).order_by("pk")) == existing_items


def test_empty_file_is_refused(importer, existing_items):
    response = importer.post(upload_file("empty.csv", b""))

    assert response.status_code == 400
    assert response.json() == {"message": "The file is empty.", "extra": {"file": "empty.csv"}}
    assert_nothing_changed(importer, existing_items)


def test_request_without_a_file_is_refused(importer, existing_items):
    response = importer.post()

    assert response.status_code == 400
    assert "No file" in response.json()["message"]
    assert_nothing_changed(importer, existing_items)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_file_is_refused_at_upload(importer, existing_items, encoding):
    data = ("\ufeff" if encoding == "utf-16-be" else "") + "text,label\nhello,ham\n"

    response = importer.post(upload_file("excel.csv", data.encode(encoding)))

    assert response.status_code == 400
    assert "UTF-16" in response.json()["message"]
    assert_nothing_changed(importer, existing_items)


def test_file_that_is_not_utf8_from_the_first_line_is_refused(importer, existing_items):
    response = importer.post(upload_file("latin1.txt", "résumé\ncafé\n".encode("latin-1")))

    assert response.status_code == 400
    assert "not UTF-8" in response.json()["message"]
    assert_nothing_changed(importer, existing_items)


def test_file_over_the_size_limit_is_refused_with_413(importer, existing_items, settings):
    settings.TANDEM_IMPORT_MAX_BYTES = 100

    response = importer.post(upload_file("big.csv", b"text\n" + b"x" * 200 + b"\n"))

    assert response.status_code == 413
    body = response.json()
    assert "the limit is 100 bytes" in body["message"]
    assert body["extra"] == {"limit_bytes": 100}
    assert_nothing_changed(importer, existing_items)


def test_body_far_over_the_size_limit_is_refused_before_it_is_read(
    importer, existing_items, settings
):
    settings.TANDEM_IMPORT_MAX_BYTES = 100

    response = importer.post(upload_file("huge.csv", b"text\n" + b"x" * 200_000 + b"\n"))

    assert response.status_code == 413
    assert response.json()["extra"] == {"limit_bytes": 100}
    assert_nothing_changed(importer, existing_items)


def test_images_together_over_the_size_limit_are_refused_with_413(image_importer, settings):
    settings.TANDEM_IMPORT_MAX_BYTES = 150
    files = [upload_file(f"{n}.png", image_bytes()) for n in range(3)]

    response = image_importer.post(*files)

    assert response.status_code == 413
    assert not ImportJob.objects.exists()


def test_missing_text_column_is_refused_listing_the_columns(importer, existing_items):
    response = importer.post(upload_file("cols.csv", b"title,score,label\nhi,3,ham\n"))

    assert response.status_code == 400
    body = response.json()
    assert "No text column found" in body["message"]
    assert "['title', 'score', 'label']" in body["message"]
    assert body["extra"] == {"file": "cols.csv"}
    assert_nothing_changed(importer, existing_items)


def test_named_text_column_that_is_absent_is_refused_listing_the_columns(importer, existing_items):
    response = importer.post(upload_file("cols.csv", b"text,label\nhi,ham\n"), text_column="body")

    assert response.status_code == 400
    assert "'body'" in response.json()["message"]
    assert "['text', 'label']" in response.json()["message"]
    assert_nothing_changed(importer, existing_items)


def test_unknown_file_extension_is_refused(importer, existing_items):
    response = importer.post(upload_file("sheet.xlsx", b"PK\x03\x04 not really"))

    assert response.status_code == 400
    assert "Cannot tell the format" in response.json()["message"]
    assert_nothing_changed(importer, existing_items)


def test_several_text_files_in_one_upload_are_refused(importer, existing_items):
    response = importer.post(upload_file("a.csv", b"text\na\n"), upload_file("b.csv", b"text\nb\n"))

    assert response.status_code == 400
    assert response.json()["message"] == "Upload one text file per import."
    assert_nothing_changed(importer, existing_items)


def test_images_cannot_go_into_a_text_project(importer, existing_items):
    response = importer.post(upload_file("photo.png", image_bytes()), format="images")

    assert response.status_code == 400
    assert "image project" in response.json()["message"]
    assert_nothing_changed(importer, existing_items)


def test_text_files_cannot_go_into_an_image_project(image_importer):
    response = image_importer.post(upload_file("data.csv", b"text\nhello\n"))

    assert response.status_code == 400
    assert not ImportJob.objects.exists()


# --- images --------------------------------------------------------------------------------------


def test_single_png_becomes_an_image_item_with_a_thumbnail(image_importer):
    job = image_importer.run(upload_file("photo.png", image_bytes(size=(640, 480))))

    assert (job["format"], job["items_created"], job["error_count"]) == ("images", 1, 0)
    [item] = image_importer.items()
    assert item["external_id"] == "photo.png"
    assert item["text"] is None
    base = f"/api/v1/projects/{image_importer.project.pk}/items/{item['id']}"
    assert (item["image"], item["thumbnail"]) == (f"{base}/image/", f"{base}/thumbnail/")
    assert (item["metadata"]["width"], item["metadata"]["height"]) == (640, 480)
    assert item["metadata"]["format"] == "PNG"
    stored = Item.objects.get()
    # Random names in the project's folders, with the extension of the verified format.
    pid = image_importer.project.pk
    assert re.fullmatch(rf"items/{pid}/[0-9a-f]{{32}}\.png", stored.image.name)
    assert re.fullmatch(rf"thumbnails/{pid}/[0-9a-f]{{32}}\.(png|jpg)", stored.thumbnail.name)
    with Image.open(stored.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) <= 256
    served = image_importer.client.get(item["thumbnail"])
    assert served.status_code == 200
    assert served["Content-Type"] in {"image/png", "image/jpeg"}


def test_several_image_files_at_once_become_one_job(image_importer):
    files = [
        upload_file("a.png", image_bytes(colour=(255, 0, 0))),
        upload_file("b.jpg", image_bytes("JPEG", colour=(0, 255, 0))),
        upload_file("c.gif", image_bytes("GIF", colour=(0, 0, 255))),
    ]

    job = image_importer.run(*files)

    assert (job["original_name"], job["format"], job["items_created"]) == ("3 images", "images", 3)
    assert sorted(i["external_id"] for i in image_importer.items()) == ["a.png", "b.jpg", "c.gif"]
    assert {i["metadata"]["format"] for i in image_importer.items()} == {"PNG", "JPEG", "GIF"}


def test_zip_with_label_folders_imports_images_with_their_labels(image_importer):
    archive = zip_bytes(
        [
            ("cat/1.png", image_bytes(colour=(1, 1, 1))),
            ("cat/2.jpg", image_bytes("JPEG", colour=(2, 2, 2))),
            ("dog/3.png", image_bytes(colour=(3, 3, 3))),
            ("unsorted.png", image_bytes(colour=(4, 4, 4))),
        ]
    )

    job = image_importer.run(upload_file("pets.zip", archive))

    assert (job["items_created"], job["annotations_created"], job["error_count"]) == (4, 3, 0)
    labels = {
        i["external_id"]: [a["labels"] for a in i["annotations"]] for i in image_importer.items()
    }
    assert labels == {
        "cat/1.png": [["cat"]],
        "cat/2.jpg": [["cat"]],
        "dog/3.png": [["dog"]],
        "unsorted.png": [],
    }

    again = image_importer.run(upload_file("pets.zip", archive))

    assert (again["items_created"], again["items_existing"], again["annotations_created"]) == (
        0,
        4,
        0,
    )


def test_zip_folders_that_are_not_label_classes_only_organise_the_images(image_importer):
    archive = zip_bytes(
        [
            ("photos/2024/1.png", image_bytes(colour=(5, 5, 5))),
            ("photos/cat/2.png", image_bytes(colour=(6, 6, 6))),
        ]
    )

    job = image_importer.run(upload_file("album.zip", archive))

    assert (job["items_created"], job["annotations_created"], job["error_count"]) == (2, 1, 0)
    items = {i["external_id"]: i for i in image_importer.items()}
    assert items["photos/2024/1.png"]["annotations"] == []
    assert items["photos/2024/1.png"]["metadata"]["folder"] == "2024"
    assert [a["labels"] for a in items["photos/cat/2.png"]["annotations"]] == [["cat"]]


def test_identical_images_under_two_names_in_one_batch_are_stored_once_on_disk(image_importer):
    same = image_bytes(colour=(9, 9, 9))

    job = image_importer.run(
        upload_file("twins.zip", zip_bytes([("a.png", same), ("b.png", same)]))
    )

    assert job["items_created"] == 2
    assert len(set(Item.objects.values_list("image", flat=True))) == 1
    assert len([p for p in media_files() if "items" in p.parts]) == 1


def test_file_that_is_not_an_image_is_rejected_and_the_others_import(image_importer):
    files = [
        upload_file("real.png", image_bytes()),
        upload_file("fake.png", b"<html>I am not a picture</html>"),
    ]

    job = image_importer.run(*files)

    assert (job["items_created"], job["error_count"]) == (1, 1)
    [error] = job["errors"]
    assert error["message"] == "fake.png: not an image (Pillow cannot identify it)"
    assert [i["external_id"] for i in image_importer.items()] == ["real.png"]


def test_truncated_image_is_rejected(image_importer):
    noisy = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(noisy, format="JPEG")
    data = noisy.getvalue()

    job = image_importer.run(upload_file("cut.jpg", data[: len(data) // 2]))

    assert (job["items_created"], job["error_count"]) == (0, 1)
    assert "truncated" in job["errors"][0]["message"]
    assert not [p for p in media_files() if "items" in p.parts]


def test_decompression_bomb_header_is_rejected_without_decoding(image_importer):
    archive = zip_bytes(
        [("bomb.png", png_claiming_size(100_000, 100_000)), ("fine.png", image_bytes())]
    )

    job = image_importer.run(upload_file("bomb.zip", archive))

    assert (job["items_created"], job["error_count"]) == (1, 1)
    assert job["errors"][0]["message"].startswith("bomb.png: rejected as a decompression bomb")


def test_image_over_the_configured_pixel_limit_is_rejected(image_importer, settings):
    settings.TANDEM_IMAGE_MAX_PIXELS = 1_000
    files = [
        upload_file("large.png", image_bytes(size=(100, 100))),
        upload_file("small.png", image_bytes(size=(20, 20))),
    ]

    job = image_importer.run(*files)

    assert [i["external_id"] for i in image_importer.items()] == ["small.png"]
    assert job["errors"] == [
        {"line": 1, "message": "large.png: image is 100x100 pixels; the limit is 1,000 pixels"},
    ]


def test_zip_with_path_traversal_and_symlink_entries_writes_nothing_outside_media(
    image_importer, tmp_path
):
    archive = zip_bytes(
        [
            ("../evil.png", image_bytes()),
            ("../../outside.png", image_bytes()),
            ("/abs/evil.png", image_bytes()),
            ("cat/ok.png", image_bytes()),
        ],
        symlinks={"cat/link.png": "/etc/passwd"},
    )
    before = {p for p in tmp_path.rglob("*") if "media" not in p.relative_to(tmp_path).parts}

    job = image_importer.run(upload_file("evil.zip", archive))

    assert [i["external_id"] for i in image_importer.items()] == ["cat/ok.png"]
    messages = [e["message"] for e in job["errors"]]
    assert len(messages) == 4
    assert sum("path leaves the archive" in m for m in messages) == 3
    assert "cat/link.png: symbolic links are not allowed in an import zip" in messages
    after = {p for p in tmp_path.rglob("*") if "media" not in p.relative_to(tmp_path).parts}
    assert after == before
    assert not list(tmp_path.parent.glob("*evil*"))
    media_root = Path(settings.MEDIA_ROOT).resolve()
    assert all(p.resolve().is_relative_to(media_root) for p in media_files())
    assert not any(p.name in {"evil.png", "outside.png", "link.png"} for p in media_files())


def test_zip_that_cannot_be_read_is_reported_by_name(image_importer):
    job = image_importer.run(upload_file("broken.zip", b"PK\x03\x04" + b"\x00" * 40))

    assert (job["items_created"], job["error_count"]) == (0, 1)
    assert job["errors"][0]["message"].startswith("broken.zip: not an image")


# --- interrupted imports -------------------------------------------------------------------------


LABELED = b"id,text,label\n" + b"".join(
    f"i{n},message number {n},{'spam' if n % 3 == 0 else 'ham'}\n".encode() for n in range(10)
)


def test_import_interrupted_half_way_completes_on_retry_without_duplicates(
    importer, settings, monkeypatch
):
    settings.TANDEM_IMPORT_BATCH_SIZE = 3
    original_write = ImportRun._write
    calls = []

    def crash_on_second_batch(run, batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise ConnectionError("database connection lost")
        return original_write(run, batch)

    monkeypatch.setattr(ImportRun, "_write", crash_on_second_batch)
    with pytest.raises(ConnectionError):
        importer.post(upload_file("labeled.csv", LABELED))
    job = ImportJob.objects.get()
    interrupted = importer.job(job.pk)
    assert interrupted["status"] == ImportStatus.FAILED
    assert interrupted["error_message"] == "Import stopped: database connection lost"
    assert Item.objects.count() == 3  # the first batch was committed
    monkeypatch.setattr(ImportRun, "_write", original_write)

    response = importer.retry(job.pk)

    assert response.status_code == 202
    done = importer.job(job.pk)
    assert done["status"] == ImportStatus.SUCCEEDED
    assert done["error_message"] == ""
    assert (done["items_created"], done["items_existing"]) == (7, 3)
    assert sorted(Item.objects.values_list("external_id", flat=True)) == [
        f"i{n}" for n in range(10)
    ]
    assert Annotation.objects.filter(source=AnnotationSource.IMPORT).count() == 10


def test_retry_after_items_were_lost_restores_them_without_duplicates(importer):
    job = importer.run(upload_file("labeled.csv", LABELED))
    Item.objects.filter(external_id__in=[f"i{n}" for n in range(0, 10, 2)]).delete()
    ImportJob.objects.filter(pk=job["id"]).update(status=ImportStatus.FAILED)

    response = importer.retry(job["id"])

    assert response.status_code == 202
    done = importer.job(job["id"])
    assert (done["status"], done["items_created"], done["items_existing"]) == (
        "succeeded",
        5,
        5,
    )
    assert Item.objects.count() == 10
    assert Annotation.objects.count() == 10
    assert Annotation.objects.values("item").distinct().count() == 10


def test_rerunning_a_job_whose_first_batch_was_already_inserted_adds_only_the_rest(
    importer, settings
):
    settings.TANDEM_IMPORT_BATCH_SIZE = 4
    response = importer.client.post(
        importer.url, {"file": upload_file("labeled.csv", LABELED)}, format="multipart"
    )  # queued: the commit hook never fires
    job_id = response.json()["id"]
    import_job_run(job_id=job_id)
    Item.objects.filter(external_id__in=[f"i{n}" for n in range(4, 10)]).delete()

    job = import_job_run(job_id=job_id)

    assert (job.status, job.items_created, job.items_existing) == ("succeeded", 6, 4)
    assert Item.objects.count() == 10
    assert Annotation.objects.count() == 10


def test_retrying_a_queued_or_running_import_is_a_conflict(importer):
    response = importer.client.post(
        importer.url, {"file": upload_file("q.csv", b"text\na\n")}, format="multipart"
    )
    job_id = response.json()["id"]
    assert response.json()["status"] == ImportStatus.QUEUED

    retried = importer.client.post(f"{importer.url}{job_id}/retry/")

    assert retried.status_code == 409
    assert retried.json()["message"] == "This import is still queued or running."


def test_import_stuck_running_past_the_task_time_limit_can_be_retried(importer, settings):
    response = importer.client.post(
        importer.url, {"file": upload_file("s.csv", b"text\nfirst\nsecond\n")}, format="multipart"
    )
    job_id = response.json()["id"]
    # The worker that had it died: it says running, and started longer ago than any task lives.
    started = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.RUNNING, started_at=started)

    with importer._capture(execute=True):
        retried = importer.client.post(f"{importer.url}{job_id}/retry/")

    assert retried.status_code == 202
    job = importer.job(job_id)
    assert (job["status"], job["items_created"]) == (ImportStatus.SUCCEEDED, 2)


def test_damaged_entry_in_a_zip_is_reported_and_the_other_images_import(image_importer):
    first, second = image_bytes(colour=(1, 2, 3)), image_bytes(colour=(4, 5, 6))
    archive = bytearray(zip_bytes([("cat/damaged.png", first), ("dog/fine.png", second)]))
    start = archive.index(first)  # entries are stored uncompressed
    archive[start + 20 : start + 30] = b"\xff" * 10

    job = image_importer.run(upload_file("pets.zip", bytes(archive)))

    assert job["status"] == ImportStatus.SUCCEEDED
    assert [i["external_id"] for i in image_importer.items()] == ["dog/fine.png"]
    assert job["errors"][0]["message"].startswith("cat/damaged.png: cannot be read")


def test_nul_characters_anywhere_in_a_csv_row_are_dropped_and_the_row_imports(importer):
    # PostgreSQL cannot store NUL in text or jsonb; one stray NUL must not fail the import.
    data = b"id,text,note\nn\x001,hel\x00lo,bad\x00note\nn2,fine,ok\n"

    job = importer.run(upload_file("nul.csv", data))

    assert (job["status"], job["items_created"], job["error_count"]) == ("succeeded", 2, 0)
    item = Item.objects.get(external_id="n1")
    assert (item.text, item.metadata) == ("hello", {"note": "badnote"})


def test_escaped_nul_characters_in_jsonl_values_are_dropped_and_the_row_imports(importer):
    data = (
        b'{"id": "j\\u00001", "text": "hi", "meta": {"k\\u0000": ["a\\u0000b"]}}\n{"text": "ok"}\n'
    )

    job = importer.run(upload_file("nul.jsonl", data))

    assert (job["status"], job["items_created"], job["error_count"]) == ("succeeded", 2, 0)
    assert Item.objects.get(external_id="j1").metadata == {"meta": {"k": ["ab"]}}


def test_external_id_longer_than_the_limit_is_reported_not_cut_short(importer):
    long_a, long_b = "x" * 255 + "a", "x" * 255 + "b"
    data = f"id,text\n{long_a},first\n{long_b},second\nshort,third\n".encode()

    job = importer.run(upload_file("ids.csv", data))

    assert (job["items_created"], job["error_count"]) == (1, 2)
    assert errors_by_line(job) == {
        2: "external id is 256 characters; the limit is 255",
        3: "external id is 256 characters; the limit is 255",
    }
    assert list(Item.objects.values_list("external_id", flat=True)) == ["short"]
