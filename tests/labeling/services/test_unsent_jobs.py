"""Import, embedding and training requests made while the broker is down: the request still
succeeds (its job is saved, queued), and the periodic ``jobs_resend_unsent`` queues each such
job once the broker is back; a job whose task was sent is never queued twice."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from labeling.choices import ImportStatus, Role
from labeling.models import ImportJob, Item
from labeling.services.learning_jobs import project_embedding_request
from labeling.tasks import jobs_resend_unsent
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import TrainingJob
from tests.broker import broker_unreachable
from tests.factories import ItemFactory, ProjectFactory

CSV = b'text,label\nMeet me at the station at six,ham\n"WIN a FREE cruise, txt CRUISE now",spam\n'


def _a_minute_ago(model, pk) -> None:
    model.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(minutes=2))


@pytest.mark.django_db(transaction=True)
def test_an_import_uploaded_while_the_broker_is_down_is_accepted_and_run_later(
    api, make_member, project, caplog
):
    client = api.as_user(make_member(Role.ML_ENGINEER))

    with broker_unreachable():
        response = client.post(
            f"/api/v1/projects/{project.pk}/imports/",
            {"file": SimpleUploadedFile("messages.csv", CSV)},
            format="multipart",
        )

    assert response.status_code == 202, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert (job.status, job.task_id) == (ImportStatus.QUEUED, "")
    assert "Could not queue labeling.tasks.import_job_run_task" in caplog.text
    assert jobs_resend_unsent() == {
        "imports": 0,
        "learning_jobs": 0,
        "snapshots": 0,
        "exports": 0,
    }  # give the send a minute

    _a_minute_ago(ImportJob, job.pk)
    sent = jobs_resend_unsent()  # tasks run eagerly here: the import runs now

    assert sent == {"imports": 1, "learning_jobs": 0, "snapshots": 0, "exports": 0}
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert job.task_id
    assert Item.objects.filter(project=project).count() == 2
    assert jobs_resend_unsent() == {"imports": 0, "learning_jobs": 0, "snapshots": 0, "exports": 0}


@pytest.mark.django_db(transaction=True)
def test_an_embedding_job_requested_while_the_broker_is_down_is_queued_again_once():
    project = ProjectFactory(embedder="hashing")
    ItemFactory(project=project, text="Is the harbour clean-up still on for Saturday?")

    with broker_unreachable():
        job = project_embedding_request(project=project, trigger=JobTrigger.MANUAL)

    job.refresh_from_db()
    assert (job.kind, job.status, job.task_id) == (JobKind.EMBED, JobStatus.QUEUED, "")
    _a_minute_ago(TrainingJob, job.pk)
    with broker_unreachable():
        # Still down at the periodic run: the job stays as it was, to be tried again.
        assert jobs_resend_unsent() == {
            "imports": 0,
            "learning_jobs": 0,
            "snapshots": 0,
            "exports": 0,
        }
    job.refresh_from_db()
    assert job.task_id == ""

    assert jobs_resend_unsent() == {"imports": 0, "learning_jobs": 1, "snapshots": 0, "exports": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert jobs_resend_unsent() == {"imports": 0, "learning_jobs": 0, "snapshots": 0, "exports": 0}
