"""Label Studio JSON exports: tasks streamed from one JSON array, choices and taxonomy results
as labels, one imported annotation per Label Studio annotator, predictions as the proposals of
an archived "imported" model version, and everything not imported counted or reported per task.

The fixtures are written here from Label Studio's documented export format, with real SMS texts.
"""

import hashlib
import io
import json
import zipfile

import pytest
from PIL import Image

from core.exceptions import ApplicationError
from labeling.choices import AnnotationSource, DataType, ImportFormat, ImportStatus, TaskType
from labeling.models import Annotation, Item
from labeling.services.imports.readers.json_array import JsonArrayReader
from labeling.services.imports.readers.rows import ImportFileError
from labeling.services.queue import queue_next
from models_app.choices import Stage
from models_app.models import ModelVersion
from tests.factories import ProjectFactory, UserFactory
from tests.labeling.services.imports.migration_helpers import messages, run_import, sms

pytestmark = pytest.mark.django_db


def ls_person(person) -> str:
    return "ls-" + hashlib.sha256(str(person).encode()).hexdigest()[:10]


def choices(label, name="sentiment"):
    return {
        "id": "r1",
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [label] if isinstance(label, str) else label},
    }


def annotation(label, *, by=1, cancelled=False, results=None):
    return {
        "id": 100 + (by if isinstance(by, int) else 50),
        "completed_by": by,
        "was_cancelled": cancelled,
        "result": results if results is not None else [choices(label)],
        "lead_time": 3.2,
    }


def task(task_id, text, *annotations, predictions=None, **data):
    return {
        "id": task_id,
        "data": {"text": text, **data},
        "annotations": list(annotations),
        "predictions": predictions or [],
        "meta": {},
        "created_at": "2024-05-01T10:00:00.000000Z",
        "project": 3,
    }


def export(tasks) -> bytes:
    # Label Studio writes an indented array; the reader must not care about the layout.
    return json.dumps(tasks, indent=2).encode()


def test_choices_with_several_annotators_cancelled_and_skipped_tasks():
    (_ham1, text1), (_ham2, text2), (_, text3), (_, text4) = sms(4)
    project = ProjectFactory()
    tasks = [
        task(1, text1, annotation("ham", by=7), annotation("spam", by={"id": 9, "email": "x@y"})),
        task(2, text2, annotation("ham", by=7, cancelled=True)),
        task(3, text3),  # never annotated
        task(4, text4, annotation("spam", by=7), source="sms"),
    ]

    job = run_import(project, "project-3-at-2024.json", export(tasks))

    assert job.format == ImportFormat.LABEL_STUDIO
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert job.items_created == 4
    assert job.error_count == 0
    assert job.skipped == {"cancelled annotation": 1, "task without annotations": 1}
    first = Item.objects.get(project=project, external_id="1")
    assert first.text == text1
    assert first.metadata == {"label_studio_id": 1}
    assert sorted(first.annotations.values_list("import_annotator", "labels")) == sorted(
        [(ls_person(7), ["ham"]), (ls_person(9), ["spam"])]
    )
    assert set(first.annotations.values_list("source", flat=True)) == {AnnotationSource.IMPORT}
    # Skipped tasks keep their item, unlabeled.
    assert not Annotation.objects.filter(item__external_id__in=["2", "3"]).exists()
    assert Item.objects.get(project=project, external_id="4").metadata["source"] == "sms"
    assert job.annotations_created == 3

    again = run_import(project, "project-3-at-2024.json", export(tasks))
    assert again.items_existing == 4
    assert again.annotations_created == 0
    assert Annotation.objects.filter(item__project=project).count() == 3


def test_taxonomy_paths_give_their_leaf_as_the_label():
    (_, text), *_ = sms(1)
    project = ProjectFactory(task_type=TaskType.MULTILABEL, label_classes=["phishing", "promo"])
    result = {
        "from_name": "topic",
        "to_name": "text",
        "type": "taxonomy",
        "value": {"taxonomy": [["Spam", "phishing"], ["Spam", "Marketing", "promo"]]},
    }
    job = run_import(project, "t.json", export([task(5, text, annotation(None, results=[result]))]))

    assert job.error_count == 0, job.errors
    assert Annotation.objects.get(item__project=project).labels == ["phishing", "promo"]


def test_predictions_become_proposals_of_an_imported_model_shown_in_the_queue():
    rows = sms(3)
    project = ProjectFactory()
    prediction = {"model_version": "bert-v3", "score": 0.87, "result": [choices("spam")]}
    tasks = [task(n, text, predictions=[prediction]) for n, (_, text) in enumerate(rows, 1)]

    job = run_import(project, "p.json", export(tasks))

    assert job.status == ImportStatus.SUCCEEDED
    assert job.error_count == 0, job.errors
    version = ModelVersion.objects.get(owner=project.owner_key)
    assert version.algorithm == "imported"
    assert version.hyperparameters == {"model_version": "bert-v3"}
    assert version.stage == Stage.ARCHIVED  # never served, promoted or rolled back to
    items = Item.objects.filter(project=project)
    assert {(i.predicted_label, i.confidence, i.scored_by_id) for i in items} == {
        ("spam", 0.87, version.pk)
    }
    # A second file from the same model names the same version.
    run_import(
        project, "p2.json", export([task(9, "another message entirely", predictions=[prediction])])
    )
    assert ModelVersion.objects.filter(owner=project.owner_key).count() == 1

    assignment = queue_next(project=project, user=UserFactory())
    assert assignment.suggested_labels == ["spam"]
    assert assignment.suggested_by_id == version.pk


