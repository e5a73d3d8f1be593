"""A training run on real data (the SMS spam collection) keeps the full evaluation on the
version: per-class scores, calibration, PR curves, the policy's operating points and slices,
each consistent with the held-out labels; and an evaluation job evaluates it again with new
slice fields."""

import re

import numpy as np
import pytest

from labeling.models import Item
from labeling.services.imports.item_rows import split_for
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.ml.evaluation import MIN_SLICE_SUPPORT
from models_app.models import ModelVersion, TrainingJob
from tests.factories import ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, train_ids
from tests.factories.moderation import PolicyCategoryFactory, PolicyFactory

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"\d{3,}")


def _sms(dataset_path) -> list[tuple[str, str]]:
    rows = []
    with dataset_path("sms_spam_collection.tsv").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            if "\t" in line:
                label, text = line.rstrip("\n").split("\t", 1)
                rows.append((label, text))
    return rows


@pytest.fixture
def sms_project(dataset_path):
    """2,000 SMS texts with a ``has_number`` metadata field (a phone number or code of three
    digits or more: most spam has one), 400 train and 400 held-out labels from the dataset."""
    project = ProjectFactory(
        embedder="hashing",
        retrain_every=0,
        label_classes=["ham", "spam"],
        slice_fields=["has_number", "text_length"],
    )
    rows = _sms(dataset_path)[:2000]
    items = Item.objects.bulk_create(
        Item(
            project=project,
            external_id=f"sms-{n}",
            text=text,
            content_hash=f"sms-{n}",
            split=split_for(f"sms-{n}"),
            metadata={"has_number": "yes" if NUMBER.search(text) else "no"},
        )
        for n, (_label, text) in enumerate(rows)
    )
    truth = {item.pk: label for item, (label, _text) in zip(items, rows, strict=True)}
    rng = np.random.default_rng(0)
    give_labels(list(rng.permutation(train_ids(project, truth))[:400]), truth)
    give_labels(list(rng.permutation(held_out_ids(project, truth))[:400]), truth)
    PolicyCategoryFactory(
        policy=PolicyFactory(project=project, name="SMS policy"),
        name="Spam",
        label_class="spam",
        remove_threshold=0.9,
        allow_threshold=0.1,
    )
    return project


def test_training_on_sms_keeps_a_consistent_full_evaluation(sms_project):
    job = training_job_run(
        job_id=project_training_request(project=sms_project, trigger=JobTrigger.MANUAL).pk
    )
    assert job.status == JobStatus.SUCCEEDED, job.error
    version = ModelVersion.objects.get(pk=job.model_version_id)
    report = version.evaluation
    n = report["n"]
    assert n == len(version.held_out["object_ids"]) == version.metrics["n"] > 300
    # Per class: the supports are the held-out labels; the confusion matrix agrees with them.
    labels = [labels[0] for labels in version.held_out["labels"]]
    assert [row["support"] for row in report["per_class"]] == [
        labels.count("ham"),
        labels.count("spam"),
    ]
    matrix = np.asarray(report["confusion_matrix"])
    assert matrix.sum(axis=1).tolist() == [row["support"] for row in report["per_class"]]
    assert report["accuracy"]["value"] == pytest.approx(np.trace(matrix) / n, abs=1e-4)
    assert report["accuracy"]["value"] == pytest.approx(version.metrics["accuracy"], abs=1e-4)
    for row in report["per_class"]:
        assert row["f1"]["low"] <= row["f1"]["value"] <= row["f1"]["high"]
        assert row["precision"]["low"] < row["precision"]["high"]
    # Calibration: every item in one bin; ECE and Brier inside their intervals.
    calibration = report["calibration"]
    assert sum(b["count"] for b in calibration["bins"]) == n
    for name in ("ece", "brier"):
        assert calibration[name]["low"] <= calibration[name]["value"] <= calibration[name]["high"]
    assert calibration["ece"]["value"] == pytest.approx(version.metrics["ece"], abs=1e-4)
    spam_curve = report["pr_curves"][1]
    assert spam_curve["name"] == "spam"
    assert 0.5 < spam_curve["average_precision"] <= 1
    assert len(spam_curve["points"]) <= 101
    # The policy's thresholds: every held-out item is removed, allowed or sent to people.
    (policy,) = report["operating_points"]
    point = policy["categories"][0]
    assert point["removed_count"] + point["allowed_count"] <= n
    shares = sum(point[k]["value"] for k in ("removed", "allowed", "to_people"))
    assert shares == pytest.approx(1, abs=1e-3)
    assert point["remove_precision"]["value"] > 0.8  # spam scored above 0.9 is nearly all spam
    # Slices: each field's values cover the held-out items; the worst has enough support.
    fields = {f["field"]: f for f in report["slices"]["fields"]}
    assert set(fields) == {"has_number", "text_length"}
    for field in fields.values():
        assert sum(v["support"] for v in field["values"]) == n
        worst = [v for v in field["values"] if v["worst"]]
        assert len(worst) <= 1
        if worst:
            assert worst[0]["support"] >= MIN_SLICE_SUPPORT
    has_number = {v["value"]: v for v in fields["has_number"]["values"]}
    # Texts without a number are nearly all ham: the model calls few of them spam.
    assert has_number["no"]["fpr"]["value"] < 0.1


def test_an_evaluation_job_evaluates_a_version_again_with_new_slice_fields(
    sms_project, django_capture_on_commit_callbacks
):
    from labeling.services.evaluation import project_evaluation_request

    training_job_run(
        job_id=project_training_request(project=sms_project, trigger=JobTrigger.MANUAL).pk
    )
    version = ModelVersion.objects.get(owner=sms_project.owner_key)
    sms_project.slice_fields = ["has_number"]
    sms_project.save()
    with django_capture_on_commit_callbacks(execute=True):
        job = project_evaluation_request(project=sms_project, version=version)
    job = TrainingJob.objects.get(pk=job.pk)
    assert (job.kind, job.status, job.progress) == (JobKind.EVALUATE, JobStatus.SUCCEEDED, 1.0)
    assert "worst slice: has_number" in job.message or "evaluated on" in job.message
    version.refresh_from_db()
    assert version.evaluation["slice_fields"] == ["has_number"]
    assert [f["field"] for f in version.evaluation["slices"]["fields"]] == ["has_number"]
