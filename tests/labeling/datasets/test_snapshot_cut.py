"""Cutting dataset snapshots of real SMS messages: the resolved label of each item and its
provenance against hand-built cases, training's own hash, determinism, filters, failures."""

import hashlib
from datetime import timedelta

import orjson
import pyarrow.parquet as pq
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from core.exceptions import ApplicationError
from labeling.choices import AnnotationOutcome, AnnotationSource, JobState, TaskType
from labeling.models import Adjudication, Annotation, DatasetSnapshot, Item, LabelClass
from labeling.services.datasets.cut import snapshot_create, snapshot_run
from labeling.services.datasets.filters import snapshot_filters_parse
from labeling.services.datasets.rows import pseudonym
from labeling.services.datasets.schema import LABEL_RULE, SNAPSHOT_SCHEMA
from labeling.services.snapshots import training_snapshot
from tests.factories import UserFactory
from tests.factories.learning import production_model_version
from tests.labeling.datasets.conftest import make_sms_project

pytestmark = pytest.mark.django_db


def cut(project, filters=None, *, user=None, name="") -> DatasetSnapshot:
    parsed = snapshot_filters_parse(
        raw=filters, class_names=list(project.label_classes.values_list("name", flat=True))
    )
    snapshot = snapshot_create(
        project=project, created_by=user, filters=parsed, name=name, enqueue=False
    )
    finished = snapshot_run(snapshot_id=snapshot.pk)
    assert finished is not None
    return finished


def rows_of(snapshot) -> dict[int, dict]:
    table = pq.read_table(default_storage.path(snapshot.file.name))
    assert table.schema.equals(SNAPSHOT_SCHEMA)
    return {row["id"]: row for row in table.to_pylist()}


def label(item, labels, source=AnnotationSource.HUMAN, annotator=None, **fields):
    return Annotation.objects.create(
        item=item, labels=labels, source=source, annotator=annotator, **fields
    )


# --- what a default snapshot holds ------------------------------------------------------------


def test_default_snapshot_holds_each_labeled_item_once_in_id_order(dataset_path):
    project, items, annotator, truth = make_sms_project(dataset_path, 120, labeled=100)
    user = UserFactory()

    snapshot = cut(project, user=user, name="first")

    assert snapshot.state == JobState.SUCCEEDED, snapshot.error_message
    assert snapshot.number == 1
    assert snapshot.label_rule == LABEL_RULE
    rows = rows_of(snapshot)
    assert list(rows) == sorted(rows) == [item.pk for item in items[:100]]
    first = rows[items[0].pk]
    assert first["labels"] == [truth[items[0].pk]]
    assert first["resolution"] == "latest"
    assert first["label_source"] == "human"
    assert first["annotators"] == [pseudonym(annotator.pk)]
    assert first["text"] == items[0].text
    assert first["external_id"] == "sms-0"
    assert first["metadata"] == '{{"length":"{}","row":0}}'.format(items[0].metadata["length"])
    spam = sum(1 for label_ in truth.values() if label_ == "spam")
    assert spam > 0
    assert snapshot.counts["items"] == snapshot.counts["labeled"] == 100
    assert snapshot.counts["sources"] == {"human": 100}
    assert sum(snapshot.counts["classes"].values()) == 100
    assert snapshot.rows_done == snapshot.rows_total == 120  # items read, labeled or not
    with default_storage.open(snapshot.file.name, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == snapshot.file_sha256
    manifest = snapshot.manifest
    assert manifest["files"] == [
        {"path": "snapshot.parquet", "sha256": snapshot.file_sha256, "rows": 100}
    ]
    assert manifest["created_by"] == user.username
    assert manifest["snapshot"] == {"id": snapshot.pk, "number": 1, "name": "first"}
    assert manifest["project"] == {"id": project.pk, "name": project.name}
    assert manifest["tandem_version"]
    canonical = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)
    assert hashlib.sha256(canonical).hexdigest() == snapshot.manifest_sha256


