"""Requesting the project's background learning jobs: embed items, train a model.

models_app keeps the jobs (one active per project and kind, later triggers coalesce); this
module names the project as their owner and queues the Celery task once the request commits.
"""

from django.contrib.auth.models import User
from django.db import transaction

from core.tasks import enqueue_on_commit
from labeling.models import Project
from models_app.choices import JobKind, JobStatus
from models_app.models import TrainingJob
from models_app.services.jobs import training_job_request, training_job_set_task_id


def job_task(job: TrainingJob):
    """The Celery task that runs a job of this kind."""
    from labeling.tasks import (
        embed_project_task,
        evaluate_version_task,
        train_project_task,
        train_suspects_task,
    )

    if job.kind == JobKind.SUSPECTS:
        return train_suspects_task
    if job.kind == JobKind.EVALUATE:
        return evaluate_version_task
    return train_project_task if job.kind == JobKind.TRAIN else embed_project_task


def enqueue_job(job: TrainingJob) -> None:
    """Queue the job's task once the transaction commits."""
    # The task id is recorded once the broker took the message: a job still queued without
    # one is queued again by the periodic ``jobs_resend_unsent`` (see core.tasks).
    enqueue_on_commit(
        job_task(job),
        job.pk,
        on_sent=lambda task_id: training_job_set_task_id(job_id=job.pk, task_id=task_id),
    )


@transaction.atomic
def project_training_request(
    *, project: Project, trigger: str, requested_by: User | None = None
) -> TrainingJob:
    """Ask for a training run; returns the job that will do it (a new one or the active one).

    Side effects: after commit, queues ``labeling.tasks.train_project_task`` (training queue)
    for a new job; a job already running is asked to run once more when it ends.
    """
    job, created = training_job_request(
        owner=project.owner_key, kind=JobKind.TRAIN, trigger=trigger, requested_by=requested_by
    )
    if created:
        enqueue_job(job)
    return job


@transaction.atomic
def project_embedding_request(
    *, project: Project, trigger: str, requested_by: User | None = None
) -> TrainingJob:
    """Ask for the project's items without a vector to be embedded.

    Side effects: after commit, queues ``labeling.tasks.embed_project_task`` (embeddings queue).
    """
    job, created = training_job_request(
        owner=project.owner_key, kind=JobKind.EMBED, trigger=trigger, requested_by=requested_by
    )
    if created:
        enqueue_job(job)
    return job


@transaction.atomic
def project_suspects_request(
    *, project: Project, trigger: str, requested_by: User | None = None
) -> TrainingJob:
    """Ask for the project's people's labels to be judged for suspects (a ``suspects`` job).

    Side effects: after commit, queues ``labeling.tasks.train_suspects_task`` (training queue).
    """
    job, created = training_job_request(
        owner=project.owner_key, kind=JobKind.SUSPECTS, trigger=trigger, requested_by=requested_by
    )
    if created:
        enqueue_job(job)
    return job


def job_rerun_if_requested(*, job: TrainingJob | None, project: Project) -> TrainingJob | None:
    """Queue the run a trigger asked for while ``job`` was running."""
    if (
        job is None
        or not job.rerun_requested
        or job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    ):
        return None
    from models_app.choices import JobTrigger

    if job.kind == JobKind.TRAIN:
        return project_training_request(project=project, trigger=JobTrigger.RERUN)
    if job.kind == JobKind.SUSPECTS:
        return project_suspects_request(project=project, trigger=JobTrigger.RERUN)
    if job.kind == JobKind.EVALUATE:
        from labeling.services.evaluation import project_evaluation_request

        if job.model_version is None:
            return None
        return project_evaluation_request(project=project, version=job.model_version)
    return project_embedding_request(project=project, trigger=JobTrigger.RERUN)
