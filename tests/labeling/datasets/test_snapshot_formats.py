"""Each export format of a stored snapshot, read back as training code reads it."""

import csv
import hashlib
import io
import json
import os
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from labeling.choices import DataType, JobState, TaskType
from labeling.models import DatasetExport
from labeling.services.datasets.exports import dataset_export_request, dataset_export_run
from tests.factories import ProjectFactory, UserFactory
from tests.labeling.datasets.snapshot_files import (
    DIGIT_CLASSES,
    digit_rows,
    sms_rows,
    snapshot_row,
    stored_snapshot,
)

# datasets reads these when it is imported: no network, ever.
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

pytestmark = pytest.mark.django_db


def export_now(snapshot, fmt: str) -> DatasetExport:
    export, _ = dataset_export_request(snapshot=snapshot, fmt=fmt, user=None, enqueue=False)
    return dataset_export_run(export_id=export.pk)


def zip_bytes(export: DatasetExport) -> bytes:
    with export.file.open("rb") as handle:
        return handle.read()


def unzip(export: DatasetExport, folder) -> dict:
    with zipfile.ZipFile(io.BytesIO(zip_bytes(export))) as archive:
        archive.extractall(folder)
    return json.loads((folder / "manifest.json").read_text())


@pytest.fixture
def sms_project():
    return ProjectFactory(
        label_classes=["ham", "spam", "unsure"],
        guidelines="# Spam\n\nMark <script>alert(1)</script> ads as **spam**.",
    )


@pytest.fixture
def sms_snapshot(sms_project, dataset_path):
    return stored_snapshot(sms_project, sms_rows(dataset_path))


def test_parquet_has_one_file_per_split_with_the_class_dictionary(sms_snapshot, tmp_path):
    export = export_now(sms_snapshot, "parquet")
    assert export.state == JobState.SUCCEEDED, export.error_message
    manifest = unzip(export, tmp_path)
    assert sorted(manifest["files"]) == ["dev.parquet", "test.parquet", "train.parquet"]
    total = 0
    for split in ("train", "dev", "test"):
        table = pq.read_table(tmp_path / f"{split}.parquet")
        total += table.num_rows
        assert set(table.column("split").to_pylist()) == {split}
        assert table.schema.field("label").type == pa.dictionary(pa.int32(), pa.string())
        assert table.schema.field("id").type == pa.int64()
        assert table.schema.field("n_human").type == pa.int32()
        assert table.schema.field("labeled_at").type == pa.timestamp("us", tz="UTC")
        for chunk in table.column("label").chunks:
            # Every class, in class order, used or not: codes mean the same in every file.
            assert chunk.dictionary.to_pylist() == ["ham", "spam", "unsure"]
    assert total == 300 == export.rows_total == export.rows_done
    train = pq.read_table(tmp_path / "train.parquet").to_pylist()
    by_id = {row["id"]: row for row in train}
    assert by_id[75]["label"] is None  # every 25th row is unlabeled
    assert by_id[3]["label"] in ("ham", "spam")
    assert by_id[120]["is_automatic"] is True
    assert by_id[120]["label_source"] == "auto"


def test_multilabel_parquet_labels_are_a_list_of_dictionary(tmp_path):
    project = ProjectFactory(task_type=TaskType.MULTILABEL, label_classes=["a", "b", "c"])
    rows = [
        snapshot_row(i, labels=[["a", "c"], ["b"], []][i % 3], split="train") for i in range(1, 10)
    ]
    export = export_now(stored_snapshot(project, rows), "parquet")
    unzip(export, tmp_path)
    table = pq.read_table(tmp_path / "train.parquet")
    assert table.schema.field("labels").type == pa.list_(pa.dictionary(pa.int32(), pa.string()))
    assert table.column("labels").to_pylist() == [
        [["a", "c"], ["b"], []][i % 3] for i in range(1, 10)
    ]


