"""An embedding job shared by two real Celery workers on the embeddings queue: every item of
the SMS spam collection gets one vector, each chunk of items went to one worker once, and both
workers took part (a second worker host adds throughput)."""

import time

import numpy as np
import pytest
from django.db import transaction

from labeling.models import Item
from labeling.services.learning_jobs import project_embedding_request
from models_app.choices import JobStatus, JobTrigger
from models_app.models import Embedding, EmbeddingChunk, TrainingJob
from tests.factories import ItemFactory, ProjectFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.WAITING}


def test_two_workers_share_an_embedding_job_and_embed_every_item_once(start_worker, dataset_path):
    source = dataset_path("sms_spam_collection.tsv")
    texts = [line.split("\t", 1)[1] for line in source.read_text("utf-8").splitlines()[1:]]
    project = ProjectFactory(embedder="hashing", retrain_every=0)
    Item.objects.bulk_create(
        [ItemFactory.build(project=project, text=text) for text in dict.fromkeys(texts)],
        batch_size=2_000,
    )
    items = set(Item.objects.filter(project=project).values_list("id", flat=True))
    workers = [
        start_worker(["embeddings"], TANDEM_EMBED_CHUNK_SIZE="50", TANDEM_EMBED_HELPERS="1")
        for _ in range(2)
    ]

    with transaction.atomic():
        job = project_embedding_request(project=project, trigger=JobTrigger.IMPORT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert all(worker.poll() is None for worker in workers), "a worker process died"
        job.refresh_from_db()
        if job.status in FINISHED:
            break
        time.sleep(0.25)

    assert job.status == JobStatus.SUCCEEDED, job.error or job.message
    assert job.result["embedded"] == len(items)
    assert Embedding.objects.filter(owner=project.owner_key).count() == len(items)
    chunks = list(EmbeddingChunk.objects.filter(job=job))
    assert len(chunks) == job.result["chunks"] == -(-len(items) // 50)
    # Every item in exactly one chunk, every chunk handed out once.
    ids = np.concatenate([np.frombuffer(bytes(c.object_ids), dtype="<i8") for c in chunks])
    assert len(ids) == len(set(ids.tolist())) == len(items)
    assert set(ids.tolist()) == items
    assert {c.claims for c in chunks} == {1}
    assert sum(c.embedded for c in chunks) == len(items)
    # Both worker processes embedded chunks (host:pid:thread; the pid tells them apart).
    processes = {c.claimed_by.split(":")[1] for c in chunks}
    assert processes == {str(worker.pid) for worker in workers}
    assert not TrainingJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists()
