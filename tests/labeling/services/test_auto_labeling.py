"""Auto-labeling with a precision guarantee: the threshold comes from the random audit sample."""

import pytest

from labeling.choices import AnnotationSource
from labeling.models import Annotation, Item
from labeling.selectors.learning import auto_label_summary
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobStatus, JobTrigger
from tests.factories import ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(
        embedder="hashing",
        retrain_every=0,
        auto_label_enabled=True,
        audit_rate=0.25,
        auto_label_target_precision=0.9,
    )


@pytest.fixture
def corpus(project):
    truth = make_corpus(project, 600, seed=7, max_noise=0.25)
    give_labels(train_ids(project, truth)[:80], truth)
    give_labels(held_out_ids(project, truth), truth, source=AnnotationSource.IMPORT)
    return truth


def train(project):
    job = project_training_request(project=project, trigger=JobTrigger.MANUAL)
    return training_job_run(job_id=job.pk)


def audit_items(project, *, labeled: bool | None = None):
    items = Item.objects.filter(project=project, is_audit=True)
    if labeled is not None:
        items = items.filter(annotations__isnull=not labeled).distinct()
    return items


def test_first_run_draws_the_audit_sample_and_labels_nothing_yet(project, corpus):
    job = train(project)

    assert job.status == JobStatus.SUCCEEDED, job.error
    unlabeled = Item.objects.filter(project=project, annotations__isnull=True).count()
    assert audit_items(project).count() == pytest.approx(0.25 * unlabeled, abs=1)
    estimate = job.result["auto_label"]
    assert estimate["threshold"] is None
    assert "No audited item has a human label yet" in estimate["message"]
    assert not Annotation.objects.filter(source=AnnotationSource.AUTO).exists()


def test_audit_items_are_mixed_into_the_top_of_the_queue(project, corpus):
    train(project)

    first_twenty = Item.objects.filter(project=project, annotations__isnull=True).order_by(
        "-priority"
    )[:20]

    assert sum(item.is_audit for item in first_twenty) == 5  # one in four at a 25 % audit rate


def test_audited_threshold_auto_labels_confident_pool_items_with_provenance(project, corpus):
    train(project)
    audited = list(audit_items(project).values_list("id", flat=True))
    give_labels(audited, corpus)

    job = train(project)

    estimate = job.result["auto_label"]
    assert estimate["threshold"] is not None, estimate
    assert estimate["n_audit"] == len(audited)
    assert estimate["precision"] >= estimate["ci_low"] >= 0.9
    auto = Annotation.objects.filter(source=AnnotationSource.AUTO).select_related("item")
    assert auto.count() == estimate["auto_labeled"] > 0
    assert all(a.model_version_id == job.model_version_id for a in auto)
    assert not any(a.item.is_audit for a in auto)
    # The promise holds on the items labeled automatically, not only on the audit sample.
    correct = sum(a.labels == [corpus[a.item_id]] for a in auto)
    assert correct / auto.count() >= 0.9
    summary = auto_label_summary(project=project)
    assert summary["threshold"] == estimate["threshold"]
    assert summary["counts"]["auto_labeled"] == auto.count()
    assert summary["counts"]["audit_labeled"] == len(audited)


def test_the_guard_listens_only_to_audit_labels(project, corpus):
    train(project)
    audited = list(audit_items(project).values_list("id", flat=True))
    # The audit says the model is wrong every time; other people's labels agree with it.
    flipped = {i: "spam" if corpus[i] == "ham" else "ham" for i in audited}
    give_labels(audited, flipped)
    others = [
        i
        for i in train_ids(project, corpus)[80:]
        if not Item.objects.filter(pk=i, is_audit=True).exists()
    ][:100]
    give_labels(others, corpus)

    job = train(project)

    estimate = job.result["auto_label"]
    assert estimate["n_audit"] == len(audited)
    assert estimate["threshold"] is None
    assert not Annotation.objects.filter(source=AnnotationSource.AUTO).exists()


def test_audit_labels_never_train_the_model_they_audit(project, corpus):
    first = train(project)
    audited = list(audit_items(project).values_list("id", flat=True))
    give_labels(audited, corpus)

    second = train(project)

    assert second.model_version.label_count == first.model_version.label_count == 80


def test_automatic_labels_do_not_feed_the_next_model(project, corpus):
    train(project)
    give_labels(list(audit_items(project).values_list("id", flat=True)), corpus)
    labeled_run = train(project)
    assert labeled_run.result["auto_label"]["auto_labeled"] > 0

    after = train(project)

    assert after.model_version.label_count == labeled_run.model_version.label_count
    assert after.model_version.metrics["train_n"] == labeled_run.model_version.metrics["train_n"]


def test_turning_auto_labeling_off_stops_auditing_and_auto_labels(project, corpus):
    project.auto_label_enabled = False
    project.save()

    job = train(project)

    assert "auto_label" not in job.result
    assert not audit_items(project).exists()
