"""The fast first pass of an embedding job: which jobs have one, what it leaves behind (a vector
from the static model for every item and a queue ordered from them, before the first exact
vector), which vectors a training run uses meanwhile, and the retraining once the exact vectors
are complete. The same flow with real workers: tests/integration/test_fast_pass_worker.py."""

import numpy as np
import pytest
from django.test import override_settings

from labeling.choices import DataType
from labeling.models import Item
from labeling.services.embedding import (
    EARLY_COLD_START,
    embedding_job_help,
    embedding_job_run,
    fast_pass_embedder,
    items_embed_missing,
    training_embedder,
)
from labeling.services.learning_jobs import project_embedding_request
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.ml.embedders.registry import get_embedder
from models_app.models import Embedding, TrainingJob
from models_app.services.embedding_chunks import embedding_chunks_cut
from models_app.services.embeddings import embedding_matrix
from tests.factories import ItemFactory, ProjectFactory
from tests.factories.learning import describe_classes_as_the_demo, production_model_version
from tests.skips import loaded_embedder

pytestmark = pytest.mark.django_db


@pytest.fixture
def static(static_distilled):
    """The static embedder, loaded from the model cache folder (distilled once per session)."""
    return loaded_embedder("static")


def sms_project(dataset_path, n: int, **fields):
    project = ProjectFactory(**{"embedder": "minilm-int8", "retrain_every": 0, **fields})
    describe_classes_as_the_demo(project)
    lines = dataset_path("sms_spam_collection.tsv").read_text("utf-8").splitlines()[1:]
    texts = list(dict.fromkeys(line.split("\t", 1)[1] for line in lines))[:n]
    Item.objects.bulk_create([ItemFactory.build(project=project, text=text) for text in texts])
    return project


def vectors(project, key: str) -> int:
    return Embedding.objects.filter(owner=project.owner_key, embedder=key).count()


@override_settings(TANDEM_FAST_PASS_MIN_ITEMS=100)
def test_only_large_text_jobs_on_a_transformer_embedder_get_a_fast_pass():
    text = ProjectFactory(embedder="minilm-int8")
    minilm_int8 = get_embedder("minilm-int8")

    assert fast_pass_embedder(project=text, embedder=minilm_int8, missing=100).name == "static"
    assert fast_pass_embedder(project=text, embedder=get_embedder("minilm"), missing=500)
    # Too few items: the exact pass is quick enough on its own.
    assert fast_pass_embedder(project=text, embedder=minilm_int8, missing=99) is None
    # An embedder fast on its own, and image projects, have none.
    assert fast_pass_embedder(project=text, embedder=get_embedder("hashing"), missing=10**6) is None
    images = ProjectFactory(data_type=DataType.IMAGE, embedder="pixels")
    pixels = get_embedder("pixels")
    assert fast_pass_embedder(project=images, embedder=pixels, missing=10**6) is None
    with override_settings(TANDEM_FAST_PASS_MIN_ITEMS=0):  # switched off
        assert fast_pass_embedder(project=text, embedder=minilm_int8, missing=10**6) is None


@override_settings(TANDEM_FAST_PASS_MIN_ITEMS=100)
def test_the_job_embeds_every_item_with_the_static_model_and_orders_the_queue_first(
    dataset_path, static
):
    project = sms_project(dataset_path, 300)
    exact = get_embedder("minilm-int8")

    job = embedding_job_run(
        job_id=project_embedding_request(project=project, trigger=JobTrigger.IMPORT).pk
    )

    assert job.status == JobStatus.SUCCEEDED, job.error
    fast = job.result["fast_pass"]
    assert fast["embedder"] == static.key
    assert fast["embedded"] == 300 == vectors(project, static.key) == vectors(project, exact.key)
    assert fast["embed_seconds"] >= 0
    assert fast["order_seconds"] >= 0
    assert "fast pass" in job.message
    # With no model, the queue ends ordered from the exact vectors, with zero-shot proposals.
    head = Item.objects.filter(project=project).order_by("-priority")[:20]
    assert all(item.priority > 0 and item.predicted_label in {"ham", "spam"} for item in head)
    assert not TrainingJob.objects.filter(owner=project.owner_key, kind=JobKind.TRAIN).exists()


