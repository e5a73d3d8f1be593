"""Tandem's own JSONL exports imported back: the project export (``annotations`` of each item)
and a snapshot's JSONL lines (``labels``, ``split``, ``metadata``). A round trip into a new
project reproduces the items, their labels, their splits and their metadata."""

import hashlib
import json

import pytest

from labeling.choices import AnnotationSource, ExportFormat, ImportFormat, ImportStatus
from labeling.models import Annotation, Item
from labeling.services.exports import export_stream
from labeling.services.imports.item_rows import split_for
from tests.factories import AnnotationFactory, ItemFactory, ProjectFactory, UserFactory
from tests.labeling.services.imports.migration_helpers import messages, run_import, sms

pytestmark = pytest.mark.django_db


def tandem_person(username: str) -> str:
    return "tandem-" + hashlib.sha256(username.encode()).hexdigest()[:10]


def labeled_project(count: int):
    """A project of real SMS texts with two annotators, an auto label, metadata and splits
    that are not the ones the ids would give (so a round trip must carry them)."""
    project = ProjectFactory()
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    splits = ["train", "dev", "test"]
    for n, (label, text) in enumerate(sms(count)):
        external_id = f"sms-{n}"
        moved = next(s for s in splits if s != split_for(external_id)) if n % 3 == 0 else None
        item = ItemFactory(
            project=project,
            external_id=external_id,
            text=text,
            split=moved or split_for(external_id),
            metadata={"source": "uci", "n": n, "tags": ["a", "b"]},
        )
        AnnotationFactory(item=item, labels=[label], annotator=alice)
        if n % 2 == 0:
            AnnotationFactory(item=item, labels=[label], annotator=bob)
        if n % 5 == 0:
            AnnotationFactory(item=item, labels=["spam"], source=AnnotationSource.AUTO)
    ItemFactory(project=project, external_id="unlabeled", text="Are we still on for lunch?")
    return project, alice, bob


def test_the_project_jsonl_export_round_trips_items_labels_splits_and_metadata():
    source, _, _ = labeled_project(60)
    exported = b"".join(export_stream(project=source, fmt=ExportFormat.JSONL))
    target = ProjectFactory()

    job = run_import(target, "export.jsonl", exported)

    assert job.format == ImportFormat.JSONL
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert job.error_count == 0, job.errors
    assert job.skipped == {"auto label": 12}  # automatic labels are never imported as people's
    before = {
        i.external_id: (i.text, i.split, i.metadata) for i in Item.objects.filter(project=source)
    }
    after = {
        i.external_id: (i.text, i.split, i.metadata) for i in Item.objects.filter(project=target)
    }
    assert after == before
    people = {tandem_person("alice"): "alice", tandem_person("bob"): "bob"}
    imported = {
        (a.item.external_id, people[a.import_annotator], tuple(a.labels))
        for a in Annotation.objects.filter(item__project=target).select_related("item")
    }
    original = {
        (a.item.external_id, a.annotator.username, tuple(a.labels))
        for a in Annotation.objects.filter(item__project=source, source=AnnotationSource.HUMAN)
        .select_related("item", "annotator")
    }  # fmt: skip
    assert imported == original
    assert set(
        Annotation.objects.filter(item__project=target).values_list("source", flat=True)
    ) == {AnnotationSource.IMPORT}


def test_snapshot_jsonl_lines_with_labels_split_and_metadata():
    rows = sms(4)
    splits = ["train", "validation", "test", "dev"]
    lines = [
        {"id": 10 + n, "external_id": f"e{n}", "text": text, "split": split, "labels": [label],
         "label_source": "human", "n_human": 2, "annotators": ["u1", "u2"], "is_automatic": False,
         "metadata": json.dumps({"lang": "en"}), "content_hash": "0" * 64}
        for n, ((label, text), split) in enumerate(zip(rows, splits, strict=True))
    ]  # fmt: skip
    lines[3]["is_automatic"] = True
    lines.append({**lines[0], "external_id": "e9", "text": "Call me later", "split": "holdout"})
    target = ProjectFactory()

    job = run_import(target, "snapshot.jsonl", b"\n".join(json.dumps(x).encode() for x in lines))

    assert messages(job) == {5: "split 'holdout' is not train, dev (validation) or test"}
    assert job.skipped == {"automatic label": 1}
    items = {i.external_id: i for i in Item.objects.filter(project=target)}
    assert [items[f"e{n}"].split for n in range(4)] == ["train", "dev", "test", "dev"]
    assert items["e0"].metadata == {"lang": "en"}
    labels = dict(
        Annotation.objects.filter(item__project=target).values_list("item__external_id", "labels")
    )
    assert labels == {f"e{n}": [rows[n][0]] for n in range(3)}