def test_result_types_tandem_cannot_map_are_reported_by_tag_and_the_choices_kept():
    (_, text), *_ = sms(1)
    project = ProjectFactory()
    spans = {
        "from_name": "entities",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 0, "end": 4, "labels": ["PER"]},
    }
    note = {"from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": ["x"]}}
    job = run_import(
        project,
        "ner.json",
        export([task(1, text, annotation("ham", results=[choices("ham"), spans, note]))]),
    )

    assert job.items_created == 1
    assert messages(job) == {
        1: "results Tandem cannot map, not imported: entities (labels), comment (textarea)"
    }
    assert job.skipped == {
        "unmapped result: entities (labels)": 1,
        "unmapped result: comment (textarea)": 1,
    }
    assert Annotation.objects.get(item__project=project).labels == ["ham"]


def test_unknown_labels_and_wrong_types_are_reported_per_task_and_nothing_created():
    rows = sms(7)
    project = ProjectFactory()
    tasks = [
        task(1, rows[0][1], annotation("maybe")),
        task(2, rows[1][1], annotation(None, results={"not": "a list"})),
        task(3, rows[2][1], annotation(None, results=[choices([1, 2])])),
        {"id": 4, "data": "not an object"},
        {"id": 5, "data": {"subject": rows[4][1], "title": "two keys, neither is text"}},
        task(
            6,
            rows[5][1],
            annotation("ham"),
            predictions=[{"score": "high", "result": [choices("ham")]}],
        ),
        task(7, rows[6][1], annotation("ham"), predictions=[{"result": [choices("bogus")]}]),
    ]
    job = run_import(project, "bad.json", export(tasks))

    assert job.status == ImportStatus.SUCCEEDED
    errors = messages(job)
    assert errors[1] == f"unknown label 'maybe' (annotator {ls_person(1)})"
    assert errors[2] == "annotation 1: result is not a list"
    assert errors[3] == "annotation 1: value.choices is not a list of strings"
    assert errors[4] == "data is not an object"
    assert errors[5].startswith("no text in data (keys: subject, title)")
    assert errors[6] == "prediction 1: score is not a number from 0 to 1"
    assert errors[7] == "proposal not imported: unknown label 'bogus'"
    assert sorted(job.unknown_labels) == ["bogus", "maybe"]
    assert list(project.label_classes.values_list("name", flat=True)) == ["ham", "spam"]
    # Task 7 keeps its item and its label, without the proposal.
    assert list(Item.objects.filter(project=project).values_list("external_id", flat=True)) == ["7"]


def test_a_named_text_key_and_json_min_exports():
    (_, text1), (_, text2) = sms(2)
    project = ProjectFactory()
    tasks = [{"id": 1, "data": {"msg": text1, "lang": "en"}, "annotations": [annotation("spam")]}]
    job = run_import(project, "a.json", export(tasks), options={"text_column": "msg"})
    assert job.error_count == 0, job.errors
    assert Item.objects.get(project=project, external_id="1").metadata == {
        "lang": "en",
        "label_studio_id": 1,
    }

    minimal = [
        {"id": 2, "text": text2, "label": {"choices": ["ham"]}, "annotator": "ann@example.org",
         "annotation_id": 4, "lead_time": 1.0},
    ]  # fmt: skip
    job = run_import(project, "min.json", export(minimal))
    assert job.error_count == 0, job.errors
    assert Annotation.objects.get(item__external_id="2").import_annotator == ls_person(
        "ann@example.org"
    )


def test_markup_in_texts_and_ids_stays_text():
    project = ProjectFactory()
    script = "<script>alert('x')</script> WIN a prize"
    job = run_import(
        project, "<img src=x onerror=alert(1)>.json", export([task("<b>1</b>", script)])
    )

    item = Item.objects.get(project=project)
    assert (item.text, item.external_id) == (script, "<b>1</b>")
    assert job.original_name == "<img src=x onerror=alert(1)>.json"


def test_a_file_that_is_not_an_array_is_refused_before_it_is_queued():
    project = ProjectFactory()
    with pytest.raises(ApplicationError, match="JSON array of tasks"):
        run_import(project, "one.json", json.dumps(task(1, "hello")).encode())
    assert not project.import_jobs.exists()


