"""The queue's order before any model: diverse as soon as vectors exist, not the file's order.

The SMS spam collection stands in for the demo's mail corpus: imported unlabeled in file order
with every ham message first (as the SpamAssassin demo's ``easy_ham`` folder comes first), then
embedded by the embedding job (the fast ``hashing`` embedder stands in for MiniLM). Nobody has
labeled anything and no training job has run; the first items the queue API serves must still
show both classes.
"""

import json

import numpy as np
import pytest
from django.core.files import File

from labeling.choices import ImportStatus, Role
from labeling.models import Item
from labeling.services import embedding as embedding_services
from labeling.services.embedding import embedding_job_run
from labeling.services.imports.jobs import import_job_create
from labeling.services.imports.run import import_job_run
from labeling.services.learning_jobs import project_embedding_request
from models_app.choices import JobStatus, JobTrigger
from models_app.models import TrainingJob
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def import_ham_first(project, user, source, tmp_path, sample=None) -> dict[str, str]:
    """Import the SMS collection (or a seeded sample of ``sample`` messages) without labels,
    every ham before every spam; returns the true class by text."""
    rows = [line.split("\t", 1) for line in source.read_text(encoding="utf-8").splitlines()[1:]]
    rows = [(label, text) for label, text in rows if text.strip()]
    if sample is not None:
        picked = np.random.default_rng(12).choice(len(rows), size=sample, replace=False)
        rows = [rows[i] for i in picked]
    rows = sorted(rows, key=lambda row: row[0])
    upload = tmp_path / "sms.jsonl"
    with upload.open("w", encoding="utf-8") as out:
        for n, (_label, text) in enumerate(rows):
            out.write(json.dumps({"external_id": f"sms-{n:05d}", "text": text}) + "\n")
    with upload.open("rb") as fh:
        job = import_job_create(
            project=project, created_by=user, uploads=[File(fh, name="sms.jsonl")], enqueue=False
        )
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportStatus.SUCCEEDED, job.error_count
    return {text.strip(): label for label, text in rows}


def serve(api, project, annotator, truth, n) -> list[str]:
    """The classes of the first ``n`` items the queue API hands the annotator, labeling each."""
    client = api.as_user(annotator)
    base = f"/api/v1/projects/{project.pk}/queue"
    served = []
    for number in range(n):
        body = client.post(f"{base}/next/", {}, format="json").json()
        item = body["assignment"]["item"]
        label = truth[item["text"].strip()]
        served.append(label)
        response = client.post(
            f"{base}/items/{item['id']}/submit/",
            {"labels": [label], "client_key": f"k{number}"},
            format="json",
        )
        assert response.status_code in (200, 201), response.content
    return served


@pytest.fixture
def sms_project(dataset_path, tmp_path):
    project = ProjectFactory(name="SMS", embedder="hashing", retrain_every=0)
    admin, annotator = UserFactory(), UserFactory()
    MembershipFactory(project=project, user=admin, role=Role.ADMIN)
    MembershipFactory(project=project, user=annotator, role=Role.ANNOTATOR)
    truth = import_ham_first(project, admin, dataset_path("sms_spam_collection.tsv"), tmp_path)
    return project, annotator, truth


def test_first_20_queue_items_after_embedding_contain_both_classes(api, sms_project):
    project, annotator, truth = sms_project
    first_by_id = Item.objects.filter(project=project).order_by("id")[:20]
    assert {truth[item.text.strip()] for item in first_by_id} == {"ham"}  # the file's order

    job = embedding_job_run(
        job_id=project_embedding_request(project=project, trigger=JobTrigger.IMPORT).pk
    )

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert not TrainingJob.objects.filter(kind="train").exists()
    # Hashing vectors carry no meaning to compare the classes with: no zero-shot proposals.
    assert not Item.objects.filter(project=project).exclude(predicted_label="").exists()
    assert set(serve(api, project, annotator, truth, 20)) == {"ham", "spam"}


def test_a_long_embedding_job_orders_the_queue_before_it_ends(sms_project, monkeypatch):
    project, _annotator, truth = sms_project
    seen: list[set[str]] = []

    def store_and_look(**kwargs):
        store(**kwargs)
        # What the queue would serve next, while the job is still embedding. The order is
        # seeded by the job's id, which differs between databases and runs: 60 items make "no
        # spam at all" (one message in eight is spam) a chance below 1 in 4,000 even at random.
        head = Item.objects.filter(project=project).order_by("-priority", "id")[:60]
        seen.append({truth[item.text.strip()] for item in head})

    store = embedding_services.embedding_store
    monkeypatch.setattr(embedding_services, "EARLY_COLD_START", 500)
    monkeypatch.setattr(embedding_services, "embedding_store", store_and_look)

    embedding_job_run(
        job_id=project_embedding_request(project=project, trigger=JobTrigger.IMPORT).pk
    )

    # The early order is written after the batch that reaches 500 vectors, and the next batch
    # is stored with it in place, long before the job's last batch.
    assert len(seen) > 5
    assert seen[2] == {"ham", "spam"}
