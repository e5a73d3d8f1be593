"""The fast first pass end to end, with real Celery workers on the configured broker.

A MiniLM project imports 3,000 messages of the SMS spam collection, every ham message first,
its train split unlabeled. Its
embedding job first gives every item a vector from the distilled static model and orders the
queue from them (diversity and zero-shot proposals); only then does the exact MiniLM pass run.
While it runs, an annotator labels through the queue (never empty, every item with a proposal)
and a training run trains on the static vectors instead of waiting. When the MiniLM vectors are
complete, the job asks for a run on them, and that model takes over production.
"""

import time

import pytest
from django.db import transaction

from labeling.choices import AnnotationSource, Role, Split
from labeling.models import Item
from labeling.services.demo import DEMO_GUIDELINES
from labeling.services.learning_jobs import project_embedding_request, project_training_request
from models_app.choices import JobKind, JobStatus, JobTrigger, Stage
from models_app.ml.embedders.registry import get_embedder
from models_app.models import Embedding, ModelVersion, TrainingJob
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.factories.learning import describe_classes_as_the_demo, give_labels
from tests.labeling.services.test_cold_start_order import import_ham_first
from tests.skips import loaded_embedder

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.WAITING}
# Enough messages for the MiniLM pass (one process) to take about a minute on a quiet machine:
# the annotator labels and a model trains on the static vectors meanwhile.
SAMPLE = 3_000
LABELS_WHILE_EMBEDDING = 24
SPAM_FOUND_BY_HAND = 3