def test_resolution_gold_then_majority_then_latest_and_people_over_models(dataset_path):
    project, items, first, _truth = make_sms_project(dataset_path, 12, labeled=0)
    second, third = UserFactory(), UserFactory()
    version = production_model_version(project)
    gold, majority, later_moderation, person_over_auto, auto_only = items[:5]
    # Gold beats the people's vote.
    label(gold, ["ham"], annotator=first)
    label(gold, ["ham"], annotator=second)
    Adjudication.objects.create(item=gold, labels=["spam"], resolved_by=third)
    # Two people out of three say spam; the latest vote (third's) is ham.
    label(majority, ["spam"], annotator=first, outcome=AnnotationOutcome.ACCEPTED,
          suggested_labels=["spam"], suggested_by=version)  # fmt: skip
    label(majority, ["spam"], annotator=second, outcome=AnnotationOutcome.CORRECTED,
          suggested_labels=["ham"], suggested_by=version)  # fmt: skip
    label(majority, ["ham"], annotator=third)
    # A moderation decision made after the vote wins over it.
    label(later_moderation, ["ham"], annotator=first)
    label(later_moderation, ["ham"], annotator=second)
    label(later_moderation, ["spam"], source=AnnotationSource.MODERATION, annotator=third)
    # A person's label beats a later automatic one; an automatic one alone is not taken.
    label(person_over_auto, ["ham"], annotator=first, outcome=AnnotationOutcome.ACCEPTED,
          suggested_by=version)  # fmt: skip
    label(person_over_auto, ["spam"], source=AnnotationSource.AUTO, model_version=version)
    label(auto_only, ["spam"], source=AnnotationSource.AUTO, model_version=version)

    rows = rows_of(cut(project))

    assert set(rows) == {gold.pk, majority.pk, later_moderation.pk, person_over_auto.pk}
    assert (rows[gold.pk]["labels"], rows[gold.pk]["resolution"]) == (["spam"], "gold")
    assert rows[gold.pk]["label_source"] == "human"
    assert rows[gold.pk]["labeled_at"] is not None
    assert (rows[majority.pk]["labels"], rows[majority.pk]["resolution"]) == (["spam"], "majority")
    # The label behind the majority is second's (the latest spam vote): a corrected proposal.
    assert rows[majority.pk]["proposal_accepted"] is False
    assert rows[majority.pk]["proposed_by"] == version.pk
    assert rows[majority.pk]["n_human"] == 3
    assert rows[majority.pk]["annotators"] == sorted(
        pseudonym(u.pk) for u in (first, second, third)
    )
    moderated = rows[later_moderation.pk]
    assert (moderated["labels"], moderated["resolution"]) == (["spam"], "latest")
    assert (moderated["label_source"], moderated["n_human"], moderated["n_moderation"]) == (
        "moderation", 2, 1,
    )  # fmt: skip
    over_auto = rows[person_over_auto.pk]
    assert over_auto["labels"] == ["ham"]
    assert over_auto["label_source"] == "human"
    assert over_auto["is_automatic"] is False
    assert over_auto["n_auto"] == 0
    assert over_auto["proposal_accepted"] is True
    assert over_auto["proposed_by"] == version.pk


def test_auto_labels_only_when_asked_and_then_marked(dataset_path):
    project, items, _annotator, _truth = make_sms_project(dataset_path, 10, labeled=4)
    version = production_model_version(project)
    for item in items[4:7]:
        label(item, ["spam"], source=AnnotationSource.AUTO, model_version=version)
    label(items[0], ["spam"], source=AnnotationSource.AUTO, model_version=version)

    default = rows_of(cut(project))
    assert len(default) == 4
    assert not any(row["is_automatic"] or row["n_auto"] for row in default.values())

    asked = cut(project, {"sources": ["human", "auto"]})
    rows = rows_of(asked)
    assert len(rows) == 7
    automatic = {item_id for item_id, row in rows.items() if row["is_automatic"]}
    assert automatic == {item.pk for item in items[4:7]}
    for item_id in automatic:
        assert rows[item_id]["label_source"] == "auto"
        assert rows[item_id]["proposed_by"] == version.pk
        assert rows[item_id]["proposal_accepted"] is None
    # The person's label still wins over the automatic one on the first item.
    assert rows[items[0].pk]["label_source"] == "human"
    assert rows[items[0].pk]["n_auto"] == 1
    assert asked.counts["automatic"] == 3
    assert asked.counts["sources"]["auto"] == 3


