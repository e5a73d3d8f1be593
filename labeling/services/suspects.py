"""Suspect labels: the job that finds people's labels that are probably wrong, sending a batch
of them for a blind second opinion, and recording what the second opinion said.

The job (``suspects_job_run``, kind ``suspects``) judges each labeled item's resolved label
(``training_snapshot``: adjudicated, else majority, else latest; automatic labels are never
judged) with confident learning on the item embeddings (``models_app.ml.suspects``), stores the
ranked suspects as ``SuspectLabel`` rows and keeps, in its result, the estimated label-error
rate per class and the share of each annotator's labels that were flagged.

A batch sent for a second opinion is handed out by the annotation queue before anything else
(``suspect_second_opinion_pick``), to a member who never labeled the item, with no proposal:
neither the first label nor the model's guess is shown. The answer marks the row confirmed or
corrected (``suspect_second_opinion_record``, called by ``queue_submit``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import numpy as np
from django.contrib.auth.models import User
from django.db import transaction

from labeling.choices import AnnotationSource, SuspectStatus, TaskType
from labeling.models import Annotation, Project, SuspectLabel
from labeling.selectors.learning import project_for_owner
from labeling.services.embedding import describe_error, items_embed_missing, training_embedder
from labeling.services.learning_jobs import job_rerun_if_requested
from labeling.services.snapshots import training_snapshot
from models_app.choices import JobKind
from models_app.models import TrainingJob
from models_app.services.embeddings import embedding_matrix
from models_app.services.jobs import (
    training_job_fail,
    training_job_progress,
    training_job_start,
    training_job_succeed,
    training_job_wait,
)

logger = logging.getLogger(__name__)

# A class needs this many judged labels to be cross-fitted (each fold must see it).
MIN_LABELS_PER_CLASS = 5
# Rows kept per run: the top of the ranking is what people review.
MAX_STORED_SUSPECTS = 5_000
SEED = 0


# --- the job ---------------------------------------------------------------------------------


def _annotations_of(item_ids: list[int]) -> dict[int, list[tuple[int, int | None, str, str]]]:
    """Per item: ``(annotation id, annotator id, import pseudonym, first label)`` of people's
    labels (human / import), oldest first; one (the latest) per person."""
    found: dict[int, dict[Any, tuple[int, int | None, str, str]]] = defaultdict(dict)
    for chunk_start in range(0, len(item_ids), 20_000):
        chunk = item_ids[chunk_start : chunk_start + 20_000]
        annotations = (
            Annotation.objects.filter(
                item_id__in=chunk, source__in=(AnnotationSource.HUMAN, AnnotationSource.IMPORT)
            )
            .order_by("item_id", "id")
            .values_list("item_id", "id", "annotator_id", "import_annotator", "labels")
        )
        for item_id, annotation_id, annotator_id, pseudonym, labels in annotations:
            who = annotator_id if annotator_id is not None else f"import:{pseudonym}"
            if annotator_id is None and not pseudonym:
                continue
            first = (labels or [""])[0]
            found[item_id][who] = (annotation_id, annotator_id, pseudonym, first)
    return {item_id: sorted(people.values()) for item_id, people in found.items()}


def _per_annotator(
    people: dict[int, list[tuple[int, int | None, str, str]]],
    suspects: dict[int, str],
) -> list[dict[str, Any]]:
    """Each annotator's labels among the judged items and how many were flagged (their label
    is a suspect's given label), most flagged share first."""
    counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[Any, tuple[int | None, str]] = {}
    for item_id, labels in people.items():
        for _annotation_id, annotator_id, pseudonym, label in labels:
            key = annotator_id if annotator_id is not None else f"import:{pseudonym}"
            names[key] = (annotator_id, pseudonym)
            counts[key][0] += 1
            if suspects.get(item_id) == label:
                counts[key][1] += 1
    usernames = dict(
        User.objects.filter(pk__in=[k for k in counts if isinstance(k, int)]).values_list(
            "pk", "username"
        )
    )
    result: list[dict[str, Any]] = []
    for key, (given, flagged) in counts.items():
        annotator_id, pseudonym = names[key]
        result.append(
            {
                "annotator_id": annotator_id,
                "annotator": usernames.get(annotator_id, "")
                if annotator_id is not None
                else f"{pseudonym} (imported)",
                "labels": given,
                "flagged": flagged,
                "flagged_share": round(flagged / given, 4) if given else 0.0,
            }
        )
    result.sort(key=lambda row: (-row["flagged_share"], -row["labels"], row["annotator"]))
    return result


