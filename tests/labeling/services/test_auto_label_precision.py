"""The auto-labeling promise, checked on real data: of the pool items labeled automatically,
the share that is right (by the dataset's true labels) is at least the target precision."""

import numpy as np
import pytest

from labeling.choices import AnnotationSource
from labeling.models import Annotation, Item
from labeling.services.imports.item_rows import split_for
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobStatus, JobTrigger
from tests.factories import ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, train_ids

pytestmark = pytest.mark.django_db


def _sms(dataset_path) -> list[tuple[str, str]]:
    rows = []
    with dataset_path("sms_spam_collection.tsv").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            if "\t" in line:
                label, text = line.rstrip("\n").split("\t", 1)
                rows.append((label, text))
    return rows


def _train(project):
    job = project_training_request(project=project, trigger=JobTrigger.MANUAL)
    job = training_job_run(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error or job.message
    return job


@pytest.mark.parametrize("target", [0.95, 0.99])
def test_realised_precision_of_auto_labels_meets_the_promise(dataset_path, target):
    project = ProjectFactory(
        embedder="hashing",
        retrain_every=0,
        auto_label_enabled=True,
        auto_label_target_precision=target,
        audit_rate=0.05,
        label_classes=["ham", "spam"],
    )
    rows = _sms(dataset_path)
    items = Item.objects.bulk_create(
        Item(
            project=project,
            external_id=f"sms-{n}",
            text=text,
            content_hash=f"sms-{n}",
            split=split_for(f"sms-{n}"),
        )
        for n, (_label, text) in enumerate(rows)
    )
    truth = {item.pk: label for item, (label, _text) in zip(items, rows, strict=True)}
    rng = np.random.default_rng(0)
    # People label 300 random train items and 200 held-out ones ...
    give_labels(list(rng.permutation(train_ids(project, truth))[:300]), truth)
    give_labels(list(rng.permutation(held_out_ids(project, truth))[:200]), truth)
    # ... the first run draws the audit sample, people label it as the queue hands it out ...
    _train(project)
    audit = list(Item.objects.filter(project=project, is_audit=True).values_list("id", flat=True))
    assert len(audit) >= 200
    give_labels(audit, truth)

    job = _train(project)

    estimate = job.result["auto_label"]
    auto = dict(
        Annotation.objects.filter(item__project=project, source=AnnotationSource.AUTO).values_list(
            "item_id", "labels"
        )
    )
    assert estimate["auto_labeled"] == len(auto)
    if target >= 0.99:
        # ~280 audit labels cannot show 99 % with 95 % confidence unless nearly all are right:
        # then nothing is labeled automatically, and the job says why.
        if not auto:
            assert "more audit labels are needed" in estimate["message"]
            return
    else:
        # A sizeable share of the pool is labeled automatically (the workload it saves) ...
        assert len(auto) > 0.3 * len(rows)
    assert not set(auto) & set(audit)
    # ... and on those items, which no person labeled, the realised precision keeps the promise.
    correct = sum(labels == [truth[item_id]] for item_id, labels in auto.items())
    realised = correct / len(auto)
    print(f"target {target}: {len(auto)} auto-labeled, realised precision {realised:.4f}")
    assert realised >= target
    assert estimate["ci_low"] <= realised + 0.02