def wait_for(check, *, timeout: float, workers, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert all(worker.poll() is None for worker in workers), "a worker process died"
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def vectors(project, name: str) -> int:
    return Embedding.objects.filter(
        owner=project.owner_key, embedder__startswith=f"{name}@"
    ).count()


def test_queue_is_ready_from_the_fast_pass_and_the_model_moves_to_minilm_when_it_is_done(
    start_worker, api, dataset_path, tmp_path, static_distilled
):
    # In the data folder's model cache, which the workers read (distilled once per session).
    loaded_embedder("static")
    project = ProjectFactory(
        name="SMS",
        embedder="minilm",
        retrain_every=0,
        min_labels_per_class=2,
        guidelines=DEMO_GUIDELINES,
    )
    describe_classes_as_the_demo(project)
    admin, annotator = UserFactory(), UserFactory()
    MembershipFactory(project=project, user=admin, role=Role.ADMIN)
    MembershipFactory(project=project, user=annotator, role=Role.ANNOTATOR)
    truth = import_ham_first(
        project, admin, dataset_path("sms_spam_collection.tsv"), tmp_path, sample=SAMPLE
    )
    items = Item.objects.filter(project=project).count()
    # The held-out splits come with their gold labels, as an import of a labeled test set
    # would: the versions are measured on them.
    held_out = {
        item.pk: truth[item.text.strip()]
        for item in Item.objects.filter(project=project).exclude(split=Split.TRAIN)
    }
    give_labels(list(held_out), held_out, source=AnnotationSource.IMPORT)
    workers = [
        # One process embeds (the job alone, no helper), so the MiniLM pass takes minutes.
        start_worker(["embeddings"], TANDEM_FAST_PASS_MIN_ITEMS="1000", TANDEM_EMBED_HELPERS="0"),
        start_worker(["training"], TANDEM_FAST_PASS_MIN_ITEMS="1000"),
    ]

    with transaction.atomic():
        embed_job = project_embedding_request(project=project, trigger=JobTrigger.IMPORT)

    def fast_pass_done():
        embed_job.refresh_from_db()
        assert embed_job.status not in FINISHED, embed_job.error or embed_job.message
        return "fast_pass" in embed_job.result

    wait_for(fast_pass_done, timeout=300, workers=workers, what="the fast pass")
    fast = embed_job.result["fast_pass"]
    assert fast["embedder"] == get_embedder("static").key
    assert fast["embedded"] == items == vectors(project, "static")
    assert vectors(project, "minilm") < items  # the exact pass has only begun

    # --- the queue serves at once, with proposals, while MiniLM embeds -------------------------
    client = api.as_user(annotator)
    queue = f"/api/v1/projects/{project.pk}/queue"
    served_ids: list[int] = []
    for number in range(LABELS_WHILE_EMBEDDING):
        body = client.post(f"{queue}/next/", {}, format="json").json()
        assignment = body["assignment"]
        assert assignment is not None, body  # never empty while the slow pass runs
        assert assignment["suggestion"] is not None
        assert assignment["suggestion"]["source"] == "zero-shot"
        label = truth[assignment["item"]["text"].strip()]
        served_ids.append(assignment["item"]["id"])
        response = client.post(
            f"{queue}/items/{assignment['item']['id']}/submit/",
            {"labels": [label], "client_key": f"k{number}"},
            format="json",
        )
        assert response.status_code in (200, 201), response.content
    # The queue's order is not the file's (every ham message first, in the import's order).
    in_file_order = list(
        Item.objects.filter(project=project, split=Split.TRAIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    first_tenth = set(in_file_order[: len(in_file_order) // 10])
    assert sum(pk not in first_tenth for pk in served_ids) >= LABELS_WHILE_EMBEDDING // 2
    # The annotator also labels a few spam messages of the train split found by hand, so
    # training has two classes whatever the queue served.
    found = [
        item
        for item in Item.objects.filter(project=project, split=Split.TRAIN, queue_annotations=0)
        if truth[item.text.strip()] == "spam"
    ][:SPAM_FOUND_BY_HAND]
    for item in found:
        response = client.post(
            f"/api/v1/projects/{project.pk}/items/{item.pk}/annotations/",
            {"labels": ["spam"]},
            format="json",
        )
        assert response.status_code == 201, response.content

    # --- a training run now trains on the static vectors instead of waiting --------------------
    with transaction.atomic():
        train_job = project_training_request(project=project, trigger=JobTrigger.MANUAL)

    def finished(job):
        job.refresh_from_db()
        return job.status in FINISHED

    wait_for(lambda: finished(train_job), timeout=300, workers=workers, what="training")
    assert train_job.status == JobStatus.SUCCEEDED, train_job.error or train_job.message
    first = ModelVersion.objects.get(pk=train_job.model_version_id)
    assert first.embedder == fast["embedder"]
    embed_job.refresh_from_db()
    assert embed_job.status == JobStatus.RUNNING  # trained while MiniLM was still embedding
    assert vectors(project, "minilm") < items

    body = client.post(f"{queue}/next/", {}, format="json").json()
    assert body["assignment"]["suggestion"]["source"] == "model"

    # --- the MiniLM vectors complete: the model is trained again on them -----------------------
    wait_for(lambda: finished(embed_job), timeout=900, workers=workers, what="the MiniLM pass")
    assert embed_job.status == JobStatus.SUCCEEDED, embed_job.error
    assert vectors(project, "minilm") == items

    def retrained():
        job = (
            TrainingJob.objects.filter(
                owner=project.owner_key, kind=JobKind.TRAIN, trigger=JobTrigger.EMBEDDINGS
            )
            .order_by("-pk")
            .first()
        )
        return job is not None and job.status in FINISHED and job

    again = wait_for(retrained, timeout=300, workers=workers, what="training on MiniLM vectors")
    assert again.status == JobStatus.SUCCEEDED, again.error or again.message
    second = ModelVersion.objects.get(pk=again.model_version_id)
    assert second.embedder.startswith("minilm@")
    assert second.stage == Stage.PRODUCTION, again.result
    assert first.metrics["n"] == second.metrics["n"] == len(held_out)
    assert second.label_count == first.label_count
    body = client.post(f"{queue}/next/", {}, format="json").json()
    assert body["assignment"]["suggestion"]["source"] == "model"