def test_automatic_moderation_decisions_only_when_asked_and_then_marked(db):
    from moderation.choices import ContentState, DecisionAction
    from tests.factories.moderation import ContentFactory, DecisionFactory, ReviewPolicyFactory

    policy = ReviewPolicyFactory()
    project = policy.project
    decided = ContentFactory(policy=policy, state=ContentState.REMOVED)
    DecisionFactory(content=decided, automated=True, action=DecisionAction.REMOVE)
    person = ContentFactory(policy=policy)
    label(person.item, ["ham"], source=AnnotationSource.MODERATION, annotator=UserFactory())

    by_default = rows_of(cut(project))
    assert set(by_default) == {person.item_id}

    rows = rows_of(cut(project, {"sources": ["moderation", "automatic_decision"]}))
    assert set(rows) == {person.item_id, decided.item_id}
    row = rows[decided.item_id]
    assert (row["labels"], row["label_source"], row["is_automatic"]) == (
        ["spam"], "automatic_decision", True,
    )  # fmt: skip
    assert rows[person.item_id]["is_automatic"] is False


def test_imported_labels_keep_their_import_annotators(dataset_path):
    project, items, _annotator, _truth = make_sms_project(dataset_path, 3, labeled=0)
    label(items[0], ["spam"], source=AnnotationSource.IMPORT, import_annotator="ls-3f9a0c1b")
    label(items[0], ["spam"], source=AnnotationSource.IMPORT, import_annotator="ls-77aa00ff")

    row = rows_of(cut(project))[items[0].pk]

    assert row["annotators"] == ["ls-3f9a0c1b", "ls-77aa00ff"]
    assert (row["n_import"], row["label_source"], row["proposal_accepted"]) == (2, "import", None)


# --- the same labels as training -------------------------------------------------------------


def test_content_hash_is_training_snapshot_hash_with_deleted_classes_and_multilabel(dataset_path):
    project, items, _first, _truth = make_sms_project(
        dataset_path, 150, labeled=120, task_type=TaskType.MULTILABEL,
        label_classes=["ham", "spam", "promo"], train_on_auto_labels=True,
    )  # fmt: skip
    second = UserFactory()
    for item in items[:20]:
        label(item, ["spam", "promo"], annotator=second)
    Adjudication.objects.create(item=items[3], labels=["promo", "ham"])
    label(items[130], ["promo"], source=AnnotationSource.AUTO)
    label(items[131], ["promo"], source=AnnotationSource.IMPORT)
    # A deleted class: its labels are dropped, items left with none are not in the snapshot.
    LabelClass.objects.filter(project=project, name="promo").delete()
    classes = ["ham", "spam"]

    snapshot = cut(project, {"sources": ["human", "import", "moderation", "appeal", "auto"]})
    expected = training_snapshot(project=project, classes=classes)

    assert snapshot.content_hash == expected.hash
    rows = rows_of(snapshot)
    assert list(rows) == [int(i) for i in expected.item_ids]
    assert [rows[int(i)]["labels"] for i in expected.item_ids] == expected.labels
    assert items[130].pk not in rows


# --- determinism and immutability --------------------------------------------------------------