def test_hf_dataset_loads_with_class_labels_and_its_card(sms_snapshot, tmp_path):
    import datasets

    export = export_now(sms_snapshot, "hf")
    assert export.state == JobState.SUCCEEDED, export.error_message
    folder = tmp_path / "hf"
    manifest = unzip(export, folder)
    loaded = datasets.load_dataset("parquet", data_dir=str(folder), cache_dir=str(tmp_path / "c"))
    assert set(loaded) == {"train", "validation", "test"}
    assert sum(len(loaded[s]) for s in loaded) == 300
    assert len(loaded["validation"]) == sum(1 for i in range(1, 301) if i % 3 == 1)
    feature = loaded["train"].features["label"]
    assert isinstance(feature, datasets.ClassLabel)
    assert feature.names == ["ham", "spam", "unsure"]
    assert isinstance(loaded["train"].features["text"], datasets.Value)
    first = loaded["train"][0]
    assert feature.int2str(first["label"]) in ("ham", "spam")
    assert -1 in loaded["train"]["label"]  # unlabeled rows, as datasets marks them
    # The card: front matter read by datasets itself (configs and features), then the prose.
    by_card = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "c2"))
    assert by_card["validation"].features["label"].names == ["ham", "spam", "unsure"]
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nconfigs:\n")
    assert sms_snapshot.manifest_sha256 in card
    assert "<script>" not in card
    assert "**spam**" in card
    assert "| validation |" in card
    assert "`unsure`" in card
    for path, digest in manifest["files"].items():
        assert hashlib.sha256((folder / path).read_bytes()).hexdigest() == digest


def test_hf_image_dataset_carries_the_image_bytes(tmp_path):
    import datasets

    project = ProjectFactory(data_type=DataType.IMAGE, task_type=TaskType.MULTICLASS,
                             label_classes=DIGIT_CLASSES)  # fmt: skip
    export = export_now(stored_snapshot(project, digit_rows(project)), "hf")
    assert export.state == JobState.SUCCEEDED, export.error_message
    unzip(export, tmp_path / "hf")
    loaded = datasets.load_dataset(
        "parquet", data_dir=str(tmp_path / "hf"), cache_dir=str(tmp_path / "c")
    )
    assert isinstance(loaded["train"].features["image"], datasets.Image)
    image = loaded["train"][0]["image"]
    assert image.size == (32, 32)


def test_imagefolder_loads_with_labels_from_folders(tmp_path):
    import datasets

    project = ProjectFactory(data_type=DataType.IMAGE, task_type=TaskType.MULTICLASS,
                             label_classes=DIGIT_CLASSES)  # fmt: skip
    rows = digit_rows(project)
    export = export_now(stored_snapshot(project, rows), "imagefolder")
    assert export.state == JobState.SUCCEEDED, export.error_message
    manifest = unzip(export, tmp_path / "folder")
    labeled = [row for row in rows if row["labels"]]
    assert manifest["details"]["unlabeled_left_out"] == len(rows) - len(labeled)
    assert all(not path.startswith(("/", "..")) for path in manifest["files"])
    loaded = datasets.load_dataset("imagefolder", data_dir=str(tmp_path / "folder"),
                                   cache_dir=str(tmp_path / "c"))  # fmt: skip
    assert sum(len(loaded[s]) for s in loaded) == len(labeled)
    assert "validation" in loaded  # Tandem's dev split
    # metadata.csv carries the class name; the manifest the class names in class order.
    assert manifest["details"]["classes"] == DIGIT_CLASSES
    loaded = loaded.cast_column("label", datasets.ClassLabel(names=manifest["details"]["classes"]))
    feature = loaded["train"].features["label"]
    by_id = {row["id"]: row["labels"][0] for row in labeled}
    for example in loaded["train"]:
        assert feature.int2str(example["label"]) == by_id[example["id"]]
        assert example["image"].size == (32, 32)


