"""Embedding jobs shared by several workers: items cut into chunks that one worker at a time
claims, a dead worker's chunk taken over, and a training run that joins the running job instead
of embedding the same items beside it."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone

from labeling.choices import Role
from labeling.models import Item
from labeling.selectors.embedders import project_embedder
from labeling.services.embedding import embedding_job_help, embedding_job_join, embedding_job_run
from labeling.services.learning_jobs import project_embedding_request
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import Embedding, EmbeddingChunk, TrainingJob
from models_app.services.embedding_chunks import (
    embedding_chunk_claim,
    embedding_chunk_done,
    embedding_chunks_cut,
    embedding_chunks_status,
)
from models_app.services.embeddings import embedding_store
from models_app.services.jobs import training_job_progress, training_job_start
from tests.factories import ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TEXTS = [
    "Free entry in 2 a wkly comp to win FA Cup final tkts",
    "Ok lar... Joking wif u oni...",
    "U dun say so early hor... U c already then say...",
    "WINNER!! As a valued network customer you have been selected",
    "Nah I don't think he goes to usf, he lives around here though",
]


def make_items(project, n):
    return [ItemFactory(project=project, text=f"{TEXTS[i % len(TEXTS)]} ({i})") for i in range(n)]


def running_embedding_job(project, *, chunk_size):
    """An embedding job started and cut into chunks, as its own task leaves it before it embeds."""
    job = project_embedding_request(project=project, trigger=JobTrigger.IMPORT)
    training_job_start(job_id=job.pk, kind=JobKind.EMBED)
    ids = np.array(sorted(Item.objects.filter(project=project).values_list("id", flat=True)))
    embedding_chunks_cut(job_id=job.pk, object_ids=ids, size=chunk_size)
    key = project_embedder(project=project).key
    training_job_progress(job_id=job.pk, result={"missing": len(ids), "embedder": key})
    return job


def chunk_ids(job) -> list[list[int]]:
    return [
        np.frombuffer(bytes(raw), dtype="<i8").tolist()
        for raw in EmbeddingChunk.objects.filter(job=job).values_list("object_ids", flat=True)
    ]


def test_a_job_cuts_its_items_into_disjoint_chunks_once():
    project = ProjectFactory(embedder="hashing")
    items = make_items(project, 25)
    job = running_embedding_job(project, chunk_size=10)

    again = embedding_chunks_cut(
        job_id=job.pk, object_ids=np.array([items[0].pk]), size=1
    )  # a run started again after its worker died keeps the chunks

    assert again == 3
    parts = chunk_ids(job)
    assert [len(part) for part in parts] == [10, 10, 5]
    assert sorted(i for part in parts for i in part) == sorted(item.pk for item in items)


def test_two_workers_never_hold_the_same_chunk_and_a_dead_workers_chunk_is_taken_over():
    project = ProjectFactory(embedder="hashing")
    make_items(project, 20)
    job = running_embedding_job(project, chunk_size=10)

    first = embedding_chunk_claim(job_id=job.pk, worker="host-a:1:1")
    second = embedding_chunk_claim(job_id=job.pk, worker="host-b:2:1")
    assert {first.number, second.number} == {0, 1}
    assert embedding_chunk_claim(job_id=job.pk, worker="host-c:3:1") is None

    # host-a dies: once its claim runs out, its chunk goes to the next worker that asks.
    EmbeddingChunk.objects.filter(pk=first.id).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    taken_over = embedding_chunk_claim(job_id=job.pk, worker="host-c:3:1")
    assert taken_over.id == first.id
    chunk = EmbeddingChunk.objects.get(pk=first.id)
    assert (chunk.claimed_by, chunk.claims) == ("host-c:3:1", 2)

    embedding_chunk_done(chunk_id=second.id, embedded=10)
    status = embedding_chunks_status(job_id=job.pk)
    assert (status.chunks, status.done_objects, status.claimed, status.finished) == (
        2,
        10,
        1,
        False,
    )


def test_a_job_run_and_a_helper_embed_every_item_once_and_the_job_says_so(settings):
    settings.TANDEM_EMBED_CHUNK_SIZE = 7
    project = ProjectFactory(embedder="hashing")
    items = make_items(project, 30)
    job = project_embedding_request(project=project, trigger=JobTrigger.IMPORT)

    finished = embedding_job_run(job_id=job.pk)

    assert finished.status == JobStatus.SUCCEEDED
    assert finished.result["embedded"] == 30
    assert finished.result["chunks"] == 5
    assert finished.result["failed"] == 0
    assert finished.progress == 1.0
    assert Embedding.objects.filter(owner=project.owner_key).count() == len(items)
    assert set(EmbeddingChunk.objects.filter(job=job).values_list("claims", flat=True)) == {1}
    # A helper that arrives after the job ended finds nothing to do.
    assert embedding_job_help(job_id=job.pk) == 0


def test_a_chunk_taken_over_embeds_only_the_items_still_without_a_vector():
    project = ProjectFactory(embedder="hashing")
    make_items(project, 10)
    job = running_embedding_job(project, chunk_size=10)
    # A worker embedded half the chunk, then died.
    ids = chunk_ids(job)[0]
    embedder = project_embedder(project=project)
    Embedding.objects.bulk_create(
        Embedding(owner=project.owner_key, embedder=embedder.key, object_id=i, vector=b"\0" * 1536)
        for i in ids[:5]
    )
    claim = embedding_chunk_claim(job_id=job.pk, worker="dead:1:1")
    EmbeddingChunk.objects.filter(pk=claim.id).update(lease_until=timezone.now())

    embedded = embedding_job_help(job_id=job.pk)

    assert embedded == 5
    assert Embedding.objects.filter(owner=project.owner_key).count() == 10


def test_a_training_run_joins_the_running_embedding_job_instead_of_embedding_beside_it(
    make_member,
):
    project = ProjectFactory(embedder="hashing")
    make_member(Role.ANNOTATOR, proj=project)
    make_items(project, 40)
    job = running_embedding_job(project, chunk_size=10)
    # Another worker holds the first chunk and finishes it while training waits.
    held = embedding_chunk_claim(job_id=job.pk, worker="other:1:1")
    embedder = project_embedder(project=project)
    seen: list[float] = []

    def progress(share):
        seen.append(share)
        if len(seen) == 1:
            # The other worker's chunk is done by now.
            other = np.array(chunk_ids(job)[held.number])
            embedding_store(
                owner=project.owner_key,
                embedder=embedder.key,
                object_ids=other,
                vectors=embedder.embed(
                    list(Item.objects.filter(id__in=other).values_list("text", flat=True))
                ),
            )
            embedding_chunk_done(chunk_id=held.id, embedded=len(other))

    report = embedding_job_join(
        project=project, embedder=embedder, on_progress=progress, poll_seconds=0.05
    )

    assert report is not None
    assert report.embedded == 30  # the three chunks nobody held, none of the other worker's
    claims = dict(EmbeddingChunk.objects.filter(job=job).values_list("number", "claims"))
    assert set(claims.values()) == {1}
    assert embedding_chunks_status(job_id=job.pk).finished
    assert Embedding.objects.filter(owner=project.owner_key).count() == 40
    assert TrainingJob.objects.get(pk=job.pk).status == JobStatus.RUNNING  # its own task ends it


def test_training_does_not_wait_for_an_embedding_job_that_never_reached_the_broker():
    project = ProjectFactory(embedder="hashing")
    make_items(project, 3)
    # Requested in a transaction whose commit never sent the task (no task id yet).
    project_embedding_request(project=project, trigger=JobTrigger.IMPORT)

    report = embedding_job_join(
        project=project, embedder=project_embedder(project=project), wait_to_start_seconds=60
    )

    assert report is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TANDEM_EMBED_HELPERS", "-1"),
        ("TANDEM_EMBED_CHUNK_SIZE", "0"),
        ("TANDEM_EMBED_CLAIM_SECONDS", "1"),
    ],
)
def test_embedding_settings_out_of_range_stop_the_start(tmp_path, name, value):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TANDEM_DATA_DIR": str(tmp_path),
        name: value,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode != 0
    assert "TANDEM_EMBED_HELPERS is 0 to 64" in result.stderr
