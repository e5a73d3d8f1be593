"""Jobs whose task never reached the broker: queued again by a periodic task.

Import, embedding and training jobs are rows first; their Celery task is sent after the row
commits, and the task id is written on the row once the broker took it. A job still
``queued`` without a task id a minute later was never sent (the broker was down or
unreachable at that moment): ``jobs_resend_unsent`` sends it again, claiming the row with
the new task id first so two runs never queue the same job twice.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from core.tasks import enqueue
from labeling.choices import ImportStatus, JobState
from labeling.models import DatasetExport, DatasetSnapshot, ImportJob
from labeling.services.learning_jobs import job_task
from models_app.selectors.registry import training_jobs_unsent
from models_app.services.jobs import training_job_claim_send, training_job_release_send

# Long enough for the after-commit send to have recorded its task id.
UNSENT_AFTER = timedelta(minutes=1)
OWNER_PREFIX = "labeling.project:"
BATCH = 200


def _resend_import(job_id: int) -> bool:
    from labeling.tasks import import_job_run_task

    task_id = str(uuid.uuid4())
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED, task_id="").update(
        task_id=task_id
    )
    if not claimed:
        return False
    if enqueue(import_job_run_task, job_id, task_id=task_id) is None:
        ImportJob.objects.filter(pk=job_id, task_id=task_id).update(task_id="")
        return False
    return True


def _resend_snapshot(snapshot_id: int) -> bool:
    from labeling.tasks import snapshot_cut_task

    task_id = str(uuid.uuid4())
    claimed = DatasetSnapshot.objects.filter(
        pk=snapshot_id, state=JobState.QUEUED, task_id=""
    ).update(task_id=task_id)
    if not claimed:
        return False
    if enqueue(snapshot_cut_task, snapshot_id, task_id=task_id) is None:
        DatasetSnapshot.objects.filter(pk=snapshot_id, task_id=task_id).update(task_id="")
        return False
    return True


def _resend_export(export_id: int) -> bool:
    from labeling.tasks import dataset_export_run_task

    task_id = str(uuid.uuid4())
    claimed = DatasetExport.objects.filter(pk=export_id, state=JobState.QUEUED, task_id="").update(
        task_id=task_id
    )
    if not claimed:
        return False
    if enqueue(dataset_export_run_task, export_id, task_id=task_id) is None:
        DatasetExport.objects.filter(pk=export_id, task_id=task_id).update(task_id="")
        return False
    return True


def jobs_resend_unsent() -> dict[str, int]:
    """Queue again every import, embedding and training job of a labeling project that is
    still queued without a task id a minute after it was created. Returns how many of each
    kind were sent: ``{"imports", "learning_jobs", "snapshots", "exports"}`` (dataset
    snapshots and their exports too)."""
    cutoff = timezone.now() - UNSENT_AFTER
    sent = {"imports": 0, "learning_jobs": 0, "snapshots": 0, "exports": 0}
    unsent_imports = ImportJob.objects.filter(
        status=ImportStatus.QUEUED, task_id="", created_at__lt=cutoff
    ).order_by("created_at", "id")
    for job_id in unsent_imports.values_list("pk", flat=True)[:BATCH]:
        sent["imports"] += _resend_import(job_id)
    unsent_snapshots = DatasetSnapshot.objects.filter(
        state=JobState.QUEUED, task_id="", created_at__lt=cutoff
    ).order_by("created_at", "id")
    for snapshot_id in unsent_snapshots.values_list("pk", flat=True)[:BATCH]:
        sent["snapshots"] += _resend_snapshot(snapshot_id)
    unsent_exports = DatasetExport.objects.filter(
        state=JobState.QUEUED, task_id="", created_at__lt=cutoff
    ).order_by("created_at", "id")
    for export_id in unsent_exports.values_list("pk", flat=True)[:BATCH]:
        sent["exports"] += _resend_export(export_id)
    for job in training_jobs_unsent(owner_prefix=OWNER_PREFIX, created_before=cutoff)[:BATCH]:
        task_id = str(uuid.uuid4())
        if not training_job_claim_send(job_id=job.pk, task_id=task_id):
            continue
        if enqueue(job_task(job), job.pk, task_id=task_id) is None:
            training_job_release_send(job_id=job.pk, task_id=task_id)
            continue
        sent["learning_jobs"] += 1
    return sent
