"""Parquet imports: a Hugging Face dataset's files (ClassLabel names from the file's
``huggingface`` metadata), a Tandem snapshot's Parquet (dictionary label column, split,
metadata as JSON text, provenance columns left out), a zip of split files, and damaged files.
Files are written in the tests with ``datasets`` and pyarrow, with real SMS texts."""

import io
import json
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import ClassLabel, Dataset, Features, Sequence, Value

from core.exceptions import ApplicationError
from labeling.choices import ImportFormat, ImportStatus, TaskType
from labeling.models import Annotation, Item
from tests.factories import ProjectFactory
from tests.labeling.services.imports.migration_helpers import messages, run_import, sms

pytestmark = pytest.mark.django_db


def hf_parquet(tmp_path, name: str, data: dict, features: Features) -> bytes:
    path = tmp_path / name
    Dataset.from_dict(data, features=features).to_parquet(str(path))
    return path.read_bytes()


def test_a_hugging_face_dataset_with_a_class_label_column(tmp_path):
    rows = sms(40)
    project = ProjectFactory()
    features = Features({"sms": Value("string"), "label": ClassLabel(names=["ham", "spam"]),
                         "source": Value("string")})  # fmt: skip
    data = {
        "sms": [text for _, text in rows],
        "label": [1 if label == "spam" else 0 for label, _ in rows],
        "source": ["uci"] * len(rows),
    }
    data["label"][0] = -1  # the datasets convention for "no label"
    content = hf_parquet(tmp_path, "train-00000-of-00001.parquet", data, features)

    job = run_import(project, "train-00000-of-00001.parquet", content)

    assert job.format == ImportFormat.PARQUET
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert job.error_count == 0, job.errors
    assert job.items_created == 40
    assert job.annotations_created == 39
    assert set(Item.objects.filter(project=project).values_list("split", flat=True)) == {"train"}
    by_text = dict(
        Annotation.objects.filter(item__project=project).values_list("item__text", "labels")
    )
    for label, text in rows[1:]:
        assert by_text[text] == [label]
    metadata = Item.objects.filter(project=project).values_list("metadata", flat=True)
    assert [m for m in metadata if m == {"source": "uci"}] == [{"source": "uci"}] * 40


def test_multilabel_sequences_of_class_labels(tmp_path):
    rows = sms(3)
    project = ProjectFactory(
        task_type=TaskType.MULTILABEL, label_classes=["promo", "phishing", "chat"]
    )
    features = Features(
        {
            "text": Value("string"),
            "labels": Sequence(ClassLabel(names=["promo", "phishing", "chat"])),
        }
    )
    data = {"text": [t for _, t in rows], "labels": [[0, 1], [2], []]}
    job = run_import(project, "data.parquet", hf_parquet(tmp_path, "d.parquet", data, features))

    assert job.error_count == 0, job.errors
    assert sorted(Annotation.objects.values_list("labels", flat=True)) == [
        ["chat"],
        ["promo", "phishing"],
    ]


def snapshot_table(rows, split: str, start: int = 0) -> pa.Table:
    """A table shaped as a Tandem snapshot Parquet export: a dictionary label column, a split
    column, metadata as JSON text and provenance columns."""
    count = len(rows)
    return pa.table({
        "id": pa.array(range(start + 1, start + count + 1), pa.int64()),
        "external_id": [f"sms-{n}" for n in range(start, start + count)],
        "text": [t for _, t in rows],
        "split": [split] * count,
        "label": pa.array([label for label, _ in rows]).dictionary_encode(),
        "label_source": ["human"] * count,
        "n_human": pa.array([2] * count, pa.int32()),
        "annotators": [["u-1", "u-2"]] * count,
        "metadata": [json.dumps({"lang": "en", "n": n}, sort_keys=True) for n in range(count)],
        "content_hash": ["0" * 64] * count,
        "is_automatic": [False] * count,
    })  # fmt: skip


def parquet_bytes(table: pa.Table, **kwargs) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, **kwargs)
    return out.getvalue()