def test_same_state_gives_the_same_bytes_and_a_cut_file_never_changes(sms):
    project, items, _annotator, _truth = sms
    first = cut(project)
    second = cut(project)
    assert first.file_sha256 == second.file_sha256
    assert first.content_hash == second.content_hash
    with (
        default_storage.open(first.file.name, "rb") as a,
        default_storage.open(second.file.name, "rb") as b,
    ):
        before = a.read()
        assert before == b.read()
    assert first.file.name != second.file.name  # stored separately, under random names

    label(items[0], ["spam" if _truth[items[0].pk] == "ham" else "ham"], annotator=UserFactory())
    label(items[1], ["spam"], source=AnnotationSource.MODERATION, annotator=UserFactory())
    third = cut(project)

    with default_storage.open(first.file.name, "rb") as a:
        assert a.read() == before
    first.refresh_from_db()
    assert first.file_sha256 == hashlib.sha256(before).hexdigest()
    assert third.file_sha256 != first.file_sha256
    assert (first.number, second.number, third.number) == (1, 2, 3)


# --- filters -----------------------------------------------------------------------------------


def test_filters_select_splits_classes_metadata_dates_and_unlabeled_items(dataset_path):
    project, items, _annotator, truth = make_sms_project(dataset_path, 200, labeled=150)
    labeled = items[:150]

    test_rows = rows_of(cut(project, {"splits": ["test"]}))
    assert set(test_rows) == {i.pk for i in labeled if i.split == "test"}

    spam_rows = rows_of(cut(project, {"classes": ["spam"]}))
    assert set(spam_rows) == {i.pk for i in labeled if truth[i.pk] == "spam"}

    long_rows = rows_of(cut(project, {"metadata": {"length": ["long"]}}))
    assert set(long_rows) == {i.pk for i in labeled if i.metadata["length"] == "long"}
    row_rows = rows_of(cut(project, {"metadata": {"row": [3, 5, 170]}}))
    assert set(row_rows) == {items[3].pk, items[5].pk}

    everything = cut(project, {"labeled_only": False})
    rows = rows_of(everything)
    assert len(rows) == 200
    unlabeled = rows[items[199].pk]
    assert (unlabeled["labels"], unlabeled["resolution"], unlabeled["label_source"]) == (
        [], "none", None,
    )  # fmt: skip
    assert everything.counts["labeled"] == 150

    late = timezone.now() - timedelta(days=3)
    Annotation.objects.filter(item__in=labeled[:10]).update(created_at=late)
    recent = rows_of(cut(project, {"labeled_after": (late + timedelta(days=1)).isoformat()}))
    assert set(recent) == {i.pk for i in labeled[10:]}
    old = rows_of(cut(project, {"labeled_before": (late + timedelta(days=1)).isoformat()}))
    assert set(old) == {i.pk for i in labeled[:10]}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"sources": ["human", "robots"]}, "sources"),
        ({"sources": "human"}, "sources"),
        ({"sources": []}, "sources"),
        ({"classes": ["eggs"]}, "classes"),
        ({"splits": ["validation"]}, "splits"),
        ({"labeled_only": "yes"}, "labeled_only"),
        ({"labeled_after": "last tuesday"}, "labeled_after"),
        ({"labeled_after": "2026-01-01T00:00:00Z\x00tail"}, "labeled_after"),
        ({"labeled_after": "2026-02-01T00:00:00Z", "labeled_before": "2026-01-01T00:00:00Z"},
         "labeled_before"),
        ({"metadata": {"length": "long"}}, "metadata"),
        ({"metadata": {"length": [{"nested": 1}]}}, "metadata"),
        ({"metadata": {"length": ["x"] * 1000}}, "metadata"),
        ({"metadata": {f"k{n}": ["x"] for n in range(50)}}, "metadata"),
        ({"classes": ["ham"] * 5000}, "classes"),
        ({"colour": ["red"]}, "colour"),
    ],
)  # fmt: skip
def test_malformed_filters_are_refused_naming_the_field(sms, raw, field):
    project = sms[0]
    with pytest.raises(ApplicationError) as refused:
        snapshot_filters_parse(raw=raw, class_names=["ham", "spam"])
    assert refused.value.extra["field"] == field
    assert field in refused.value.message
    assert not DatasetSnapshot.objects.filter(project=project).exists()


