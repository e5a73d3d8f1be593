"""Reads of suspect labels: the ranked list and the project's label-quality summary."""

from typing import Any

from django.db.models import Count, QuerySet

from labeling.choices import SuspectStatus
from labeling.models import Project, SuspectLabel
from models_app.choices import JobKind, JobStatus
from models_app.selectors.registry import training_job_latest


def suspect_list(*, project: Project, status: str | None = None) -> QuerySet[SuspectLabel]:
    """The project's suspect labels, most likely wrong first (open ones by rank; sent and
    answered ones by when they were sent), with item, annotator and reviewer in one query."""
    rows = SuspectLabel.objects.filter(project=project).select_related(
        "item", "annotator", "reviewer"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("rank", "id")


def label_quality_summary(*, project: Project) -> dict[str, Any]:
    """The latest suspects job (running or finished) and, from the latest that succeeded, the
    estimated label-error rate per class and the share of each annotator's labels flagged;
    with how many suspects are in each status now."""
    latest = training_job_latest(owner=project.owner_key, kind=JobKind.SUSPECTS)
    done = training_job_latest(
        owner=project.owner_key, kind=JobKind.SUSPECTS, statuses=[JobStatus.SUCCEEDED]
    )
    result = (done.result or {}) if done is not None else {}
    counts = dict(
        SuspectLabel.objects.filter(project=project)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "job": latest,
        "finished_at": done.finished_at if done is not None else None,
        "judged": result.get("judged"),
        "suspects": result.get("suspects"),
        "estimated_error_rate": result.get("estimated_error_rate"),
        "per_class": [
            {"label": name, **figures} for name, figures in (result.get("per_class") or {}).items()
        ],
        "per_annotator": result.get("per_annotator") or [],
        "status_counts": {status.value: counts.get(status.value, 0) for status in SuspectStatus},
    }
