from datetime import datetime

from django.db.models import QuerySet

from models_app.choices import JobStatus, Stage
from models_app.models import ModelVersion, TrainingJob


def model_version_list(*, owner: str) -> QuerySet[ModelVersion]:
    return (
        ModelVersion.objects.filter(owner=owner)
        .select_related("created_by")
        .defer("held_out", "evaluation")
        .order_by("-version")
    )


def model_version_production(*, owner: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(owner=owner, stage=Stage.PRODUCTION).first()


def training_job_list(*, owner: str, kind: str | None = None) -> QuerySet[TrainingJob]:
    jobs = TrainingJob.objects.filter(owner=owner).select_related("requested_by", "model_version")
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at", "-id")


def training_job_latest(
    *, owner: str, kind: str, statuses: list[str] | None = None
) -> TrainingJob | None:
    jobs = TrainingJob.objects.filter(owner=owner, kind=kind)
    if statuses is not None:
        jobs = jobs.filter(status__in=statuses)
    return jobs.order_by("-created_at", "-id").first()


def training_jobs_unsent(*, owner_prefix: str, created_before: datetime) -> QuerySet[TrainingJob]:
    """Jobs still queued without a task id, created before ``created_before``: their task never
    reached the broker (the id is recorded once it did)."""
    return TrainingJob.objects.filter(
        owner__startswith=owner_prefix,
        status=JobStatus.QUEUED,
        task_id="",
        created_at__lt=created_before,
    ).order_by("created_at", "id")
