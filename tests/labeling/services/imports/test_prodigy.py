"""Prodigy JSONL exports (``prodigy db-out``): binary accept/reject/ignore on ``label``, choice
tasks (``options`` + ``accept``), one imported annotation per Prodigy annotator, and a file
mixing task kinds reported line by line. Fixtures written here from Prodigy's documented task
format, with real SMS texts."""

import hashlib
import json

import pytest

from labeling.choices import ImportFormat, ImportStatus, TaskType
from labeling.models import Annotation, Item
from tests.factories import ProjectFactory
from tests.labeling.services.imports.migration_helpers import messages, run_import, sms

pytestmark = pytest.mark.django_db


def person(name: str) -> str:
    return "prodigy-" + hashlib.sha256(name.encode()).hexdigest()[:10]


def lines(*tasks) -> bytes:
    return b"".join(json.dumps(t).encode() + b"\n" for t in tasks)


def binary(text, label, answer, *, input_hash, annotator="spam_check-alice", **extra):
    return {
        "text": text,
        "label": label,
        "answer": answer,
        "_input_hash": input_hash,
        "_task_hash": input_hash * 7,
        "_session_id": annotator,
        "_view_id": "classification",
        "meta": {"source": "sms"},
        **extra,
    }


def choice(text, accept, answer="accept", *, input_hash, annotator="alice"):
    return {
        "text": text,
        "options": [{"id": "H", "text": "ham"}, {"id": "S", "text": "spam"}],
        "accept": accept,
        "answer": answer,
        "_input_hash": input_hash,
        "_annotator_id": annotator,
        "_view_id": "choice",
    }


def test_binary_tasks_accept_reject_and_ignore_in_a_binary_project():
    rows = sms(4)
    project = ProjectFactory()  # ham / spam
    data = lines(
        binary(rows[0][1], "spam", "accept", input_hash=11),
        binary(rows[1][1], "spam", "reject", input_hash=12),
        binary(rows[2][1], "spam", "ignore", input_hash=13),
        binary(rows[3][1], "ham", "accept", input_hash=14, annotator="spam_check-bob"),
    )

    job = run_import(project, "db-out.jsonl", data)

    assert job.format == ImportFormat.PRODIGY  # told from the lines' answer and hashes
    assert job.status == ImportStatus.SUCCEEDED
    assert job.error_count == 0, job.errors
    assert job.items_created == 4
    assert job.skipped == {"ignored": 1}
    labels = dict(
        Annotation.objects.filter(item__project=project).values_list("item__external_id", "labels")
    )
    # A rejected "spam" in a binary project is its other class.
    assert labels == {"prodigy:11": ["spam"], "prodigy:12": ["ham"], "prodigy:14": ["ham"]}
    assert set(Annotation.objects.values_list("import_annotator", flat=True)) == {
        person("spam_check-alice"),
        person("spam_check-bob"),
    }
    item = Item.objects.get(project=project, external_id="prodigy:11")
    assert item.metadata == {"source": "sms"}


def test_a_rejected_label_in_a_multiclass_project_records_nothing_but_is_counted():
    (_, text), *_ = sms(1)
    project = ProjectFactory(task_type=TaskType.MULTICLASS, label_classes=["ham", "spam", "promo"])
    job = run_import(project, "p.jsonl", lines(binary(text, "spam", "reject", input_hash=1)))

    assert job.skipped == {"rejected label (not this label)": 1}
    assert job.items_created == 1
    assert not Annotation.objects.exists()


def test_choice_tasks_and_several_annotators_of_one_input():
    rows = sms(3)
    project = ProjectFactory()
    data = lines(
        choice(rows[0][1], ["S"], input_hash=21, annotator="alice"),
        choice(rows[0][1], ["H"], input_hash=21, annotator="bob"),  # the same input again
        choice(rows[1][1], ["H"], "reject", input_hash=22),
        choice(rows[2][1], [], input_hash=23),
    )

    job = run_import(project, "choices.jsonl", data)

    assert job.error_count == 0, job.errors
    assert job.items_created == 3
    assert job.annotations_created == 2
    assert job.skipped == {
        "rejected choice task": 1,
        "accepted choice task with nothing chosen": 1,
    }
    assert sorted(
        Annotation.objects.filter(item__external_id="prodigy:21").values_list(
            "import_annotator", "labels"
        )
    ) == sorted([(person("alice"), ["spam"]), (person("bob"), ["ham"])])

    # The same person answering the same input twice is reported, not merged.
    again = run_import(
        project, "twice.jsonl", data + lines(choice(rows[0][1], ["H"], input_hash=21))
    )
    assert "duplicate external id 'prodigy:21'" in messages(again)[5]
    assert again.annotations_created == 0


def test_a_file_mixing_binary_and_choice_tasks_reports_the_other_kind_per_line():
    rows = sms(3)
    project = ProjectFactory()
    data = lines(
        binary(rows[0][1], "spam", "accept", input_hash=31),
        choice(rows[1][1], ["H"], input_hash=32),
        binary(rows[2][1], "ham", "accept", input_hash=33),
    )

    job = run_import(project, "mixed.jsonl", data, fmt=ImportFormat.PRODIGY)

    assert messages(job) == {
        2: "a choice task in a file of binary tasks (line 1): import each kind from its own file"
    }
    assert job.items_created == 2


def test_unknown_labels_and_wrong_types_are_reported_per_line():
    rows = sms(7)
    project = ProjectFactory()
    data = lines(
        binary(rows[0][1], "eggs", "accept", input_hash=41),
        binary(rows[1][1], ["spam"], "accept", input_hash=42),
        binary(rows[2][1], "spam", "maybe", input_hash=43),
        {**choice(rows[3][1], "S", input_hash=44), "label": None},
        {"answer": "accept", "image": "data:image/png;base64,AAAA", "_input_hash": 45},
        binary(rows[5][1], "eggs", "reject", input_hash=46),
        binary(rows[6][1], "spam", "accept", input_hash=47),
    )

    job = run_import(project, "bad.jsonl", data, fmt=ImportFormat.PRODIGY)

    errors = messages(job)
    assert errors[1] == f"unknown label 'eggs' (annotator {person('spam_check-alice')})"
    assert errors[2] == "label is not a non-empty string"
    assert errors[3] == "answer 'maybe' is not accept, reject or ignore"
    assert (
        errors[4]
        == "a choice task in a file of binary tasks (line 1): import each kind from its own file"
    )
    assert errors[5] == "no text (Prodigy image and audio tasks are not imported)"
    assert errors[6] == "unknown label 'eggs'"
    assert job.unknown_labels == ["eggs"]
    assert list(Item.objects.filter(project=project).values_list("external_id", flat=True)) == [
        "prodigy:47"
    ]


def test_wrong_types_in_choice_tasks():
    rows = sms(3)
    project = ProjectFactory()
    data = lines(
        choice(rows[0][1], "S", input_hash=51),
        choice(rows[1][1], ["X"], input_hash=52),
        {**choice(rows[2][1], ["S"], input_hash=53), "options": ["ham", "spam"]},
    )
    job = run_import(project, "c.jsonl", data, fmt=ImportFormat.PRODIGY)

    assert messages(job) == {
        1: "accept is not a list of option ids",
        2: "accepted id 'X' is not among the options",
        3: "options is not a list of {id, text} objects",
    }
    assert not Item.objects.filter(project=project).exists()
