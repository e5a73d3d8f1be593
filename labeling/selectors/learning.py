"""Reads for the active-learning loop: jobs, model versions, the learning curve, auto-labels."""

from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from core.exceptions import ApplicationError
from labeling.choices import HUMAN_SOURCES, AnnotationSource
from labeling.models import Annotation, Item, Project
from labeling.selectors.agreement import gold_labels
from labeling.stats.agreement import majority_labels
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


def model_version_by_number(*, project: Project, number: int) -> ModelVersion:
    """The project's version with that number (what people see), or a 404 saying so."""
    version = project_model_versions(project=project).filter(version=number).first()
    if version is None:
        raise ApplicationError(f"Version {number} does not exist in this project.", status_code=404)
    return version


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
        "created_at": job.finished_at if job is not None and estimate else None,
        "counts": {
            "auto_labeled": Annotation.objects.filter(
                item__project=project, source=AnnotationSource.AUTO
            ).count(),
            "audit_items": items.filter(is_audit=True).count(),
            "audit_labeled": items.filter(has_human, is_audit=True).count(),
            "unlabeled": items.exclude(has_any).count(),
        },
    }


def pool_item_ids(*, project: Project) -> tuple[list[int], list[bool], list[str]]:
    """Ids of the project's unlabeled items (no annotation of any source), ascending, with
    their audit flags and splits. One indexed anti-join; no model instances."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.id, i.is_audit, i.split FROM labeling_item AS i WHERE i.project_id = %s "
            "AND NOT EXISTS (SELECT 1 FROM labeling_annotation AS a WHERE a.item_id = i.id) "
            "ORDER BY i.id",
            [project.pk],
        )
        rows = cursor.fetchall()
    return [row[0] for row in rows], [bool(row[1]) for row in rows], [row[2] for row in rows]


def queue_prioritised_ids(*, project: Project) -> list[int]:
    """Open queue items that have a priority now (the materialised window of the last
    rescoring, plus whatever people hold). Walks the queue's partial index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM labeling_item WHERE project_id = %s AND NOT queue_done "
            "AND priority > 0",
            [project.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def latest_labels(
    *, project: Project, sources: tuple[str, ...], audit_only: bool = False
) -> list[tuple[int, list[str], str, bool, str]]:
    """``(item id, labels, split, is_audit, source)`` per labeled item, ascending by item id:
    the label a model should learn for it.

    1. An adjudicated item's gold label, over everything (when ``sources`` include people's
       annotations, source human), reported as source human.
    2. An item that several people labeled (source human, two or more distinct annotators):
       their answers count as one label, the majority label set among each person's latest
       annotation (a tie goes to the most recent), dated at the latest of those annotations.
    3. Otherwise, as for every item: the latest of its annotations of ``sources``; a person's
       label (any source but auto) beats an automatic one. So a moderation or appeal decision
       made after the annotators answered still wins over their vote.
    """
    gold = gold_labels(project=project, audit_only=audit_only)
    if AnnotationSource.HUMAN not in sources:
        gold = {}
    annotations = Annotation.objects.filter(item__project=project, source__in=sources)
    if audit_only:
        annotations = annotations.filter(item__is_audit=True)
    rows = annotations.order_by("item_id", "id").values_list(
        "item_id", "id", "labels", "source", "annotator_id", "item__split", "item__is_audit"
    )
    chosen: list[tuple[int, list[str], str, bool, str]] = [
        (item_id, labels, split, is_audit, AnnotationSource.HUMAN)
        for item_id, (labels, split, is_audit) in gold.items()
    ]
    for item_id, grouped in groupby(rows.iterator(chunk_size=20_000), key=itemgetter(0)):
        if item_id in gold:
            continue
        group = list(grouped)
        if len(group) == 1:  # most items: one label, nothing to weigh
            _item_id, _id, labels, source, _annotator_id, split, is_audit = group[0]
            chosen.append((item_id, list(labels or []), split, bool(is_audit), source))
            continue
        # (annotation id, labels, source) of the item's labels, oldest first.
        records = [(row[1], list(row[2] or []), row[3]) for row in group]
        votes = {
            row[4]: (row[1], row[2] or [])
            for row in group
            if row[3] == AnnotationSource.HUMAN and row[4] is not None
        }
        if len(votes) >= 2:
            latest_vote = max(order for order, _labels in votes.values())
            records = [
                (annotation_id, labels, source)
                for (annotation_id, labels, source), row in zip(records, group, strict=True)
                if not (source == AnnotationSource.HUMAN and row[4] is not None)
            ]
            records.append((latest_vote, majority_labels(votes.values()), AnnotationSource.HUMAN))
            records.sort(key=itemgetter(0))
        picked: tuple[list[str], str] | None = None
        for _annotation_id, labels, source in records:
            person_already = picked is not None and picked[1] != AnnotationSource.AUTO
            if source == AnnotationSource.AUTO and person_already:
                continue
            picked = (labels, source)
        assert picked is not None  # the oldest record is always taken
        labels, source = picked
        chosen.append((item_id, labels, group[0][5], bool(group[0][6]), source))
    chosen.sort(key=itemgetter(0))
    return chosen
