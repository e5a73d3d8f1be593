from celery import shared_task


@shared_task(name="labeling.tasks.import_job_run_task", acks_late=True)
def import_job_run_task(job_id: int) -> dict[str, int | str]:
    """Run one import. Safe to run twice: rows already imported are recognised and skipped."""
    from labeling.services.imports import import_job_run

    job = import_job_run(job_id=job_id)
    return {"status": job.status, "items_created": job.items_created, "errors": job.error_count}
