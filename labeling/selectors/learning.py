"""Reads for the active-learning loop: jobs, model versions, the learning curve, auto-labels."""

from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from labeling.choices import HUMAN_SOURCES, AnnotationSource
from labeling.models import Annotation, Item, Project
from models_app.choices import JobKind, JobStatus
from models_app.models import ModelVersion, TrainingJob
from models_app.selectors.registry import model_version_list, training_job_latest, training_job_list

OWNER_PREFIX = "labeling.project:"


def project_for_owner(*, owner: str) -> Project | None:
    """The project a models_app owner key names, if it still exists."""
    if not owner.startswith(OWNER_PREFIX):
        return None
    try:
        project_id = int(owner.removeprefix(OWNER_PREFIX))
    except ValueError:
        return None
    return Project.objects.filter(pk=project_id).first()


def project_training_jobs(*, project: Project, kind: str | None = None) -> QuerySet[TrainingJob]:
    return training_job_list(owner=project.owner_key, kind=kind)


def project_model_versions(*, project: Project) -> QuerySet[ModelVersion]:
    return model_version_list(owner=project.owner_key)


def learning_curve(*, project: Project) -> list[dict[str, Any]]:
    """One point per model version: held-out metrics against the human labels it learned from."""
    versions = ModelVersion.objects.filter(owner=project.owner_key).order_by("version")
    return [
        {
            "version": version.version,
            "label_count": version.label_count,
            "roc_auc": version.metrics.get("roc_auc"),
            "f1_macro": version.metrics.get("f1_macro"),
            "stage": version.stage,
            "created_at": version.created_at,
        }
        for version in versions.only("version", "label_count", "metrics", "stage", "created_at")
    ]


def auto_label_summary(*, project: Project) -> dict[str, Any]:
    """The latest auto-label estimate (threshold, precision and its interval) and the counts now."""
    items = Item.objects.filter(project=project)
    has_human = Exists(Annotation.objects.filter(item_id=OuterRef("pk"), source__in=HUMAN_SOURCES))
    has_any = Exists(Annotation.objects.filter(item_id=OuterRef("pk")))
    job = training_job_latest(
        owner=project.owner_key, kind=JobKind.TRAIN, statuses=[JobStatus.SUCCEEDED]
    )
    estimate = (job.result or {}).get("auto_label") if job else None
    estimate = estimate or {}
    return {
        "enabled": project.auto_label_enabled,
        "target_precision": project.auto_label_target_precision,
        "audit_rate": project.audit_rate,
        "threshold": estimate.get("threshold"),
        "precision": estimate.get("precision"),
        "ci_low": estimate.get("ci_low"),
        "ci_high": estimate.get("ci_high"),
        "n_above": estimate.get("n_above"),
        "n_audit": estimate.get("n_audit"),
        "model_version": estimate.get("model_version"),
        "message": estimate.get("message", ""),
        "created_at": job.finished_at if estimate else None,
        "counts": {
            "auto_labeled": Annotation.objects.filter(
                item__project=project, source=AnnotationSource.AUTO
            ).count(),
            "audit_items": items.filter(is_audit=True).count(),
            "audit_labeled": items.filter(has_human, is_audit=True).count(),
            "unlabeled": items.exclude(has_any).count(),
        },
    }


def pool_item_ids(*, project: Project) -> tuple[list[int], list[bool]]:
    """Ids of the project's unlabeled items (no annotation of any source), ascending, with
    their audit flags. One indexed anti-join; no model instances."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.id, i.is_audit FROM labeling_item AS i WHERE i.project_id = %s "
            "AND NOT EXISTS (SELECT 1 FROM labeling_annotation AS a WHERE a.item_id = i.id) "
            "ORDER BY i.id",
            [project.pk],
        )
        rows = cursor.fetchall()
    return [row[0] for row in rows], [bool(row[1]) for row in rows]


def latest_labels(
    *, project: Project, sources: tuple[str, ...], audit_only: bool = False
) -> list[tuple[int, list[str], str, bool, str]]:
    """``(item id, labels, split, is_audit, source)`` per labeled item, from its latest
    annotation of ``sources``; a person's label (any source but auto) beats an automatic one."""
    annotations = Annotation.objects.filter(item__project=project, source__in=sources)
    if audit_only:
        annotations = annotations.filter(item__is_audit=True)
    rows = annotations.order_by("item_id", "id").values_list(
        "item_id", "labels", "source", "item__split", "item__is_audit"
    )
    chosen: dict[int, tuple[int, list[str], str, bool, str]] = {}
    for item_id, labels, source, split, is_audit in rows.iterator(chunk_size=20_000):
        previous = chosen.get(item_id)
        if (
            previous is not None
            and source == AnnotationSource.AUTO
            and previous[4] != AnnotationSource.AUTO
        ):
            continue
        chosen[item_id] = (item_id, list(labels or []), split, bool(is_audit), source)
    return list(chosen.values())