def test_a_truncated_export_fails_saying_what_was_kept(settings):
    settings.TANDEM_IMPORT_BATCH_SIZE = 2
    rows = sms(5)
    project = ProjectFactory()
    data = export([task(n, text, annotation(label)) for n, (label, text) in enumerate(rows, 1)])
    job = run_import(project, "cut.json", data[: len(data) - 40])

    assert job.status == ImportStatus.FAILED
    assert job.error_message.startswith("The JSON breaks off or is invalid in task 5")
    # The two batches written before the break stay, and the message says so; the batch being
    # filled when the file broke is dropped.
    assert job.items_created == 4
    assert "4 items and 4 labels written before it were kept" in job.error_message
    full = run_import(project, "whole.json", data)
    assert (full.items_created, full.items_existing) == (1, 4)


def test_the_array_is_read_in_chunks_whatever_the_layout():
    rows = sms(50)
    data = json.dumps(
        [task(n, text, annotation(label)) for n, (label, text) in enumerate(rows, 1)],
        separators=(",", ":"),
    ).encode()
    reader = JsonArrayReader(io.BytesIO(data), max_element_chars=10_000, chunk_bytes=64)
    read = [element["data"]["text"] for _, element in reader]
    assert read == [text for _, text in rows]
    assert reader.bytes_read == len(data)

    huge = json.dumps([{"data": {"text": "x" * 5000}}]).encode()
    with pytest.raises(ImportFileError, match="larger than 1,000 characters"):
        list(JsonArrayReader(io.BytesIO(huge), max_element_chars=1000, chunk_bytes=128))


def png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, format="PNG")
    return out.getvalue()


def test_an_image_project_reads_uploaded_images_from_the_zip_and_never_fetches_urls():
    project = ProjectFactory(data_type=DataType.IMAGE, label_classes=["cat", "dog"])
    tasks = [
        {"id": 1, "data": {"image": "/data/upload/3/1a2b3c4d-cat.png"},
         "annotations": [annotation("cat")]},
        {"id": 2, "data": {"image": "https://example.org/dog.png"}, "annotations": []},
        {"id": 3, "data": {"image": "/data/local-files/?d=photos/dog.png"},
         "annotations": [annotation("dog")]},
        {"id": 4, "data": {"image": "/data/upload/3/missing.png"}, "annotations": []},
    ]  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export.json", export(tasks))
        archive.writestr("upload/cat.png", png((200, 10, 10)))
        archive.writestr("photos/dog.png", png((10, 200, 10)))

    job = run_import(project, "with-images.zip", buffer.getvalue())

    assert job.format == ImportFormat.LABEL_STUDIO
    assert job.items_created == 2, job.errors
    errors = messages(job)
    assert errors[2] == "image 'https://example.org/dog.png' is a URL; Tandem does not fetch URLs"
    assert errors[4] == "image 'data/upload/3/missing.png' is not in the zip"
    labels = dict(
        Annotation.objects.filter(item__project=project).values_list("item__external_id", "labels")
    )
    assert labels == {"1": ["cat"], "3": ["dog"]}
    assert (
        Item.objects.get(project=project, external_id="1").metadata["filename"]
        == "1a2b3c4d-cat.png"
    )


class GeneratedExport(io.RawIOBase):
    """A Label Studio export of ``tasks`` tasks produced as it is read: never whole in memory."""

    def __init__(self, tasks: int, text: str):
        self._parts = (
            b"[" if n < 0 else (b"," if n else b"") + export([task(n, f"{text} #{n}")])[1:-1]
            for n in range(-1, tasks)
        )
        self._pending = b""
        self._closing = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self._pending) < len(buffer):
            part = next(self._parts, None)
            if part is None:
                if not self._closing:
                    self._closing = True
                    self._pending += b"]"
                break
            self._pending += part
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def test_a_large_export_is_streamed_with_a_bounded_buffer():
    (_, text), *_ = sms(1)
    source = io.BufferedReader(GeneratedExport(20_000, text))
    reader = JsonArrayReader(source, max_element_chars=100_000, chunk_bytes=4096)
    largest = count = 0
    for _, element in reader:
        count += 1
        largest = max(largest, len(reader._buf))
        assert element["data"]["text"] == f"{text} #{count - 1}"
    assert count == 20_000
    assert reader.bytes_read > 5_000_000
    # Held at once: one chunk plus the element being read, whatever the file's size.
    assert largest < 2 * 4096 + 1000


def test_the_imported_model_version_cannot_be_put_into_service():
    from models_app.services.registry import model_version_set_stage

    project = ProjectFactory()
    prediction = {"model_version": "v1", "score": 0.6, "result": [choices("ham")]}
    run_import(
        project,
        "p.json",
        export([task(1, "Free entry in 2 a wkly comp", predictions=[prediction])]),
    )
    version = ModelVersion.objects.get(owner=project.owner_key)
    for stage in (Stage.PRODUCTION, Stage.SHADOW, Stage.CANARY, Stage.CANDIDATE):
        with pytest.raises(ApplicationError, match="no model to serve"):
            model_version_set_stage(version=version, stage=stage)
    version.refresh_from_db()
    assert version.stage == Stage.ARCHIVED
