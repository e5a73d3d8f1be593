"""Celery tasks: thin wrappers that take ids and call one service.

Routing (config/celery.py): ``embed_*`` go to the ``embeddings`` queue, ``train_*`` to
``training``, everything else to ``default``.
"""

from celery import shared_task


@shared_task(name="labeling.tasks.import_job_run_task", acks_late=True)
def import_job_run_task(job_id: int) -> dict[str, int | str]:
    """Run one import. Safe to run twice: rows already imported are recognised and skipped."""
    from labeling.services.imports.run import import_job_run

    job = import_job_run(job_id=job_id)
    return {"status": job.status, "items_created": job.items_created, "errors": job.error_count}


@shared_task(name="labeling.tasks.snapshot_cut_task", acks_late=True)
def snapshot_cut_task(snapshot_id: int) -> dict[str, int | str | None]:
    """Cut one queued dataset snapshot into its Parquet file. Safe to run twice: a snapshot
    already cut is left as it is."""
    from labeling.services.datasets.cut import snapshot_run

    snapshot = snapshot_run(snapshot_id=snapshot_id)
    return {"snapshot": snapshot_id, "state": snapshot.state if snapshot else None}


@shared_task(name="labeling.tasks.embed_project_task", acks_late=True)
def embed_project_task(job_id: int) -> dict[str, int | str]:
    """Embed a project's items that have no vector yet (an embedding job)."""
    from labeling.services.embedding import embedding_job_run

    job = embedding_job_run(job_id=job_id)
    return {"job": job_id, "status": job.status if job else "skipped"}


@shared_task(name="labeling.tasks.embed_chunks_task", acks_late=True)
def embed_chunks_task(job_id: int) -> dict[str, int]:
    """Help a running embedding job: embed chunks of its items until none is left to claim."""
    from labeling.services.embedding import embedding_job_help

    return {"job": job_id, "embedded": embedding_job_help(job_id=job_id)}


@shared_task(name="labeling.tasks.train_project_task", acks_late=True)
def train_project_task(job_id: int) -> dict[str, int | str | None]:
    """One training run: fit, evaluate, register, rescore the pool (a training job)."""
    from labeling.services.training import training_job_run

    job = training_job_run(job_id=job_id)
    return {
        "job": job_id,
        "status": job.status if job else "skipped",
        "model_version": job.model_version_id if job else None,
    }


@shared_task(name="labeling.tasks.retrain_scheduled")
def retrain_scheduled() -> list[int]:
    """Periodic (beat): request training for projects with labels newer than their last run."""
    from labeling.services.retraining import training_scheduled_request

    return training_scheduled_request()


@shared_task(name="labeling.tasks.queue_leases_expire_task", time_limit=60, soft_time_limit=50)
def queue_leases_expire_task() -> int:
    """Periodic (beat, every 30 s): leases past their time return their items to the queue."""
    from labeling.services.lease_expiry import queue_leases_expire

    return queue_leases_expire()


@shared_task(name="labeling.tasks.jobs_resend_unsent", time_limit=60, soft_time_limit=50)
def jobs_resend_unsent() -> dict[str, int]:
    """Periodic (beat, every minute): queue again import, embedding and training jobs whose
    task never reached the broker (still queued, no task id)."""
    from labeling.services.unsent_jobs import jobs_resend_unsent as resend

    return resend()


@shared_task(name="labeling.tasks.dataset_export_run_task", acks_late=True)
def dataset_export_run_task(export_id: int) -> dict[str, int | str]:
    """Write one export of a dataset snapshot. Safe to run twice: a written export is kept."""
    from labeling.services.datasets.exports import dataset_export_run

    export = dataset_export_run(export_id=export_id)
    return {"export": export_id, "state": export.state, "size_bytes": export.size_bytes}


@shared_task(name="labeling.tasks.drift_check", time_limit=60, soft_time_limit=50)
def drift_check() -> list[int]:
    """Periodic (beat, every minute): queue the drift job of each project with a window due
    (a full window, or a day over)."""
    from labeling.services.drift import drift_projects_due

    due = drift_projects_due()
    for project_id in due:
        drift_windows_close_task.apply_async(args=[project_id], expires=300)
    return due


@shared_task(
    name="labeling.tasks.drift_windows_close_task", acks_late=True, time_limit=1800,
    soft_time_limit=1700,
)  # fmt: skip
def drift_windows_close_task(project_id: int) -> dict[str, int | list[int]]:
    """Close and measure a project's due drift windows. Safe to run twice: a window already
    stored is not stored again."""
    from labeling.services.drift import drift_windows_close

    windows = drift_windows_close(project_id=project_id)
    return {"project": project_id, "windows": [w.number for w in windows]}