def test_text_and_csv_keep_hostile_text_as_text(tmp_path):
    project = ProjectFactory()
    rows = [
        snapshot_row(1, external_id="<script>alert(1)</script>", text='=HYPERLINK("http://x")'),
        snapshot_row(2, text="<img src=x onerror=alert(1)>", labels=["spam"], external_id="+1"),
    ]
    snapshot = stored_snapshot(project, rows)
    jsonl = export_now(snapshot, "jsonl")
    with zipfile.ZipFile(io.BytesIO(zip_bytes(jsonl))) as archive:
        lines = [json.loads(line) for line in archive.read("data.jsonl").splitlines()]
    assert lines[0]["external_id"] == "<script>alert(1)</script>"
    assert lines[0]["text"] == '=HYPERLINK("http://x")'  # JSONL keeps values as they are
    assert lines[1]["labels"] == ["spam"]
    assert lines[1]["metadata"] == {}
    assert lines[0]["labeled_at"] == "2026-11-02T09:30:00.000000+00:00"
    exported = export_now(snapshot, "csv")
    with zipfile.ZipFile(io.BytesIO(zip_bytes(exported))) as archive:
        table = list(csv.DictReader(io.StringIO(archive.read("data.csv").decode())))
    assert table[0]["text"] == '\'=HYPERLINK("http://x")'
    assert table[1]["external_id"] == "'+1"
    assert table[0]["external_id"] == "<script>alert(1)</script>"
    assert table[1]["text"] == "<img src=x onerror=alert(1)>"
    assert exported.file_name == f"snapshot-{project.pk}-1-csv.zip"


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "hf"])
def test_exporting_twice_gives_the_same_bytes(sms_project, dataset_path, fmt):
    rows = sms_rows(dataset_path, limit=120)
    first = export_now(stored_snapshot(sms_project, rows, number=1), fmt)
    # The same stored rows in another snapshot (another file in storage, another export row,
    # written later) give the same zip, byte for byte.
    again = export_now(stored_snapshot(sms_project, rows, number=2), fmt)
    first_bytes, again_bytes = zip_bytes(first), zip_bytes(again)
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    assert first.size_bytes == len(first_bytes)
    with zipfile.ZipFile(io.BytesIO(first_bytes)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        manifest = json.loads(archive.read("manifest.json"))
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        assert manifest["format"] == fmt
        assert manifest["snapshot"]["snapshot"] == 1
    assert first.files == {**manifest["files"], "manifest.json": first.files["manifest.json"]}
    # The data files are equal too (the card and manifest name the snapshot's number).
    data_files = [name for name in manifest["files"] if name != "README.md"]
    assert data_files
    assert {name: again.files[name] for name in data_files} == {
        name: first.files[name] for name in data_files
    }
    assert again_bytes != first_bytes
    # Same snapshot exported again after its export failed and was re-requested: same bytes.
    DatasetExport.objects.filter(pk=first.pk).update(state=JobState.FAILED, file="")
    redone = export_now(first.snapshot, fmt)
    assert zip_bytes(redone) == first_bytes


def test_an_image_missing_from_storage_fails_the_export_and_stores_nothing(tmp_path):
    from django.core.files.storage import default_storage

    project = ProjectFactory(data_type=DataType.IMAGE, task_type=TaskType.MULTICLASS,
                             label_classes=DIGIT_CLASSES)  # fmt: skip
    rows = digit_rows(project, count=6)
    default_storage.delete(rows[2]["image_name"])
    export = export_now(stored_snapshot(project, rows), "imagefolder")
    assert export.state == JobState.FAILED
    assert f"item {rows[2]['id']}" in export.error_message
    assert not export.file
    _, files = default_storage.listdir(f"snapshot-exports/{project.pk}") if default_storage.exists(
        f"snapshot-exports/{project.pk}") else ([], [])  # fmt: skip
    assert files == []
    UserFactory()


def test_an_export_whose_workers_all_died_is_failed_not_run_again(sms_snapshot, settings):
    export, _ = dataset_export_request(
        snapshot=sms_snapshot, fmt="parquet", user=None, enqueue=False
    )
    # Each run counts its attempt before it starts: these runs all ended with their worker.
    DatasetExport.objects.filter(pk=export.pk).update(
        state=JobState.RUNNING, attempts=settings.TANDEM_TASK_MAX_ATTEMPTS
    )
    export = dataset_export_run(export_id=export.pk)
    assert export.state == JobState.FAILED
    assert "killed or out of memory" in export.error_message
    assert not export.file
    # Requested again by a person, it runs.
    export, queued = dataset_export_request(
        snapshot=sms_snapshot, fmt="parquet", user=None, enqueue=False
    )
    assert queued
    assert dataset_export_run(export_id=export.pk).state == JobState.SUCCEEDED


def test_a_succeeded_export_is_not_written_twice(sms_snapshot):
    first = export_now(sms_snapshot, "jsonl")
    again = dataset_export_run(export_id=first.pk)  # a duplicate task message
    assert again.file.name == first.file.name
    assert again.attempts == first.attempts


def test_imagefolder_folders_never_come_from_unsafe_class_names(tmp_path):
    import datasets

    classes = ["zero", "../one", "=two"]
    project = ProjectFactory(data_type=DataType.IMAGE, task_type=TaskType.MULTICLASS,
                             label_classes=classes)  # fmt: skip
    rows = digit_rows(project, count=12)
    renamed = dict(zip(DIGIT_CLASSES, classes, strict=True))
    for row in rows:
        row["labels"] = [renamed[label] for label in row["labels"]]
    export = export_now(stored_snapshot(project, rows), "imagefolder")
    manifest = unzip(export, tmp_path / "folder")
    assert manifest["details"]["label_folders"] == {
        "zero": "zero",
        "class-1": "../one",
        "class-2": "=two",
    }
    assert not any(".." in path for path in manifest["files"])
    metadata = (tmp_path / "folder" / "train" / "metadata.csv").read_text()
    assert ",'=two," in metadata  # the name, escaped for spreadsheets
    loaded = datasets.load_dataset("imagefolder", data_dir=str(tmp_path / "folder"),
                                   cache_dir=str(tmp_path / "c"))  # fmt: skip
    loaded = loaded.cast_column("label", datasets.ClassLabel(names=manifest["details"]["classes"]))
    expected = {row["id"]: row["labels"][0] for row in rows if row["labels"]}
    for split in loaded:
        for example in loaded[split]:
            assert (
                loaded[split].features["label"].int2str(example["label"]) == expected[example["id"]]
            )


def test_multilabel_hf_labels_are_a_sequence_of_class_labels(tmp_path):
    import datasets

    project = ProjectFactory(task_type=TaskType.MULTILABEL, label_classes=["a", "b", "c"])
    rows = [
        snapshot_row(i, labels=[["a", "c"], ["b"], []][i % 3], split="train") for i in range(1, 10)
    ]
    export = export_now(stored_snapshot(project, rows), "hf")
    unzip(export, tmp_path / "hf")
    loaded = datasets.load_dataset(
        "parquet", data_dir=str(tmp_path / "hf"), cache_dir=str(tmp_path / "c")
    )
    feature = loaded["train"].features["labels"]
    assert isinstance(feature, datasets.List)
    assert feature.feature.names == ["a", "b", "c"]
    assert loaded["train"]["labels"][:3] == [[1], [], [0, 2]]


def test_jsonl_of_an_image_snapshot_links_each_image_through_the_api():
    project = ProjectFactory(data_type=DataType.IMAGE, task_type=TaskType.MULTICLASS,
                             label_classes=DIGIT_CLASSES)  # fmt: skip
    rows = digit_rows(project, count=4)
    export = export_now(stored_snapshot(project, rows), "jsonl")
    with zipfile.ZipFile(io.BytesIO(zip_bytes(export))) as archive:
        lines = [json.loads(line) for line in archive.read("data.jsonl").splitlines()]
    assert [line["image"] for line in lines] == [
        f"/api/v1/projects/{project.pk}/items/{row['id']}/image/" for row in rows
    ]
    assert all(line["text"] is None for line in lines)
    assert list(lines[0]) == [
        "id", "external_id", "text", "image", "split", "labels", "label_source", "resolution",
        "is_automatic", "n_human", "n_import", "n_moderation", "n_appeal", "n_auto",
        "annotators", "proposal_accepted", "proposed_by", "labeled_at", "metadata",
        "content_hash", "is_audit",
    ]  # fmt: skip
    assert not any(
        row["image_name"] in archive_text for row in rows for archive_text in [str(lines)]
    )


def test_a_truncated_snapshot_file_fails_the_export_with_a_message(sms_snapshot):
    with sms_snapshot.file.open("rb") as handle:
        content = handle.read()
    with open(sms_snapshot.file.path, "wb") as handle:
        handle.write(content[: len(content) // 2])
    export = export_now(sms_snapshot, "parquet")
    assert export.state == JobState.FAILED
    assert "stored file cannot be read" in export.error_message
    assert not export.file