class _SuspectRun:
    def __init__(self, job: TrainingJob, project: Project):
        self.job = job
        self.project = project

    def progress(self, step: str, share: float) -> None:
        training_job_progress(job_id=self.job.pk, step=step, progress=share)

    def run(self) -> TrainingJob | None:
        project = self.project
        if project.task_type == TaskType.MULTILABEL:
            return training_job_wait(
                job_id=self.job.pk,
                message="Suspect labels are found for single-label projects (binary and "
                "multiclass) only.",
            )
        self.progress("snapshot", 0.0)
        classes = list(project.label_classes.values_list("name", flat=True))
        snapshot = training_snapshot(project=project, classes=classes)
        judged = np.flatnonzero(snapshot.human)
        item_ids = snapshot.item_ids[judged]
        self.progress("embed", 0.1)
        embedder = training_embedder(project=project)
        items_embed_missing(
            project=project,
            embedder=embedder,
            item_ids=item_ids,
            on_progress=lambda share: self.progress("embed", 0.1 + 0.4 * share),
        )
        found, matrix = embedding_matrix(
            owner=project.owner_key, embedder=embedder.key, object_ids=item_ids
        )
        index = {name: i for i, name in enumerate(classes)}
        has_vector = np.isin(item_ids, found)
        rows = judged[has_vector]
        labels = np.asarray([index[snapshot.labels[i][0]] for i in rows], dtype=np.int64)
        counts = np.bincount(labels, minlength=len(classes)) if len(labels) else np.zeros(0)
        enough = [
            c for c in range(len(classes)) if len(counts) and counts[c] >= MIN_LABELS_PER_CLASS
        ]
        base: dict[str, Any] = {
            "embedder": embedder.key,
            "judged": len(rows),
            "without_vector": int((~has_vector).sum()),
            "label_counts": {
                name: int(counts[i]) if len(counts) else 0 for i, name in enumerate(classes)
            },
        }
        if len(enough) < 2:
            return training_job_wait(
                job_id=self.job.pk,
                message=(
                    f"Finding suspect labels needs at least {MIN_LABELS_PER_CLASS} people's "
                    "labels in each of two classes."
                ),
                result=base,
            )
        # Classes too small to cross-fit are left out of the judgement (said in the result).
        keep = np.isin(labels, enough)
        rows, labels = rows[keep], labels[keep]
        X = matrix[has_vector][keep]
        class_map = {old: new for new, old in enumerate(enough)}
        y = np.asarray([class_map[c] for c in labels], dtype=np.int64)
        kept_classes = [classes[c] for c in enough]
        from models_app.ml.suspects import DEFAULT_FOLDS, find_suspects

        self.progress("cross_fit", 0.5)
        report = find_suspects(
            X,
            y,
            len(kept_classes),
            seed=SEED,
            on_progress=lambda share: self.progress("cross_fit", 0.5 + 0.35 * share),
        )
        self.progress("store", 0.85)
        ids = [int(snapshot.item_ids[i]) for i in rows]
        people = _annotations_of(ids)
        suspects = {ids[r]: kept_classes[y[r]] for r in report.order}
        stored = self.store(report, ids, y, kept_classes, people)
        per_class = {
            name: {
                "labels": int((y == c).sum()),
                "suspects": int(report.is_suspect[y == c].sum()),
                "estimated_error_rate": round(float(report.error_rate[c]), 4),
                "threshold": round(float(report.thresholds[c]), 4),
            }
            for c, name in enumerate(kept_classes)
        }
        result = {
            **base,
            "classes": kept_classes,
            "skipped_classes": [name for name in classes if name not in kept_classes],
            "suspects": int(report.is_suspect.sum()),
            "stored": stored,
            "per_class": per_class,
            "per_annotator": _per_annotator(people, suspects),
            "confident_joint": report.confident_joint.tolist(),
            "estimated_error_rate": round(
                float(sum(report.calibrated_joint.sum(1) - np.diag(report.calibrated_joint)))
                / max(1, len(y)),
                4,
            ),
            "method": {"ranking": report.ranking, "folds": DEFAULT_FOLDS, "seed": SEED},
        }
        return training_job_succeed(
            job_id=self.job.pk,
            message=f"{result['suspects']} of {len(y)} labels look wrong; the {stored} most "
            "likely are listed for review.",
            result=result,
        )

    @transaction.atomic
    def store(
        self,
        report: Any,
        ids: list[int],
        y: np.ndarray,
        classes: list[str],
        people: dict[int, list[tuple[int, int | None, str, str]]],
    ) -> int:
        """Replace the project's open suspects with this run's; items out for a second opinion
        (or already answered with the same label) are not listed again."""
        SuspectLabel.objects.filter(project=self.project, status=SuspectStatus.OPEN).delete()
        reviewed = set(
            SuspectLabel.objects.filter(project=self.project)
            .exclude(status=SuspectStatus.OPEN)
            .values_list("item_id", "given_label")
        )
        pending = {item_id for item_id, _label in reviewed}
        new_rows: list[SuspectLabel] = []
        for row in report.order:
            item_id = ids[row]
            given = classes[y[row]]
            if item_id in pending and (
                (item_id, given) in reviewed
                or SuspectLabel.objects.filter(item_id=item_id, status=SuspectStatus.SENT).exists()
            ):
                continue
            suggested = int(report.suggested[row])
            annotator_id = next(
                (a for _id, a, _p, label in reversed(people.get(item_id, [])) if label == given),
                None,
            )
            new_rows.append(
                SuspectLabel(
                    project=self.project,
                    item_id=item_id,
                    job=self.job,
                    annotator_id=annotator_id,
                    given_label=given,
                    suggested_label=classes[suggested],
                    score=float(report.score[row]),
                    suggested_probability=float(report.probabilities[row, suggested]),
                    rank=len(new_rows) + 1,
                )
            )
            if len(new_rows) >= MAX_STORED_SUSPECTS:
                break
        SuspectLabel.objects.bulk_create(new_rows, batch_size=1000)
        return len(new_rows)


def suspects_job_run(*, job_id: int) -> TrainingJob | None:
    """Run one suspects job to its end. Never raises: failures mark the job failed.

    Side effects: replaces the project's open ``SuspectLabel`` rows; may embed labeled items
    without a vector; when a trigger arrived meanwhile, queues one more run."""
    job = training_job_start(job_id=job_id, kind=JobKind.SUSPECTS)
    if job is None:
        return None
    project = project_for_owner(owner=job.owner)
    if project is None:
        return training_job_fail(job_id=job_id, error="The project was deleted.")
    try:
        job = _SuspectRun(job, project).run()
    except Exception as exc:
        logger.exception("suspects job %s failed", job_id)
        job = training_job_fail(job_id=job_id, error=describe_error(exc))
    job_rerun_if_requested(job=job, project=project)
    return job