def test_filters_that_select_nothing_are_refused_before_any_job(dataset_path):
    project, _items, _annotator, _truth = make_sms_project(dataset_path, 20, labeled=0)
    parse = snapshot_filters_parse
    with pytest.raises(ApplicationError, match="no labels"):
        snapshot_create(project=project, created_by=None, enqueue=False,
                        filters=parse(raw={}, class_names=["ham", "spam"]))  # fmt: skip
    label(project.items.first(), ["ham"])
    only_spam = parse(raw={"classes": ["spam"]}, class_names=["ham", "spam"])
    with pytest.raises(ApplicationError, match="select no items"):
        snapshot_create(project=project, created_by=None, enqueue=False, filters=only_spam)
    assert not DatasetSnapshot.objects.exists()


# --- the job -------------------------------------------------------------------------------------


def test_a_snapshot_whose_runs_killed_their_worker_fails_saying_so(sms, settings):
    project = sms[0]
    parsed = snapshot_filters_parse(raw={}, class_names=["ham", "spam"])
    snapshot = snapshot_create(project=project, created_by=None, filters=parsed, enqueue=False)
    DatasetSnapshot.objects.filter(pk=snapshot.pk).update(
        attempts=settings.TANDEM_TASK_MAX_ATTEMPTS, state=JobState.RUNNING
    )

    finished = snapshot_run(snapshot_id=snapshot.pk)

    assert finished.state == JobState.FAILED
    assert "worker stopped" in finished.error_message
    assert not finished.file


def test_a_cut_that_fails_stores_no_file(sms, monkeypatch):
    project = sms[0]
    parsed = snapshot_filters_parse(raw={}, class_names=["ham", "spam"])
    snapshot = snapshot_create(project=project, created_by=None, filters=parsed, enqueue=False)
    from labeling.services.datasets import cut as cut_module

    def broken_manifest(snapshot, result):
        raise RuntimeError("disk on fire")

    # The failure comes after the file was stored: it must be removed again.
    monkeypatch.setattr(cut_module, "_manifest", broken_manifest)
    finished = snapshot_run(snapshot_id=snapshot.pk)

    assert finished.state == JobState.FAILED
    assert "disk on fire" in finished.error_message
    assert not finished.file
    folder = f"snapshots/{project.pk}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []


# --- the command line ---------------------------------------------------------------------------


def test_snapshot_create_command_cuts_and_prints_the_checksum(sms):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    project = sms[0]
    out = StringIO()
    call_command(
        "snapshot_create", project=project.pk, name="cli", filters='{"splits": ["train"]}',
        sync=True, stdout=out,
    )  # fmt: skip

    snapshot = DatasetSnapshot.objects.get(project=project)
    assert snapshot.name == "cli"
    assert snapshot.filters["splits"] == ["train"]
    printed = out.getvalue()
    assert f"snapshot {snapshot.number}: succeeded" in printed
    assert f"file sha256: {snapshot.file_sha256}" in printed
    with pytest.raises(CommandError, match="classes"):
        call_command("snapshot_create", project=project.pk, filters='{"classes": ["eggs"]}')


# --- preview ------------------------------------------------------------------------------------


