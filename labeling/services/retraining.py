"""When to train again: every ``retrain_every`` human labels, and on the hourly schedule."""

from typing import Any

from django.db import connection

from labeling.choices import HUMAN_SOURCES, RETRAIN_SOURCES
from labeling.models import Project
from labeling.services.learning_jobs import project_training_request
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import TrainingJob
from models_app.selectors.registry import training_job_latest


def _labels_since(*, project: Project, since: Any, sources: tuple[str, ...], limit: int) -> int:
    """How many labels of ``sources`` came after ``since``, counting no further than ``limit``.

    Runs after every submission, so it must not read the project's whole history: with
    ``since`` it walks annotation_retrain_idx from ``since`` on (the newest labels, whatever
    their project) and stops at ``limit``; ``CROSS JOIN`` keeps SQLite's planner from scanning
    all the project's items instead.
    """
    # Literals, not parameters: SQLite uses a partial index only when it can prove the
    # index's condition from the query's text. The values are our own choice constants.
    if not all(str(source).isidentifier() for source in sources):
        raise ValueError(f"unexpected annotation source in {sources!r}")
    literals = ", ".join(f"'{source}'" for source in sources)
    where = [f"a.source IN ({literals})", "i.id = a.item_id", "i.project_id = %s"]
    params: list[Any] = [project.pk]
    if since is not None:
        where.append("a.created_at > %s")
        params.append(since)
    sql = (
        "SELECT COUNT(*) FROM (SELECT 1 FROM labeling_annotation AS a "  # noqa: S608
        f"CROSS JOIN labeling_item AS i WHERE {' AND '.join(where)} LIMIT %s) AS recent"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return int(cursor.fetchone()[0])


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