@override_settings(TANDEM_FAST_PASS_MIN_ITEMS=100)
def test_the_static_vectors_are_the_ones_the_queue_is_ordered_from_before_any_exact_one(
    dataset_path, static
):
    """The head the fast pass writes is the cold start of the static vectors alone: rebuilt
    here from them, it is the same order."""
    from labeling.services.embedding import embedding_fast_pass
    from labeling.services.pool_scoring import pool_load

    project = sms_project(dataset_path, 300)

    done = embedding_fast_pass(project=project, fast=static, seed=3)

    assert done.embedded == 300
    assert vectors(project, get_embedder("minilm-int8").key) == 0
    pool = pool_load(project=project, embedder_key=static.key)
    assert len(pool) == 300
    priorities = dict(Item.objects.filter(project=project).values_list("id", "priority"))
    assert len({priorities[int(i)] for i in pool.ids}) > 1  # ordered, not the file's order
    head = max(priorities, key=priorities.get)
    assert Item.objects.get(pk=head).predicted_label in {"ham", "spam"}


def test_a_large_import_is_ordered_from_a_sample_first_then_from_every_item(
    dataset_path, static, monkeypatch
):
    """Over more than twice ``FAST_PASS_SAMPLE`` items the queue is ready from a random
    sample's static vectors before the rest have one (20,000 of a million; 100 of 300 here)."""
    from labeling.choices import Role
    from labeling.services import embedding
    from labeling.services.queue import queue_next
    from tests.factories import MembershipFactory

    monkeypatch.setattr(embedding, "FAST_PASS_SAMPLE", 100)
    project = sms_project(dataset_path, 300)
    annotator = MembershipFactory(project=project, role=Role.ANNOTATOR).user
    when_ready = {}

    def ready(seconds, sampled):
        # The queue is served, with proposals, while 200 items have no vector yet.
        assignment = queue_next(project=project, user=annotator)
        when_ready.update(
            sampled=sampled,
            vectors=vectors(project, static.key),
            proposal=assignment.suggested_labels if assignment else None,
            ordered=Item.objects.filter(project=project, priority__gt=0).count(),
        )

    done = embedding.embedding_fast_pass(project=project, fast=static, seed=5, on_ready=ready)

    assert when_ready["sampled"] == 100
    assert when_ready["vectors"] == 100
    assert when_ready["proposal"]
    assert set(when_ready["proposal"]) <= {"ham", "spam"}
    assert 0 < when_ready["ordered"] <= 100
    assert done.sampled == 100
    assert done.embedded == 300 == vectors(project, static.key)
    assert done.ready_seconds <= done.embed_seconds + done.order_seconds
    # Ordered again from all of them: items outside the sample are in the queue's order too.
    assert Item.objects.filter(project=project, priority__gt=0).count() > when_ready["ordered"]


def test_training_uses_the_fast_vectors_only_while_the_exact_pass_runs(static):
    project = ProjectFactory(embedder="minilm-int8")
    exact = get_embedder("minilm-int8")
    assert training_embedder(project=project).key == exact.key  # no job

    job = TrainingJob.objects.create(
        owner=project.owner_key,
        kind=JobKind.EMBED,
        status=JobStatus.RUNNING,
        step="embed",
        result={"embedder": exact.key, "missing": 10},
    )
    assert training_embedder(project=project).key == exact.key  # no fast pass: join the job

    job.result["fast_pass"] = {"embedder": static.key, "embedded": 10}
    job.save(update_fields=["result"])
    assert training_embedder(project=project).key == static.key

    # Vectors of another static model (an older recipe) are not this process's: exact.
    job.result["fast_pass"]["embedder"] = "static@older-recipe"
    job.save(update_fields=["result"])
    assert training_embedder(project=project).key == exact.key

    job.result["fast_pass"]["embedder"] = static.key
    job.status = JobStatus.SUCCEEDED
    job.save(update_fields=["result", "status"])
    assert training_embedder(project=project).key == exact.key  # the exact pass is done


def test_a_fast_pass_under_way_is_waited_for_a_while_then_the_exact_vectors_are_used():
    project = ProjectFactory(embedder="minilm-int8")
    TrainingJob.objects.create(
        owner=project.owner_key,
        kind=JobKind.EMBED,
        status=JobStatus.RUNNING,
        step="fast",
        result={"embedder": get_embedder("minilm-int8").key, "missing": 10},
    )

    embedder = training_embedder(project=project, wait_for_fast_seconds=0.3, poll_seconds=0.05)

    assert embedder.key == get_embedder("minilm-int8").key


