"""What is happening in a project now: the status line on every project page and the list.

Read from the records that already exist (import jobs, models_app's embed and train jobs, the
production model version); nothing is stored for it. :func:`project_statuses` answers for a
page of projects in a fixed number of queries, whatever the page's size.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict, cast

from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from labeling.choices import HUMAN_SOURCES, ImportStatus, Split
from labeling.models import ImportJob, Project
from models_app.choices import ACTIVE_JOB_STATUSES, JobKind, JobStatus, Stage
from models_app.models import ModelVersion, TrainingJob


class ProjectStatus(TypedDict):
    # importing | embedding | training | model_live | needs_items | needs_labels | ready_to_train
    phase: str
    # Something runs (or waits in the queue): the page asks again soon.
    active: bool
    message: str
    done: int | None
    total: int | None
    eta_seconds: int | None
    since: datetime | None
    model: dict[str, Any] | None
    failures: list[dict[str, Any]]


def _latest_per(queryset: Any, *, outer: str, order: Sequence[str]) -> Any:
    """Rows of ``queryset`` that are the newest of their ``outer`` group (one query)."""
    newest = queryset.model.objects.filter(**{outer: OuterRef(outer)}).order_by(*order)
    return queryset.filter(pk=Subquery(newest.values("pk")[:1]))


def _eta_seconds(*, started_at: datetime | None, share: float, now: datetime) -> int | None:
    """Time left at the rate measured so far; None until there is a rate to measure."""
    if started_at is None or share <= 0.0 or share >= 1.0:
        return None
    elapsed = (now - started_at).total_seconds()
    if elapsed <= 0:
        return None
    return max(1, round(elapsed * (1.0 - share) / share))


def _train_label_counts(*, project_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per project and label: train-split items that a person's label (or an imported one)
    gives it — what the first training run counts against ``min_labels_per_class``."""
    if not project_ids:
        return {}
    if connection.vendor == "postgresql":
        labels_of = "CROSS JOIN LATERAL jsonb_array_elements_text(a.labels) AS l(value)"
    else:
        labels_of = "CROSS JOIN json_each(a.labels) AS l"
    sources = ", ".join(["%s"] * len(HUMAN_SOURCES))
    projects = ", ".join(["%s"] * len(project_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.project_id, l.value, COUNT(DISTINCT a.item_id) "  # noqa: S608 - placeholders only
            f"FROM labeling_annotation AS a JOIN labeling_item AS i ON i.id = a.item_id "
            f"{labels_of} WHERE i.project_id IN ({projects}) AND i.split = %s "
            f"AND a.source IN ({sources}) GROUP BY i.project_id, l.value",
            [*project_ids, Split.TRAIN, *HUMAN_SOURCES],
        )
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for project_id, label, count in cursor.fetchall():
            counts[int(project_id)][str(label)] = int(count)
    return counts


def _labels_needed(
    *, classes: list[str], counts: dict[str, int], minimum: int
) -> list[tuple[str, int]]:
    """The fewest labels that give two classes ``minimum`` labels each: ``[(class, more)]``."""
    deficits = sorted(
        (max(0, minimum - counts.get(name, 0)), order, name) for order, name in enumerate(classes)
    )
    return [(name, more) for more, _order, name in deficits[:2] if more > 0]


def _needs_labels_message(needed: list[tuple[str, int]]) -> str:
    parts = [f"{more:,} more {name!s}" for name, more in needed]
    return f"Label {' and '.join(parts)} to train the first model."


def _status(
    *,
    project: Project,
    item_count: int,
    latest_import: ImportJob | None,
    jobs: dict[str, TrainingJob],
    model: ModelVersion | None,
    label_counts: dict[str, int],
    now: datetime,
) -> ProjectStatus:
    failures: list[dict[str, Any]] = []
    if latest_import is not None and latest_import.status == ImportStatus.FAILED:
        failures.append(
            {
                "kind": "import",
                "job_id": latest_import.pk,
                "message": latest_import.error_message or "The import failed.",
                "at": latest_import.finished_at or latest_import.created_at,
            }
        )
    for kind, name in ((JobKind.EMBED, "embedding"), (JobKind.TRAIN, "training")):
        job = jobs.get(kind)
        if job is not None and job.status == JobStatus.FAILED:
            failures.append(
                {
                    "kind": name,
                    "job_id": job.pk,
                    "message": job.error or job.message or f"The {name} job failed.",
                    "at": job.finished_at or job.created_at,
                }
            )
    model_info = (
        {
            "version": model.version,
            "trained_at": model.created_at,
            "label_count": model.label_count,
        }
        if model is not None
        else None
    )
    status: dict[str, Any] = {
        "phase": "",
        "active": False,
        "message": "",
        "done": None,
        "total": None,
        "eta_seconds": None,
        "since": None,
        "model": model_info,
        "failures": failures,
    }
    embed = jobs.get(JobKind.EMBED)
    train = jobs.get(JobKind.TRAIN)
    if latest_import is not None and latest_import.status in (
        ImportStatus.QUEUED,
        ImportStatus.RUNNING,
    ):
        running = latest_import.status == ImportStatus.RUNNING
        status.update(
            phase="importing",
            active=True,
            done=latest_import.rows_seen,
            since=latest_import.started_at or latest_import.created_at,
            eta_seconds=_eta_seconds(
                started_at=latest_import.started_at, share=latest_import.progress, now=now
            ),
            message=(
                f"Importing {latest_import.original_name}: {latest_import.rows_seen:,} rows read "
                f"({latest_import.progress:.0%} of the file)."
                if running
                else f"Import of {latest_import.original_name} is waiting for a worker."
            ),
        )
    elif embed is not None and embed.status in ACTIVE_JOB_STATUSES:
        total = (embed.result or {}).get("missing")
        done = round(embed.progress * total) if isinstance(total, int) else None
        status.update(
            phase="embedding",
            active=True,
            done=done,
            total=total if isinstance(total, int) else None,
            since=embed.started_at or embed.created_at,
            eta_seconds=_eta_seconds(started_at=embed.started_at, share=embed.progress, now=now),
            message=(
                f"Embedding items: {done:,} of {total:,}."
                if isinstance(total, int) and done is not None
                else "Embedding items: waiting for a worker."
                if embed.status == JobStatus.QUEUED
                else "Embedding items."
            ),
        )
    elif train is not None and train.status in ACTIVE_JOB_STATUSES:
        status.update(
            phase="training",
            active=True,
            since=train.started_at or train.created_at,
            message=(
                "Training a model."
                if train.status == JobStatus.RUNNING
                else "A training run is waiting for a worker."
            ),
        )
    elif model is not None:
        status.update(
            phase="model_live",
            since=model.promoted_at or model.created_at,
            message=f"Model version {model.version} is live, trained on "
            f"{model.label_count:,} labels.",
        )
    elif item_count == 0:
        status.update(phase="needs_items", message="Import items to start.")
    else:
        classes = [label_class.name for label_class in project.label_classes.all()]
        needed = _labels_needed(
            classes=classes, counts=label_counts, minimum=project.min_labels_per_class
        )
        if needed:
            status.update(phase="needs_labels", message=_needs_labels_message(needed))
        else:
            status.update(
                phase="ready_to_train",
                message=(
                    "Enough labels for a first model: it trains after "
                    f"{project.retrain_every:,} new labels, or start it on the Models tab."
                    if project.retrain_every
                    else "Enough labels for a first model: start training on the Models tab."
                ),
            )
    return cast(ProjectStatus, status)


def project_statuses(
    *, projects: Sequence[Project], item_counts: dict[int, int] | None = None
) -> dict[int, ProjectStatus]:
    """The status of each project, by id, in five queries however many projects there are.

    ``projects`` should have their label classes prefetched; ``item_counts`` (by project id)
    saves counting items again when the caller has them (the list annotates them).
    """
    if not projects:
        return {}
    ids = [project.pk for project in projects]
    owners = {project.owner_key: project.pk for project in projects}
    if item_counts is None:
        item_counts = dict(
            Project.objects.filter(pk__in=ids).annotate(n=Count("items")).values_list("pk", "n")
        )
    imports = {
        job.project_id: job
        for job in _latest_per(
            ImportJob.objects.filter(project_id__in=ids).defer("errors", "unknown_labels"),
            outer="project_id",
            order=("-created_at", "-id"),
        )
    }
    jobs: dict[int, dict[str, TrainingJob]] = defaultdict(dict)
    newest_jobs = TrainingJob.objects.filter(
        owner=OuterRef("owner"), kind=OuterRef("kind")
    ).order_by("-created_at", "-id")
    for job in TrainingJob.objects.filter(owner__in=owners).filter(
        pk=Subquery(newest_jobs.values("pk")[:1])
    ):
        jobs[owners[job.owner]][job.kind] = job
    models = {
        owners[version.owner]: version
        for version in ModelVersion.objects.filter(owner__in=owners, stage=Stage.PRODUCTION).only(
            "owner", "version", "created_at", "promoted_at", "label_count"
        )
    }
    # Label counts only matter for projects still waiting for their first model.
    label_counts = _train_label_counts(
        project_ids=[pk for pk in ids if pk not in models and item_counts.get(pk)]
    )
    now = timezone.now()
    return {
        project.pk: _status(
            project=project,
            item_count=item_counts.get(project.pk, 0),
            latest_import=imports.get(project.pk),
            jobs=jobs.get(project.pk, {}),
            model=models.get(project.pk),
            label_counts=label_counts.get(project.pk, {}),
            now=now,
        )
        for project in projects
    }


def project_status(*, project: Project) -> ProjectStatus:
    """The status of one project (see :func:`project_statuses`)."""
    return project_statuses(projects=[project])[project.pk]
