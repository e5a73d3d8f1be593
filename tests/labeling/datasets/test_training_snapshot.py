"""Every training run records the dataset snapshot it learned from, and its model version
links to it (the fast ``hashing`` embedder stands in for MiniLM)."""

import pytest
from django.urls import reverse

from labeling.choices import AnnotationSource, JobState, Role
from labeling.models import Annotation, DatasetSnapshot
from labeling.services.learning_jobs import project_training_request
from labeling.services.snapshots import training_snapshot
from labeling.services.training import training_job_run
from models_app.choices import JobStatus, JobTrigger
from models_app.models import ModelVersion
from tests.factories import MembershipFactory, UserFactory
from tests.labeling.datasets.conftest import make_sms_project

pytestmark = pytest.mark.django_db


def train(project):
    job = project_training_request(project=project, trigger=JobTrigger.MANUAL)
    finished = training_job_run(job_id=job.pk)
    assert finished is not None
    return finished


@pytest.fixture
def trained(dataset_path):
    project, items, annotator, _truth = make_sms_project(
        dataset_path, 400, embedder="hashing", retrain_every=0, min_labels_per_class=5
    )
    job = train(project)
    assert job.status == JobStatus.SUCCEEDED, job.error or job.message
    return project, items, annotator, job


def test_a_training_run_cuts_its_snapshot_and_its_version_links_to_it(api, trained):
    project, _items, _annotator, job = trained

    snapshot = DatasetSnapshot.objects.get(project=project)
    version = ModelVersion.objects.get(pk=job.model_version_id)

    assert snapshot.state == JobState.SUCCEEDED
    assert snapshot.training_job_id == job.pk
    assert snapshot.name == f"Training job {job.pk}"
    assert snapshot.filters["sources"] == ["human", "import", "moderation", "appeal"]
    assert version.snapshot_id == f"dataset-snapshot-{snapshot.pk}"
    # The hash training keeps is the dataset snapshot's content hash, and training's own.
    classes = list(project.label_classes.values_list("name", flat=True))
    assert version.snapshot_hash == snapshot.content_hash
    assert snapshot.content_hash == training_snapshot(project=project, classes=classes).hash
    engineer = UserFactory()
    MembershipFactory(project=project, user=engineer, role=Role.ML_ENGINEER)
    client = api.as_user(engineer)
    shown = client.get(
        reverse("model-version-detail", kwargs={"project_id": project.pk, "version_id": version.pk})
    ).json()
    assert shown["dataset_snapshot"] == {"number": snapshot.number}
    detail = client.get(
        reverse("snapshot-detail", kwargs={"project_id": project.pk, "number": snapshot.number})
    ).json()
    assert detail["model_versions"] == [
        {"id": version.pk, "version": version.version, "stage": version.stage}
    ]


def test_training_again_on_the_same_labels_reuses_the_snapshot(trained):
    project, items, annotator, first_job = trained
    first = DatasetSnapshot.objects.get(project=project)

    again = train(project)

    assert DatasetSnapshot.objects.filter(project=project).count() == 1
    version = ModelVersion.objects.get(pk=again.model_version_id)
    assert version.snapshot_id == f"dataset-snapshot-{first.pk}"
    assert first.training_job_id == first_job.pk

    Annotation.objects.create(
        item=items[0], labels=["spam"], source=AnnotationSource.MODERATION, annotator=annotator
    )
    third = train(project)

    newest = DatasetSnapshot.objects.filter(project=project).order_by("-number").first()
    assert newest.number == 2
    assert newest.training_job_id == third.pk
    assert newest.content_hash != first.content_hash
    assert ModelVersion.objects.get(pk=third.model_version_id).snapshot_id == (
        f"dataset-snapshot-{newest.pk}"
    )
