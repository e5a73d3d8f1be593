"""Moderation decisions flow back into training, end to end with a real Celery worker.

A project already serves version 1, trained on labeled SMS messages (the SMS spam collection
from ../shared/datasets). Its policy's new model versions start in shadow. A senior moderator
makes final decisions on escalated content; each becomes an annotation of source
``moderation`` on the content's item, the tenth one reaches ``retrain_every`` and requests
training, and the worker trains version 2 on those labels too. Version 2 waits in shadow;
version 1 keeps serving.
"""

import time

import pytest

from core.models import AuditEvent
from labeling.choices import AnnotationSource, Role, Split
from labeling.models import Annotation
from labeling.services.learning_jobs import project_training_request
from labeling.services.projects import project_update
from models_app.choices import JobKind, JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion, TrainingJob
from models_app.selectors.registry import model_version_production
from moderation.choices import ContentState, DecisionAction
from moderation.models import Content
from moderation.services.decisions import decision_create
from tests.factories import ItemFactory, ProjectFactory
from tests.factories.learning import give_labels
from tests.factories.moderation import (
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BASE_ITEMS = 700
DECISIONS = 10
FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.WAITING}


def wait_for(check, *, timeout: float, worker, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        value = check()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def sms_rows(dataset_path) -> list[tuple[str, str]]:
    lines = dataset_path("sms_spam_collection.tsv").read_text(encoding="utf-8").splitlines()[1:]
    # The collection repeats some messages; an item's id is its text's hash, so keep each once.
    unique: dict[str, str] = {}
    for line in lines:
        label, text = line.split("\t", 1)
        if text.strip():
            unique.setdefault(text, label)
    return [(label, text) for text, label in unique.items()]


def test_final_decisions_retrain_and_the_new_version_waits_in_shadow(start_worker, dataset_path):
    rows = sms_rows(dataset_path)
    project = ProjectFactory(name="SMS moderation", embedder="hashing", retrain_every=0)

    # --- version 1 serves: trained on people's labels of the first messages -------------------
    truth: dict[int, str] = {}
    for label, text in rows[:BASE_ITEMS]:
        truth[ItemFactory(project=project, text=text).pk] = label
    split = dict(project.items.values_list("id", "split"))
    give_labels([i for i in truth if split[i] == Split.TRAIN][:300], truth)
    give_labels(
        [i for i in truth if split[i] != Split.TRAIN], truth, source=AnnotationSource.IMPORT
    )
    # Before the worker starts, tasks run in this process as they are sent (eagerly).
    first = project_training_request(project=project, trigger=JobTrigger.MANUAL)
    first.refresh_from_db()
    assert first.status == JobStatus.SUCCEEDED, first.error
    serving = model_version_production(owner=project.owner_key)
    assert serving is not None
    assert serving.version == 1

    # --- the policy's project: new versions start in shadow; retrain every 10 labels ----------
    policy = ReviewPolicyFactory(project=project)
    project_update(
        project=project, data={"new_versions_start_in_shadow": True, "retrain_every": DECISIONS}
    )
    platform = PlatformFactory()
    senior = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR, username="senior-mod")
    spam = [text for label, text in rows[BASE_ITEMS:] if label == "spam"][: DECISIONS // 2]
    ham = [text for label, text in rows[BASE_ITEMS:] if label == "ham"][: DECISIONS // 2]
    contents = [
        ContentFactory(policy=policy, platform=platform, text=text, state=ContentState.ESCALATED)
        for text in spam + ham
    ]

    worker = start_worker(["default", "embeddings", "training"])

    # --- final decisions: removals of the spam, approvals of the rest --------------------------
    for n, content in enumerate(contents):
        is_spam = n < len(spam)
        decision_create(
            content=content,
            user=senior,
            action=DecisionAction.REMOVE if is_spam else DecisionAction.APPROVE,
            reason_code="SPAM-1" if is_spam else "OK-1",
            time_spent_ms=4000,
        )

    labels = dict(
        Annotation.objects.filter(
            item__moderation_content__in=contents, source=AnnotationSource.MODERATION
        ).values_list("item__moderation_content", "labels")
    )
    assert labels == {c.pk: ["spam"] if n < len(spam) else ["ham"] for n, c in enumerate(contents)}
    assert set(Content.objects.filter(pk__in=labels).values_list("state", flat=True)) == {
        ContentState.REMOVED,
        ContentState.ALLOWED,
    }

    # --- the tenth decision requested training; the worker runs it ----------------------------
    def retrained():
        job = (
            TrainingJob.objects.filter(
                owner=project.owner_key, kind=JobKind.TRAIN, trigger=JobTrigger.LABELS
            )
            .order_by("-id")
            .first()
        )
        return job is not None and job.status in FINISHED and job

    job = wait_for(retrained, timeout=300, worker=worker, what="the retraining job")
    assert job.status == JobStatus.SUCCEEDED, job.error or job.message

    new = ModelVersion.objects.get(pk=job.model_version_id)
    assert new.version == 2
    assert new.stage == Stage.SHADOW
    decided_in_train = sum(1 for c in contents if c.item.split == Split.TRAIN)
    assert new.label_count == serving.label_count + decided_in_train
    assert "in shadow" in job.message
    assert "version 1 keeps serving" in job.message
    # Production did not change.
    assert model_version_production(owner=project.owner_key) == serving
    serving.refresh_from_db()
    assert serving.stage == Stage.PRODUCTION
    # The move to shadow is in the audit log, made by the system, with the metrics behind it.
    event = AuditEvent.objects.filter(action="model.stage", object_id=str(new.pk)).get()
    assert (event.actor_name, event.before["stage"], event.after["stage"]) == (
        "",
        "candidate",
        "shadow",
    )
    assert event.after["production_version"] == 1
    assert event.after["metrics"]["roc_auc"] == new.metrics["roc_auc"]