def test_preview_of_a_large_project_estimates_from_a_sample_and_says_so(sms, monkeypatch):
    from labeling.services.datasets import preview

    project = sms[0]
    filters = snapshot_filters_parse(raw={}, class_names=["ham", "spam"])
    exact = preview.snapshot_preview(project=project, filters=filters)
    assert exact["exact"] == list(preview.COUNT_KEYS)

    # A "large" project whose sample happens to cover every item: the estimate is exact.
    monkeypatch.setattr(preview, "EXACT_MAX_ITEMS", 50)
    estimated = preview.snapshot_preview(project=project, filters=filters)
    assert estimated["exact"] == []
    assert "sample of 200 items" in estimated["message"]
    for key in ("items", "labeled", "classes", "sources", "splits"):
        assert estimated[key] == exact[key], key

    # A sample of a tenth: items and splits stay exact without label filters.
    monkeypatch.setattr(preview, "SAMPLE_ITEMS", 20)
    unlabeled_too = snapshot_filters_parse(raw={"labeled_only": False}, class_names=["ham"])
    sampled = preview.snapshot_preview(project=project, filters=unlabeled_too)
    assert sampled["items"] == 200
    assert sampled["exact"] == ["items", "splits"]
    assert sum(sampled["classes"].values()) == pytest.approx(200, rel=0.5)
    assert not DatasetSnapshot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_reads_ahead_on_a_second_connection_and_writes_the_same_bytes(
    dataset_path, monkeypatch
):
    from labeling.services.datasets import rows as rows_module

    project, _items, _annotator, _truth = make_sms_project(dataset_path, 300, labeled=250)
    read_ahead = cut(project)  # outside a transaction, as in a worker: reads ahead
    assert read_ahead.state == JobState.SUCCEEDED, read_ahead.error_message

    monkeypatch.setattr(rows_module.RowReader, "pages_read_ahead", rows_module.RowReader.pages)
    sequential = cut(project)

    assert sequential.file_sha256 == read_ahead.file_sha256
    assert read_ahead.counts["items"] == 250


@pytest.mark.django_db(transaction=True)
def test_a_worker_reads_awkward_text_and_hostile_filter_values_exactly(dataset_path, monkeypatch):
    """A worker's pages come from a second connection whose queries cannot take parameters:
    the filter values are written into its SQL as quoted literals. Quotes, backslashes, SQL in
    a metadata key or value select exactly what they say (and nothing runs); awkward text comes
    through byte for byte, as it does on the worker's first connection."""
    from labeling.services.datasets import rows as rows_module

    if connection.vendor != "postgresql":
        pytest.skip("the second connection is PostgreSQL's")
    project, items, _annotator, _truth = make_sms_project(dataset_path, 12)
    hostile = "it's \\ \"x\"'); DELETE FROM labeling_item; --"
    awkward = ['comma, "quoted"', "two\nlines\r\n", "", "\\N and \\.", "emoji 🙂 中文", hostile]
    for index, item in enumerate(items):
        Item.objects.filter(pk=item.pk).update(
            text=awkward[index % len(awkward)],
            external_id=f"ext'{item.pk}\\",
            metadata={"it's": hostile if index % 2 else "plain", "n": index},
        )
    filters = {"metadata": {"it's": [hostile]}}

    read_ahead = cut(project, filters)  # outside a transaction: the worker's second connection
    assert read_ahead.state == JobState.SUCCEEDED, read_ahead.error_message
    rows = rows_of(read_ahead)
    assert sorted(rows) == sorted(item.pk for item in items[1::2])
    for item in Item.objects.filter(pk__in=rows):
        assert (rows[item.pk]["text"], rows[item.pk]["external_id"]) == (
            item.text,
            item.external_id,
        )
    assert Item.objects.filter(project=project).count() == 12

    monkeypatch.setattr(rows_module.RowReader, "pages_read_ahead", rows_module.RowReader.pages)
    sequential = cut(project, filters)
    assert sequential.file_sha256 == read_ahead.file_sha256


def test_awkward_text_survives_the_columnar_read_exactly(dataset_path):
    """Pages are read as CSV text on PostgreSQL: quotes, commas, line breaks, blank and empty
    values, backslashes and non-ASCII text come through unchanged, and NULL stays NULL."""
    project, items, _annotator, _truth = make_sms_project(dataset_path, 8)
    awkward = [
        'comma, "quoted" and ""doubled""',
        "two\nlines\r\nand a lone CR\r",
        "  padded  ",
        "",
        "\\N and \\. and a tab\there",
        "emoji 🙂 ünïcode 中文",
    ]
    for item, text in zip(items, awkward, strict=False):
        Item.objects.filter(pk=item.pk).update(
            text=text,
            external_id=f'ext,"{item.pk}"\n',
            metadata={"note": text, "n": 1.5, "none": None, "list": [1, "x,y"]},
        )
    Item.objects.filter(pk=items[6].pk).update(text=None, image="items/a,b.png", metadata={})
    Annotation.objects.filter(item=items[7]).delete()
    label(items[7], ["spam"], source=AnnotationSource.IMPORT, import_annotator='ls, "7"')

    rows = rows_of(cut(project))

    for item in Item.objects.filter(project=project):
        row = rows[item.pk]
        assert (row["text"], row["external_id"]) == (item.text, item.external_id)
        assert row["image_name"] == (item.image.name or None)
        assert row["metadata"] == orjson.dumps(item.metadata, option=orjson.OPT_SORT_KEYS).decode()
    assert rows[items[6].pk]["text"] is None
    assert rows[items[3].pk]["text"] == ""
    assert rows[items[7].pk]["annotators"] == ['ls, "7"']


