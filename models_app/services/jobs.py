"""Training and embedding jobs: request (coalesced), start, report progress, finish.

One queued or running job per owner and kind. A second trigger while one is queued returns it
(it will see the new labels when it starts); while one runs, it asks for one more run at the
end. Progress writes are single UPDATEs outside the caller's transaction, so they are visible
while the job works.
"""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.limits import task_attempts_exhausted, worker_lost_message
from models_app.choices import ACTIVE_JOB_STATUSES, JobKind, JobStatus
from models_app.models import ModelVersion, TrainingJob

logger = logging.getLogger(__name__)

MAX_ERROR_CHARS = 4000

LOST_WORKER_MESSAGE = (
    "The worker stopped without finishing this job (killed, out of memory or lost); "
    "the serving model was not changed."
)


def _stale(job: TrainingJob) -> bool:
    """A job still active past the task's hard time limit has lost its worker."""
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return (job.started_at or job.created_at) < timezone.now() - limit


@transaction.atomic
def training_job_request(
    *,
    owner: str,
    kind: str,
    trigger: str,
    requested_by: User | None = None,
) -> tuple[TrainingJob, bool]:
    """The owner's active job of this kind, or a new queued one: ``(job, created)``.

    The caller queues the task for a created job (after commit). A job left active by a killed
    worker is marked failed first, so it cannot block training forever.
    """
    active = (
        TrainingJob.objects.select_for_update()
        .filter(owner=owner, kind=kind, status__in=ACTIVE_JOB_STATUSES)
        .first()
    )
    if active is not None and _stale(active):
        _finish(active.pk, status=JobStatus.FAILED, error=LOST_WORKER_MESSAGE)
        active = None
    if active is not None:
        if active.status == JobStatus.RUNNING and not active.rerun_requested:
            active.rerun_requested = True
            active.save(update_fields=["rerun_requested"])
        return active, False
    try:
        with transaction.atomic():
            job = TrainingJob.objects.create(
                owner=owner, kind=kind, trigger=trigger, requested_by=requested_by
            )
    except IntegrityError:
        # Another request created the active job between our look and our insert.
        job = TrainingJob.objects.get(owner=owner, kind=kind, status__in=ACTIVE_JOB_STATUSES)
        return job, False
    return job, True


def training_job_set_task_id(*, job_id: int, task_id: str) -> None:
    TrainingJob.objects.filter(pk=job_id, task_id="").update(task_id=task_id or "")


def training_job_start(*, job_id: int, kind: str) -> TrainingJob | None:
    """Mark the job running; None when it no longer exists, is of another kind, or has already
    finished (a late duplicate message).

    A running job is started again: that is a redelivery after its worker died. Each start
    counts an attempt, committed before any work; past ``TANDEM_TASK_MAX_ATTEMPTS`` the job is
    marked failed (the registry untouched: what served still serves) and None is returned.
    """
    started = TrainingJob.objects.filter(
        pk=job_id, kind=kind, status__in=ACTIVE_JOB_STATUSES
    ).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        step="",
        progress=0.0,
        error="",
        attempts=F("attempts") + 1,
    )
    if not started:
        return None
    job = TrainingJob.objects.get(pk=job_id)
    if task_attempts_exhausted(job.attempts):
        what, retry = (
            ("this training job", "The serving model was not changed. Train again by hand")
            if kind == JobKind.TRAIN
            else ("this embedding job", "Start it again by hand")
        )
        message = worker_lost_message(
            what=what, attempts=job.attempts, retry=f"{retry} once the cause is fixed."
        )
        logger.error("%s job %s: %s", kind, job_id, message)
        training_job_fail(job_id=job_id, error=message)
        return None
    return job


def training_job_progress(
    *,
    job_id: int,
    step: str | None = None,
    progress: float | None = None,
    message: str | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    """Record where a running job is; ``progress`` is the share of the whole job done (0..1);
    ``result`` replaces the job's figures so far (e.g. how many items it has to embed)."""
    fields: dict[str, Any] = {}
    if step is not None:
        fields["step"] = step
    if progress is not None:
        fields["progress"] = min(1.0, max(0.0, float(progress)))
    if message is not None:
        fields["message"] = message
    if result is not None:
        fields["result"] = result
    if fields:
        TrainingJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**fields)


def _finish(job_id: int, *, status: str, **fields: Any) -> TrainingJob | None:
    TrainingJob.objects.filter(pk=job_id).update(
        status=status, finished_at=timezone.now(), **fields
    )
    return TrainingJob.objects.filter(pk=job_id).first()


def training_job_wait(
    *, job_id: int, message: str, result: dict[str, Any] | None = None
) -> TrainingJob | None:
    """End the run without a model, saying what it waits for (e.g. labels of a second class)."""
    return _finish(
        job_id, status=JobStatus.WAITING, message=message, result=result or {}, progress=1.0
    )


def training_job_succeed(
    *,
    job_id: int,
    model_version: ModelVersion | None = None,
    message: str = "",
    result: dict[str, Any] | None = None,
) -> TrainingJob | None:
    return _finish(
        job_id,
        status=JobStatus.SUCCEEDED,
        model_version=model_version,
        message=message,
        result=result or {},
        progress=1.0,
        step="done",
    )


def training_job_fail(*, job_id: int, error: str) -> TrainingJob | None:
    """Mark the job failed with its error. The registry is untouched: what served still serves."""
    if len(error) > MAX_ERROR_CHARS:
        error = error[: MAX_ERROR_CHARS - 1] + "…"
    return _finish(job_id, status=JobStatus.FAILED, error=error)


@transaction.atomic
def owner_forget(*, owner: str) -> None:
    """Remove everything kept for an owner that is gone: vectors, jobs, versions, artifacts.

    Side effects: after commit, deletes the artifact files from storage.
    """
    from models_app.services.embeddings import embedding_delete

    embedding_delete(owner=owner)
    TrainingJob.objects.filter(owner=owner).delete()
    versions = list(ModelVersion.objects.filter(owner=owner))
    files = [(v.artifact.storage, v.artifact.name) for v in versions if v.artifact.name]
    ModelVersion.objects.filter(owner=owner).delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)


def training_job_request_rerun(*, job_id: int) -> None:
    """Ask a running job to run once more when it ends (e.g. its inputs changed under it)."""
    TrainingJob.objects.filter(pk=job_id).update(rerun_requested=True)


def training_job_claim_send(*, job_id: int, task_id: str) -> bool:
    """Record ``task_id`` on a queued job that has none yet, before sending its task again
    (one conditional UPDATE, so two senders never queue the same job). False when another
    sender did, or the job started meanwhile."""
    return bool(
        TrainingJob.objects.filter(pk=job_id, status=JobStatus.QUEUED, task_id="").update(
            task_id=task_id
        )
    )


def training_job_release_send(*, job_id: int, task_id: str) -> None:
    """Undo ``training_job_claim_send`` when the broker did not take the task after all."""
    TrainingJob.objects.filter(pk=job_id, task_id=task_id).update(task_id="")
