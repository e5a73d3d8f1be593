"""Training jobs: one active job per owner and kind; later triggers coalesce into it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import TrainingJob
from models_app.services.jobs import (
    LOST_WORKER_MESSAGE,
    training_job_fail,
    training_job_progress,
    training_job_request,
    training_job_start,
    training_job_succeed,
)

pytestmark = pytest.mark.django_db

OWNER = "labeling.project:1"


def request(kind: str = JobKind.TRAIN, owner: str = OWNER):
    return training_job_request(owner=owner, kind=kind, trigger=JobTrigger.LABELS)


def test_second_trigger_while_queued_returns_the_queued_job():
    first, created_first = request()
    second, created_second = request()

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert not second.rerun_requested
    assert TrainingJob.objects.count() == 1


def test_second_trigger_while_running_asks_for_one_more_run():
    job, _ = request()
    training_job_start(job_id=job.pk, kind=JobKind.TRAIN)

    again, created = request()

    assert not created
    assert again.pk == job.pk
    assert again.rerun_requested


def test_kinds_and_owners_do_not_coalesce_with_each_other():
    train, _ = request()
    embed, _ = request(kind=JobKind.EMBED)
    elsewhere, _ = request(owner="labeling.project:2")

    assert len({train.pk, embed.pk, elsewhere.pk}) == 3


def test_a_finished_job_does_not_absorb_the_next_trigger():
    job, _ = request()
    training_job_start(job_id=job.pk, kind=JobKind.TRAIN)
    training_job_succeed(job_id=job.pk)

    following, created = request()

    assert created
    assert following.pk != job.pk


def test_a_job_left_running_by_a_killed_worker_is_failed_and_replaced():
    job, _ = request()
    training_job_start(job_id=job.pk, kind=JobKind.TRAIN)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 600)
    TrainingJob.objects.filter(pk=job.pk).update(started_at=long_ago)

    _replacement, created = request()

    job.refresh_from_db()
    assert created
    assert job.status == JobStatus.FAILED
    assert job.error == LOST_WORKER_MESSAGE


def test_progress_is_recorded_only_while_running_and_clamped():
    job, _ = request()
    training_job_progress(job_id=job.pk, step="fit", progress=0.5)
    job.refresh_from_db()
    assert (job.step, job.progress) == ("", 0.0)

    training_job_start(job_id=job.pk, kind=JobKind.TRAIN)
    training_job_progress(job_id=job.pk, step="fit", progress=1.7)

    job.refresh_from_db()
    assert (job.status, job.step, job.progress) == (JobStatus.RUNNING, "fit", 1.0)


def test_a_finished_job_is_not_started_again_by_a_late_duplicate_message():
    job, _ = request()
    training_job_start(job_id=job.pk, kind=JobKind.TRAIN)
    training_job_fail(job_id=job.pk, error="boom")

    assert training_job_start(job_id=job.pk, kind=JobKind.TRAIN) is None
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "boom")


def test_a_message_naming_a_job_of_another_kind_starts_nothing():
    embed, _ = request(kind=JobKind.EMBED)

    assert training_job_start(job_id=embed.pk, kind=JobKind.TRAIN) is None
    embed.refresh_from_db()
    assert embed.status == JobStatus.QUEUED


def test_very_long_errors_are_cut_short():
    job, _ = request()
    training_job_start(job_id=job.pk, kind=JobKind.TRAIN)

    failed = training_job_fail(job_id=job.pk, error="x" * 10_000)

    assert len(failed.error) == 4000
