"""When to train again: every ``retrain_every`` human labels, and on the hourly schedule."""

from typing import Any

from labeling.choices import HUMAN_SOURCES, RETRAIN_SOURCES
from labeling.models import Annotation, Project
from labeling.services.learning_jobs import project_training_request
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import TrainingJob
from models_app.selectors.registry import training_job_latest


def _labels_since(*, project: Project, since: Any, sources: tuple[str, ...], limit: int) -> int:
    """How many labels of ``sources`` came after ``since``, counting no further than ``limit``."""
    annotations = Annotation.objects.filter(item__project=project, source__in=sources)
    if since is not None:
        annotations = annotations.filter(created_at__gt=since)
    return annotations.values("id")[:limit].count()


def project_retrain_if_due(*, project_id: int) -> TrainingJob | None:
    """Request training when ``retrain_every`` human labels arrived since the last run.

    While the last run waits for labels, every ``min_labels_per_class`` new labels try again,
    so the first model comes as soon as it can.
    """
    project = Project.objects.filter(pk=project_id).first()
    if project is None or project.retrain_every == 0:
        return None
    last = training_job_latest(owner=project.owner_key, kind=JobKind.TRAIN)
    threshold = project.retrain_every
    if last is not None and last.status == JobStatus.WAITING:
        threshold = min(threshold, project.min_labels_per_class)
    since = last.created_at if last is not None else None
    if _labels_since(project=project, since=since, sources=RETRAIN_SOURCES, limit=threshold) < (
        threshold
    ):
        return None
    return project_training_request(project=project, trigger=JobTrigger.LABELS)


def training_scheduled_request() -> list[int]:
    """For the periodic check: request training for every project with automatic retraining
    on (``retrain_every`` > 0) and any new label since its last training job."""
    requested = []
    for project in Project.objects.filter(retrain_every__gt=0).order_by("id").iterator():
        last = training_job_latest(owner=project.owner_key, kind=JobKind.TRAIN)
        since = last.created_at if last is not None else None
        if _labels_since(project=project, since=since, sources=HUMAN_SOURCES, limit=1):
            job = project_training_request(project=project, trigger=JobTrigger.SCHEDULE)
            requested.append(job.pk)
    return requested