@override_settings(TANDEM_FAST_PASS_MIN_ITEMS=100)
def test_a_model_on_fast_vectors_is_retrained_once_the_exact_ones_are_complete(
    dataset_path, static, django_capture_on_commit_callbacks
):
    project = sms_project(dataset_path, 150)
    production_model_version(project, embedder=static.key)

    with django_capture_on_commit_callbacks(execute=False):
        job = embedding_job_run(
            job_id=project_embedding_request(project=project, trigger=JobTrigger.IMPORT).pk
        )

    assert job.status == JobStatus.SUCCEEDED, job.error
    retrain = TrainingJob.objects.get(owner=project.owner_key, kind=JobKind.TRAIN)
    assert retrain.trigger == JobTrigger.EMBEDDINGS
    assert retrain.status == JobStatus.QUEUED


def test_a_model_on_the_exact_vectors_is_not_retrained_when_a_job_ends(dataset_path):
    project = sms_project(dataset_path, 50, embedder="hashing")
    production_model_version(project, embedder=get_embedder("hashing").key)

    job = embedding_job_run(
        job_id=project_embedding_request(project=project, trigger=JobTrigger.IMPORT).pk
    )

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert "fast_pass" not in job.result
    assert not TrainingJob.objects.filter(owner=project.owner_key, kind=JobKind.TRAIN).exists()
    assert vectors(project, get_embedder("hashing").key) == 50


@pytest.mark.parametrize("fast_pass_done", [False, True])
def test_a_helper_orders_the_queue_from_its_first_vectors_unless_the_fast_pass_did(
    dataset_path, fast_pass_done
):
    """While the job's own task builds the static model (about a minute on first use), a helper
    on the exact vectors gives the queue its cold-start order once 1,000 items have one; once
    the fast pass has ordered every item, it leaves that order alone."""
    project = sms_project(dataset_path, EARLY_COLD_START + 200, embedder="hashing")
    key = get_embedder("hashing").key
    job = TrainingJob.objects.create(
        owner=project.owner_key,
        kind=JobKind.EMBED,
        status=JobStatus.RUNNING,
        step="fast",
        result={"embedder": key, "missing": EARLY_COLD_START + 200},
    )
    if fast_pass_done:
        job.result["fast_pass"] = {"embedder": "static@x", "embedded": EARLY_COLD_START + 200}
        job.save(update_fields=["result"])
    ids = Item.objects.filter(project=project).values_list("id", flat=True)
    embedding_chunks_cut(job_id=job.pk, object_ids=np.asarray(sorted(ids)), size=300)

    embedded = embedding_job_help(job_id=job.pk)

    assert embedded == EARLY_COLD_START + 200 == vectors(project, key)
    ordered = Item.objects.filter(project=project, priority__gt=0).count()
    assert (ordered > 0) is not fast_pass_done


def test_the_pipelined_pass_stores_the_same_vectors_as_batch_by_batch(dataset_path):
    """The fast pass embeds in a thread while it reads and stores: every item once, the same
    vectors as the plain loop, empty texts included, progress to the end."""
    plain, pipelined = (sms_project(dataset_path, 700, embedder="hashing") for _ in range(2))
    for project in (plain, pipelined):
        Item.objects.filter(
            project=project, pk__in=Item.objects.filter(project=project)[:3]
        ).update(text="")
    hashing = get_embedder("hashing")
    progress: list[float] = []

    a = items_embed_missing(project=plain, embedder=hashing, batch_size=128)
    b = items_embed_missing(
        project=pipelined,
        embedder=hashing,
        batch_size=128,
        pipelined=True,
        on_progress=progress.append,
    )

    assert a.embedded == b.embedded == 700 == vectors(pipelined, hashing.key)
    assert progress[-1] == 1.0
    assert len(progress) == -(-700 // 128)
    by_text = {}
    for project in (plain, pipelined):
        ids, matrix = embedding_matrix(owner=project.owner_key, embedder=hashing.key)
        texts = dict(Item.objects.filter(project=project).values_list("id", "text"))
        by_text[project.pk] = {
            texts[int(i)]: row.tobytes() for i, row in zip(ids, matrix, strict=True)
        }
    assert by_text[plain.pk] == by_text[pipelined.pk]
