"""Cut a real snapshot (snapcore's cut) and export it: the exports match the project's labels,
and a snapshot exported again after new labels arrive gives the same bytes."""

import hashlib
import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest

from labeling.choices import AnnotationSource, JobState
from labeling.models import Annotation, DatasetExport
from labeling.services.datasets.cut import snapshot_create, snapshot_run
from labeling.services.datasets.exports import dataset_export_request, dataset_export_run
from labeling.services.datasets.filters import snapshot_filters_parse
from tests.factories import UserFactory
from tests.labeling.datasets.conftest import make_sms_project

pytestmark = pytest.mark.django_db


def cut(project):
    filters = snapshot_filters_parse(raw={}, class_names=["ham", "spam"])
    snapshot = snapshot_create(project=project, created_by=None, filters=filters, enqueue=False)
    snapshot = snapshot_run(snapshot_id=snapshot.pk)
    assert snapshot.state == JobState.SUCCEEDED, snapshot.error_message
    return snapshot


def export(snapshot, fmt):
    requested, _ = dataset_export_request(snapshot=snapshot, fmt=fmt, user=None, enqueue=False)
    done = dataset_export_run(export_id=requested.pk)
    assert done.state == JobState.SUCCEEDED, done.error_message
    with done.file.open("rb") as handle:
        return done, handle.read()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "hf"])
def test_exports_of_a_cut_snapshot_stay_the_same_bytes_after_new_labels(dataset_path, fmt):
    project, items, _annotator, truth = make_sms_project(dataset_path, 120, labeled=100)
    snapshot = cut(project)
    first, first_bytes = export(snapshot, fmt)
    # New labels arrive; the snapshot is not cut again, and its export, made again, is equal.
    Annotation.objects.bulk_create(
        Annotation(item=item, labels=["spam"], source=AnnotationSource.HUMAN,
                   annotator=UserFactory())
        for item in items[100:]
    )  # fmt: skip
    DatasetExport.objects.filter(pk=first.pk).update(state=JobState.FAILED)
    _again, again_bytes = export(snapshot, fmt)
    assert again_bytes == first_bytes
    assert hashlib.sha256(again_bytes).hexdigest() == first.sha256
    with zipfile.ZipFile(io.BytesIO(first_bytes)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["snapshot"] == snapshot.manifest
        assert manifest["snapshot_manifest_sha256"] == snapshot.manifest_sha256
        if fmt == "jsonl":
            rows = [json.loads(line) for line in archive.read("data.jsonl").splitlines()]
            assert len(rows) == 100
            assert all(row["labels"] == [truth[row["id"]]] for row in rows)
            assert {row["label_source"] for row in rows} == {"human"}
        if fmt == "parquet":
            labels = {}
            for name in manifest["files"]:
                table = pq.read_table(io.BytesIO(archive.read(name)))
                labels.update(
                    zip(
                        table.column("id").to_pylist(),
                        table.column("label").to_pylist(),
                        strict=True,
                    )
                )
            assert labels == {item_id: truth[item_id] for item_id in labels}
            assert len(labels) == 100


def test_the_parquet_export_a_cut_writes_is_the_one_a_later_export_writes(
    dataset_path, monkeypatch
):
    """The cut writes a text project's Parquet export from its pages; asked for again later,
    the export is written from the stored file in batches of another size. Row groups are
    decided row by row (rows and text bytes), so both are the same bytes."""
    from labeling.services.datasets import rows as rows_module
    from labeling.services.datasets.formats import columnar, source

    project, _items, _annotator, _truth = make_sms_project(dataset_path, 120, labeled=110)
    monkeypatch.setattr(rows_module, "PAGE_SIZE", 13)
    monkeypatch.setattr(source, "BATCH_ROWS", 5)
    monkeypatch.setattr(columnar, "ROW_GROUP_ROWS", 7)
    monkeypatch.setattr(columnar, "ROW_GROUP_BYTES", 300)  # a few SMS
    snapshot = cut(project)
    written_by_cut = DatasetExport.objects.get(snapshot=snapshot)
    assert (written_by_cut.format, written_by_cut.state) == ("parquet", JobState.SUCCEEDED)
    assert written_by_cut.rows_total == 110
    first, first_bytes = export(snapshot, "parquet")
    assert first.pk == written_by_cut.pk  # asked for: the one already written

    DatasetExport.objects.filter(pk=first.pk).update(state=JobState.FAILED)
    again, again_bytes = export(snapshot, "parquet")
    assert again.sha256 == first.sha256
    assert again_bytes == first_bytes
    with zipfile.ZipFile(io.BytesIO(first_bytes)) as archive:
        train = pq.ParquetFile(io.BytesIO(archive.read("train.parquet")))
        groups = [train.metadata.row_group(n).num_rows for n in range(train.num_row_groups)]
    assert sum(groups) == train.metadata.num_rows
    assert max(groups) <= 7
    assert min(groups[:-1]) < 7  # some groups end on the bytes, not the rows


def test_a_parquet_export_the_cut_cannot_store_leaves_the_snapshot_and_is_written_when_asked(
    dataset_path, monkeypatch
):
    from django.core.files.storage import default_storage

    from labeling.services.datasets import exports

    project, _items, _annotator, _truth = make_sms_project(dataset_path, 40)
    stored = exports.file_store

    def full_disk(*, folder, **kwargs):
        if folder.startswith("snapshot-exports/"):
            raise OSError("No space left on device")
        return stored(folder=folder, **kwargs)

    monkeypatch.setattr(exports, "file_store", full_disk)
    snapshot = cut(project)  # succeeded (checked by the helper)
    assert not DatasetExport.objects.exists()
    assert default_storage.exists(snapshot.file.name)
    _dirs, files = (
        default_storage.listdir(f"snapshot-exports/{project.pk}")
        if (default_storage.exists(f"snapshot-exports/{project.pk}"))
        else ([], [])
    )
    assert files == []

    monkeypatch.setattr(exports, "file_store", stored)
    done, payload = export(snapshot, "parquet")
    assert done.rows_total == 40
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        assert sorted(archive.namelist())[-1] == "train.parquet"