def test_a_zip_of_tandem_snapshot_split_files_restores_labels_splits_and_metadata():
    rows = sms(30)
    project = ProjectFactory()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train.parquet", parquet_bytes(snapshot_table(rows[:20], "train")))
        # The split column wins over the file name; the file name serves when there is none.
        archive.writestr("dev.parquet", parquet_bytes(snapshot_table(rows[20:25], "dev", 20)))
        archive.writestr("validation.parquet", parquet_bytes(
            snapshot_table(rows[25:], "test", 25).drop_columns(["split", "content_hash"])
        ))  # fmt: skip
        archive.writestr("manifest.json", b"{}")

    job = run_import(project, "snapshot-3-parquet.zip", buffer.getvalue())

    assert job.format == ImportFormat.PARQUET
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert job.error_count == 0, job.errors
    items = {i.text: i for i in Item.objects.filter(project=project)}
    assert len(items) == 30
    assert [items[t].split for _, t in rows] == ["train"] * 20 + ["dev"] * 10
    first = items[rows[0][1]]
    assert first.external_id == "sms-0"
    assert first.metadata == {"lang": "en", "n": 0}  # provenance columns are not metadata
    labels = dict(
        Annotation.objects.filter(item__project=project).values_list("item__text", "labels")
    )
    assert all(labels[t] == [label] for label, t in rows)


def test_a_truncated_parquet_file_is_refused_before_it_is_queued():
    rows = sms(10)
    content = parquet_bytes(snapshot_table(rows, "train"))
    project = ProjectFactory()
    with pytest.raises(ApplicationError, match="truncated"):
        run_import(project, "cut.parquet", content[: len(content) // 2])
    with pytest.raises(ApplicationError, match="not a Parquet file"):
        run_import(project, "fake.parquet", b"text,label\nhello,ham\n")
    assert not project.import_jobs.exists()
    assert not Item.objects.filter(project=project).exists()


def test_a_damaged_data_page_fails_the_job_saying_so(tmp_path):
    rows = sms(200)
    table = pa.table({"text": [t for _, t in rows], "label": [label for label, _ in rows]})
    content = bytearray(parquet_bytes(table, compression="snappy", row_group_size=100))
    # Damage the middle of the second row group's data, leaving the footer intact.
    meta = pq.read_metadata(io.BytesIO(bytes(content)))
    column = meta.row_group(1).column(0)
    start = column.data_page_offset + 40
    content[start : start + 200] = b"\xff" * 200
    project = ProjectFactory()

    job = run_import(project, "damaged.parquet", bytes(content))

    assert job.status == ImportStatus.FAILED
    assert job.error_message.startswith(
        "damaged.parquet: the Parquet file is damaged after its first"
    )


def test_unknown_labels_numbers_without_names_and_bad_splits_are_reported():
    rows = sms(4)
    table = pa.table({
        "text": [t for _, t in rows],
        "label": ["ham", "eggs", "spam", "ham"],
        "split": ["train", "train", "holdout", "test"],
    })  # fmt: skip
    project = ProjectFactory()
    job = run_import(project, "x.parquet", parquet_bytes(table))

    assert messages(job) == {
        2: "unknown label 'eggs'",
        3: "split 'holdout' is not train, dev (validation) or test",
    }
    assert job.unknown_labels == ["eggs"]
    assert Item.objects.filter(project=project).count() == 2

    numbers = pa.table({"text": [t for _, t in rows], "label": [0, 1, 0, 1]})
    job = run_import(project, "n.parquet", parquet_bytes(numbers))
    assert job.status == ImportStatus.FAILED
    assert "holds numbers but the file names no classes" in job.error_message


def test_markup_stays_text():
    script = "<script>alert(1)</script> claim your prize"
    project = ProjectFactory()
    run_import(project, "<b>x</b>.parquet", parquet_bytes(pa.table({"text": [script]})))
    assert Item.objects.get(project=project).text == script
