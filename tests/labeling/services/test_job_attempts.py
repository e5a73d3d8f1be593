"""Each run of an import, embedding or training job counts an attempt as it starts. A job whose
earlier runs all ended with their worker is marked failed, with the reason, once
TANDEM_TASK_MAX_ATTEMPTS runs are used; a retry by hand starts the count again.

(The real thing, a worker child SIGKILLed mid-run, is tests/integration/test_worker_killed.py;
here the runs that died are the attempts already on the row.)"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.choices import ImportStatus
from labeling.models import ImportJob, Item
from labeling.services.embedding import embedding_job_run
from labeling.services.imports.jobs import import_job_create, import_job_retry
from labeling.services.imports.run import import_job_run
from labeling.services.training import training_job_run
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import ModelVersion, TrainingJob
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def three_attempts(settings):
    settings.TANDEM_TASK_MAX_ATTEMPTS = 3


def killed_import(project, runs_that_died: int) -> ImportJob:
    job = import_job_create(
        project=project,
        created_by=UserFactory(),
        uploads=[SimpleUploadedFile("messages.txt", b"hello\nworld\n")],
        enqueue=False,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, attempts=runs_that_died)
    return job


def test_an_import_runs_while_attempts_remain(project):
    job = import_job_run(job_id=killed_import(project, 2).pk)

    assert job.status == ImportStatus.SUCCEEDED
    assert job.attempts == 3
    assert Item.objects.filter(project=project).count() == 2


def test_an_import_whose_worker_died_every_time_is_failed_with_the_reason(project):
    job = import_job_run(job_id=killed_import(project, 3).pk)

    assert job.status == ImportStatus.FAILED
    assert job.error_message == (
        "The worker stopped while running this import 3 times (killed or out of memory); "
        "not retried again. Retry it by hand once the cause is fixed."
    )
    assert job.finished_at is not None
    assert not Item.objects.filter(project=project).exists()


def test_a_retry_by_hand_starts_the_count_again(project, django_capture_on_commit_callbacks):
    failed = import_job_run(job_id=killed_import(project, 3).pk)

    with django_capture_on_commit_callbacks(execute=True):
        import_job_retry(job=failed)

    failed.refresh_from_db()
    assert failed.status == ImportStatus.SUCCEEDED
    assert failed.attempts == 1


def active_job(project, kind: str, runs_that_died: int) -> TrainingJob:
    return TrainingJob.objects.create(
        owner=project.owner_key,
        kind=kind,
        trigger=JobTrigger.MANUAL,
        status=JobStatus.RUNNING,
        attempts=runs_that_died,
    )


@pytest.mark.parametrize(
    ("kind", "run", "what"),
    [
        (JobKind.TRAIN, training_job_run, "this training job"),
        (JobKind.EMBED, embedding_job_run, "this embedding job"),
    ],
)
def test_a_learning_job_whose_worker_died_every_time_is_failed_with_the_reason(kind, run, what):
    project = ProjectFactory(embedder="hashing")
    job = active_job(project, kind, 3)

    assert run(job_id=job.pk) is None

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.attempts == 4
    assert job.error.startswith(
        f"The worker stopped while running {what} 3 times (killed or out of memory); "
        "not retried again."
    )
    assert not ModelVersion.objects.filter(owner=project.owner_key).exists()


def test_a_learning_job_runs_while_attempts_remain():
    project = ProjectFactory(embedder="hashing")
    job = active_job(project, JobKind.EMBED, 2)

    finished = embedding_job_run(job_id=job.pk)

    assert finished.status == JobStatus.SUCCEEDED
    assert finished.attempts == 3