def test_pages_of_long_texts_end_early_and_give_the_same_bytes(dataset_path, monkeypatch):
    from labeling.services.datasets import rows as rows_module

    project, _items, _annotator, _truth = make_sms_project(dataset_path, 60)
    whole = cut(project)
    monkeypatch.setattr(rows_module, "PAGE_MAX_BYTES", 500)  # a few SMS a page
    paged = cut(project)

    assert paged.file_sha256 == whole.file_sha256
    assert (paged.content_hash, paged.counts) == (whole.content_hash, whole.counts)
    if connection.vendor == "postgresql":
        classes = list(project.label_classes.values_list("name", flat=True))
        reader = rows_module.RowReader(
            project=project,
            filters=snapshot_filters_parse(raw=None, class_names=classes),
            classes=classes,
        )
        pages = [page.items_read for page in reader.pages()]
        assert len(pages) > 1
        assert sum(pages) == 60


@pytest.mark.django_db(transaction=True)
def test_labels_changed_while_a_worker_cuts_are_not_in_its_snapshot(dataset_path, monkeypatch):
    """Items and labels are read by two connections sharing one database snapshot: labels
    deleted once the first page is written do not change the file."""
    from labeling.services.datasets import rows as rows_module

    project, items, _annotator, _truth = make_sms_project(dataset_path, 80)
    before = cut(project)
    monkeypatch.setattr(rows_module, "PAGE_MAX_BYTES", 500)  # a few SMS a page
    page = rows_module.RowReader._page

    def page_then_delete(self, *args):
        resolved = page(self, *args)
        Annotation.objects.filter(item__in=items[40:]).delete()  # committed at once
        return resolved

    queued = snapshot_create(
        project=project,
        created_by=None,
        filters=snapshot_filters_parse(raw=None, class_names=["ham", "spam"]),
        enqueue=False,
    )
    monkeypatch.setattr(rows_module.RowReader, "_page", page_then_delete)
    during = snapshot_run(snapshot_id=queued.pk)

    assert during is not None
    assert during.state == JobState.SUCCEEDED, during.error_message
    assert during.counts == before.counts
    assert during.file_sha256 == before.file_sha256
    assert not Annotation.objects.filter(item__in=items[40:]).exists()


def test_pages_the_database_sends_out_of_order_give_the_same_bytes(dataset_path, monkeypatch):
    """Pages are aggregated in the order the database reads them; should a plan ever send them
    otherwise, the rows are put back in id order: the file's bytes never depend on it."""
    from labeling.services.datasets import rows as rows_module

    project, items, _annotator, _truth = make_sms_project(dataset_path, 60)
    for item in items[::4]:  # several labels of an item: ordered by item, then label
        label(item, ["spam"], annotator=UserFactory())
    in_order = cut(project)
    read_csv = rows_module.pa_csv.read_csv

    def reversed_csv(*args, **kwargs):
        table = read_csv(*args, **kwargs)
        return table.take(list(range(table.num_rows - 1, -1, -1)))

    monkeypatch.setattr(rows_module.pa_csv, "read_csv", reversed_csv)
    reversed_pages = cut(project)

    assert reversed_pages.file_sha256 == in_order.file_sha256
    assert (reversed_pages.content_hash, reversed_pages.counts) == (
        in_order.content_hash,
        in_order.counts,
    )
