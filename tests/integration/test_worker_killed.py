"""A task that kills its worker process is run at most TANDEM_TASK_MAX_ATTEMPTS times, then
its job is marked failed saying why; the worker lives on and runs the next job.

A real worker (prefork pool, as in production: the task runs in a child process that the
kernel's OOM killer would end) with ``tests.integration.worker_hooks`` loaded, which SIGKILLs
the child running an import of ``kill-worker*.txt`` or training the project ``kill-worker``.
Celery requeues such a message (late acks, reject on worker lost); without the attempt count
it would be redelivered forever.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.choices import AnnotationSource, ImportStatus, Role
from labeling.models import Item
from labeling.services.learning_jobs import project_training_request
from models_app.choices import JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion, TrainingJob
from tests.factories import ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
HOOKS = ["tests.integration.worker_hooks"]


def wait_for(predicate, *, worker, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_an_import_that_kills_its_worker_fails_after_the_attempt_limit_and_the_worker_survives(
    start_worker, api, make_member, project
):
    worker = start_worker(["default"], pool="prefork", include=HOOKS, TANDEM_TASK_MAX_ATTEMPTS="3")
    client = api.as_user(make_member(Role.ADMIN))
    url = f"/api/v1/projects/{project.pk}/imports/"

    response = client.post(
        url,
        {"file": SimpleUploadedFile("kill-worker.txt", b"first line\nsecond line\n")},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    job_url = f"{url}{response.json()['id']}/"

    job = wait_for(
        lambda: (body := client.get(job_url).json())["status"] == ImportStatus.FAILED and body,
        worker=worker,
    )

    assert job["attempts"] == 4  # three runs killed, the fourth gave up without running
    assert job["error_message"] == (
        "The worker stopped while running this import 3 times (killed or out of memory); "
        "not retried again. Retry it by hand once the cause is fixed."
    )
    assert not Item.objects.filter(project=project).exists()

    # The same worker takes the next import and completes it.
    response = client.post(
        url, {"file": SimpleUploadedFile("messages.txt", b"hello\nworld\n")}, format="multipart"
    )
    next_url = f"{url}{response.json()['id']}/"
    done = wait_for(
        lambda: (body := client.get(next_url).json())["status"] == ImportStatus.SUCCEEDED and body,
        worker=worker,
    )
    assert done["items_created"] == 2
    assert done["attempts"] == 1
    assert worker.poll() is None


def test_a_training_run_that_kills_its_worker_fails_and_the_serving_model_stays(
    start_worker, api, make_member
):
    project = ProjectFactory(embedder="hashing", retrain_every=0)
    truth = make_corpus(project, 200, seed=3)
    give_labels(train_ids(project, truth)[:60], truth)
    give_labels(held_out_ids(project, truth), truth, source=AnnotationSource.IMPORT)
    # Tasks run eagerly until the worker starts: this first run trains in the test process.
    first = project_training_request(project=project, trigger=JobTrigger.MANUAL)
    first.refresh_from_db()
    assert first.status == JobStatus.SUCCEEDED, first.error
    serving = ModelVersion.objects.get(owner=project.owner_key, stage=Stage.PRODUCTION)
    project.name = "kill-worker"
    project.save(update_fields=["name"])
    give_labels(train_ids(project, truth)[60:120], truth)

    worker = start_worker(["training"], pool="prefork", include=HOOKS, TANDEM_TASK_MAX_ATTEMPTS="2")
    client = api.as_user(make_member(Role.ADMIN, proj=project))
    response = client.post(
        f"/api/v1/projects/{project.pk}/training-jobs/", {"kind": "train"}, format="json"
    )
    assert response.status_code in (201, 202), response.json()
    job_url = f"/api/v1/projects/{project.pk}/training-jobs/{response.json()['id']}/"

    job = wait_for(
        lambda: (body := client.get(job_url).json())["status"] == JobStatus.FAILED and body,
        worker=worker,
    )

    assert job["attempts"] == 3
    assert job["error"].startswith(
        "The worker stopped while running this training job 2 times (killed or out of memory)"
    )
    assert "The serving model was not changed." in job["error"]
    assert list(ModelVersion.objects.filter(owner=project.owner_key)) == [serving]
    serving.refresh_from_db()
    assert serving.stage == Stage.PRODUCTION
    assert TrainingJob.objects.get(pk=job["id"]).model_version_id is None
    assert worker.poll() is None
