"""The whole way round: real SMS messages imported, labeled by two people, cut into a snapshot,
exported in each format and imported into a new project, which then holds the same items with
the same labels, splits and metadata. Automatic labels stay out unless a snapshot asks for them,
and then they are marked and never come back as people's labels."""

import io
import zipfile

import pytest

from labeling.choices import AnnotationSource, ImportStatus, JobState, Split
from labeling.models import Annotation, Item
from labeling.services.datasets.cut import snapshot_create, snapshot_run
from labeling.services.datasets.exports import dataset_export_request, dataset_export_run
from labeling.services.datasets.filters import snapshot_filters_parse
from tests.factories import AnnotationFactory, ProjectFactory, UserFactory
from tests.labeling.services.imports.migration_helpers import run_import, sms

pytestmark = pytest.mark.django_db

FORMATS = ["jsonl", "csv", "parquet", "hf"]


def _source_project():
    """120 SMS texts imported from a CSV file (with a formula-like text and a script tag), 100 of
    them labeled by people (a third by two people who agree), a tenth given an automatic label
    over nothing human, splits moved away from the ones the ids give, metadata kept."""
    rows = sms(120)
    texts = [text for _label, text in rows]
    texts[0] = '=HYPERLINK("http://127.0.0.1/") win a prize'
    texts[1] = "<script>alert(1)</script> call now"
    lines = ["external_id,text,lang"] + [
        f'm{n},"{text.replace(chr(34), chr(34) * 2)}",{"en" if n % 2 else "fr"}'
        for n, text in enumerate(texts)
    ]
    project = ProjectFactory()
    job = run_import(project, "messages.csv", "\n".join(lines).encode())
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert job.items_created == 120
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    items = {item.external_id: item for item in Item.objects.filter(project=project)}
    for n, (label, _text) in enumerate(rows):
        item = items[f"m{n}"]
        if n % 7 == 0:
            moved = {Split.TRAIN: Split.TEST, Split.DEV: Split.TRAIN}
            item.split = moved.get(item.split, Split.DEV)
            item.save(update_fields=["split"])
        if n < 100:
            AnnotationFactory(item=item, annotator=alice, labels=[label])
            if n % 3 == 0:
                AnnotationFactory(item=item, annotator=bob, labels=[label])
        elif n < 112:
            AnnotationFactory(item=item, labels=["spam"], source=AnnotationSource.AUTO)
    return project


def _cut(project, raw=None):
    filters = snapshot_filters_parse(raw=raw or {}, class_names=["ham", "spam"])
    snapshot = snapshot_create(project=project, created_by=None, filters=filters, enqueue=False)
    snapshot = snapshot_run(snapshot_id=snapshot.pk)
    assert snapshot.state == JobState.SUCCEEDED, snapshot.error_message
    return snapshot


def _export(snapshot, fmt) -> bytes:
    requested, _ = dataset_export_request(snapshot=snapshot, fmt=fmt, user=None, enqueue=False)
    done = dataset_export_run(export_id=requested.pk)
    assert done.state == JobState.SUCCEEDED, done.error_message
    with done.file.open("rb") as handle:
        return handle.read()


def _upload(fmt: str, archive: bytes) -> tuple[str, bytes]:
    """What an ML engineer uploads: the data file of the JSONL and CSV zips, the Parquet and
    Hugging Face zips as they are."""
    if fmt in ("jsonl", "csv"):
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            return f"data.{fmt}", zipped.read(f"data.{fmt}")
    return f"snapshot-{fmt}.zip", archive


def _state(project):
    """external_id -> (text, split, metadata, resolved labels) of the project's items."""
    labels: dict[str, set[str]] = {}
    for external_id, item_labels, source in Annotation.objects.filter(
        item__project=project
    ).values_list("item__external_id", "labels", "source"):
        if source != AnnotationSource.AUTO:
            labels.setdefault(external_id, set()).update(item_labels)
    return {
        item.external_id: (item.text, item.split, item.metadata, labels.get(item.external_id))
        for item in Item.objects.filter(project=project)
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_snapshot_exported_and_imported_into_a_new_project_gives_the_same_items(fmt):
    source = _source_project()
    snapshot = _cut(source)
    assert snapshot.counts["items"] == 100  # labeled only; the automatic labels stay out
    name, data = _upload(fmt, _export(snapshot, fmt))
    target = ProjectFactory()

    job = run_import(target, name, data)

    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert job.error_count == 0, job.errors
    before = {key: value for key, value in _state(source).items() if value[3]}
    assert len(before) == 100
    assert _state(target) == before
    assert set(
        Annotation.objects.filter(item__project=target).values_list("source", flat=True)
    ) == {AnnotationSource.IMPORT}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_automatic_labels_asked_for_are_marked_and_never_come_back_as_peoples(fmt):
    source = _source_project()
    snapshot = _cut(source, {"sources": ["human", "auto"]})
    assert snapshot.counts["items"] == 112
    name, data = _upload(fmt, _export(snapshot, fmt))
    target = ProjectFactory()

    job = run_import(target, name, data)

    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert job.skipped == {"automatic label": 12}
    assert Item.objects.filter(project=target).count() == 112
    assert Annotation.objects.filter(item__project=target).count() == 100
