"""The full evaluation of a model version (``models_app.ml.evaluation``) with the project's slices
and, for moderation projects, the operating points of the policies' thresholds.

It runs in the training job (after the version is registered) and in evaluation jobs, which
evaluate an existing version again (e.g. after the project's slice fields changed): both in
Celery, never in a request. The report is kept on the version (``ModelVersion.evaluation``).

labeling does not import moderation: the policies' thresholds reach it through the provider
moderation registers when it starts (``policy_thresholds_provider_register``). Without one (a
labeling-only install) a report has no operating points.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from labeling.models import Project
from labeling.selectors.audit import project_audit_scope
from labeling.selectors.evaluation import (
    BUILTIN_SLICES,
    held_out_slice_values,
    project_metadata_keys,
)
from labeling.selectors.learning import project_for_owner
from labeling.selectors.model_stages import held_out_now
from labeling.services.pool_scoring import predict_in_chunks
from models_app.choices import JobKind, JobStatus
from models_app.models import ModelVersion, TrainingJob
from models_app.services.embeddings import embedding_matrix
from models_app.services.jobs import (
    training_job_fail,
    training_job_progress,
    training_job_request,
    training_job_start,
    training_job_succeed,
)
from models_app.services.registry import model_version_classifier

if TYPE_CHECKING:
    from models_app.ml.classifiers.trained import TrainedClassifier

logger = logging.getLogger(__name__)

MAX_SLICE_FIELDS = 8
SLICE_FIELD_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$")

PolicyThresholds = Callable[[int], list[dict[str, Any]]]
_policy_provider: list[PolicyThresholds] = []


def policy_thresholds_provider_register(provider: PolicyThresholds) -> None:
    """Set the provider of a project's policies and their category thresholds (called once,
    by moderation's AppConfig): ``provider(project_id)`` returns ``[{"id", "name",
    "categories": [{"name", "label_class", "remove_threshold", "allow_threshold"}]}]``."""
    _policy_provider[:] = [provider]


def policy_thresholds(*, project_id: int) -> list[dict[str, Any]]:
    return _policy_provider[0](project_id) if _policy_provider else []


# --- settings --------------------------------------------------------------------------------


@transaction.atomic
def project_slice_fields_set(*, project: Project, fields: Sequence[str], actor: User) -> Project:
    """Declare which item metadata fields (and built-in slices) every evaluation reports.

    Refuses (400, naming the field) a malformed name, a duplicate, more than
    ``MAX_SLICE_FIELDS``, a built-in slice of another data type, or a metadata field no
    recent item has. Side effects: audit ``project.update`` with the old and new fields. Stored
    reports keep their slices until the version is evaluated again.
    """
    cleaned: list[str] = []
    if len(fields) > MAX_SLICE_FIELDS:
        raise ApplicationError(
            f"At most {MAX_SLICE_FIELDS} slice fields.",
            extra={"fields": {"slice_fields": "too many"}},
        )
    known: set[str] | None = None
    for field in fields:
        if not isinstance(field, str) or not SLICE_FIELD_PATTERN.match(field):
            raise _bad_field(
                field,
                "is not a field name (letters, digits, '_', '.', '-'; at most 64 characters)",
            )
        if field in cleaned:
            raise _bad_field(field, "is listed twice")
        if field in BUILTIN_SLICES:
            if BUILTIN_SLICES[field] != project.data_type:
                raise _bad_field(field, f"is a built-in slice of {BUILTIN_SLICES[field]} projects")
        else:
            if known is None:
                known = set(project_metadata_keys(project=project))
            if field not in known:
                raise _bad_field(field, "is not a metadata field of this project's items")
        cleaned.append(field)
    before = list(project.slice_fields or [])
    if before != cleaned:
        project.slice_fields = cleaned
        project.save(update_fields=["slice_fields", "updated_at"])
        audit_record(
            actor=actor,
            action="project.update",
            object_type="labeling.project",
            object_id=project.pk,
            scope=project_audit_scope(project_id=project.pk),
            before={"slice_fields": before},
            after={"slice_fields": cleaned},
        )
    return project


def _bad_field(field: Any, why: str) -> ApplicationError:
    shown = str(field)[:80]
    return ApplicationError(
        f"Slice field {shown!r} {why}.", extra={"fields": {"slice_fields": f"{shown!r} {why}"}}
    )


# --- computing ----------------------------------------------------------------------------


def _resamples(n: int) -> int:
    from models_app.ml.intervals import BOOTSTRAP_LARGE_N, BOOTSTRAP_LARGE_RESAMPLES

    return 1000 if n <= BOOTSTRAP_LARGE_N else BOOTSTRAP_LARGE_RESAMPLES


def evaluation_compute(
    *,
    project: Project,
    proba: np.ndarray,
    labels: Sequence[Sequence[str]],
    item_ids: Sequence[int],
    classes: list[str],
    task_type: str,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """The report of these held-out predictions with the project's slices and policies."""
    from models_app.ml.evaluation import evaluation_report

    fields = list(project.slice_fields or [])
    report = evaluation_report(
        proba,
        labels,
        classes=classes,
        task_type=task_type,
        slices=held_out_slice_values(project=project, item_ids=item_ids, fields=fields),
        policies=policy_thresholds(project_id=project.pk),
        resamples=_resamples(len(labels)),
        progress=progress,
    )
    report["slice_fields"] = fields
    report["evaluated_at"] = timezone.now().isoformat()
    return report


def version_evaluation_store(
    *,
    project: Project,
    version: ModelVersion,
    classifier: TrainedClassifier,
    x_held: np.ndarray,
    labels: Sequence[Sequence[str]],
    item_ids: Sequence[int],
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Evaluate ``classifier`` (the version's) on held-out vectors and keep the report on the
    version (one UPDATE). A report that cannot be made is kept as ``{"error": …}`` and logged:
    the training run that asked still registers its version."""
    try:
        report = evaluation_compute(
            project=project,
            proba=predict_in_chunks(classifier, x_held),
            labels=labels,
            item_ids=item_ids,
            classes=list(classifier.classes),
            task_type=classifier.task_type,
            progress=progress,
        )
    except (ValueError, IndexError, KeyError) as exc:
        logger.exception("evaluation of model version %s failed", version.pk)
        report = {"error": f"The evaluation failed: {exc}"[:500]}
    ModelVersion.objects.filter(pk=version.pk).update(evaluation=report)
    version.evaluation = report
    return report


def model_version_evaluate(
    *, project: Project, version: ModelVersion, progress: Callable[[float], None] | None = None
) -> dict[str, Any]:
    """Evaluate a stored version again on its recorded held-out items (the project's current
    held-out labels when it has none recorded), from its artifact and the stored vectors.
    Items without a stored vector are left out. Raises ``ApplicationError`` when the artifact
    cannot be read."""
    version = ModelVersion.objects.get(pk=version.pk)
    try:
        classifier = model_version_classifier(version=version)
    except (OSError, ValueError, KeyError) as exc:
        raise ApplicationError(
            f"The model file of version {version.version} cannot be read."
        ) from exc
    recorded = version.held_out or {}
    if recorded.get("object_ids"):
        ids, labels = list(recorded["object_ids"]), list(recorded["labels"])
    else:
        ids, labels = held_out_now(project=project)
    label_of = dict(zip(ids, labels, strict=True))
    found, matrix = embedding_matrix(
        owner=project.owner_key, embedder=version.embedder, object_ids=ids
    )
    found_ids = [int(i) for i in found]
    if not found_ids:
        report: dict[str, Any] = {
            "error": "No held-out item of this version has a stored vector: nothing to evaluate."
        }
        ModelVersion.objects.filter(pk=version.pk).update(evaluation=report)
        return report
    return version_evaluation_store(
        project=project,
        version=version,
        classifier=classifier,
        x_held=matrix,
        labels=[label_of[i] for i in found_ids],
        item_ids=found_ids,
        progress=progress,
    )


# --- the job ---------------------------------------------------------------------------------


@transaction.atomic
def project_evaluation_request(
    *, project: Project, version: ModelVersion, requested_by: User | None = None
) -> TrainingJob:
    """Ask for ``version`` to be evaluated again; returns the job (the active one when it is
    already queued or running for this version: a running one runs once more).

    Refuses (409) while an evaluation of another version of the project is queued or running.
    Side effects: after commit, queues ``labeling.tasks.evaluate_version_task`` (training queue).
    """
    from labeling.services.learning_jobs import enqueue_job

    active = TrainingJob.objects.filter(
        owner=project.owner_key,
        kind=JobKind.EVALUATE,
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
    ).first()
    if active is not None and active.model_version_id not in (None, version.pk):
        raise ApplicationError(
            "Another version of this project is being evaluated; try again when it is done.",
            status_code=409,
        )
    from models_app.choices import JobTrigger

    job, created = training_job_request(
        owner=project.owner_key,
        kind=JobKind.EVALUATE,
        trigger=JobTrigger.MANUAL,
        requested_by=requested_by,
    )
    if created:
        TrainingJob.objects.filter(pk=job.pk).update(model_version=version)
        job.model_version = version
        enqueue_job(job)
    return job


def evaluation_job_run(*, job_id: int) -> TrainingJob | None:
    """Run one evaluation job. Never raises: failures mark the job failed (the version keeps
    the report it had)."""
    job = training_job_start(job_id=job_id, kind=JobKind.EVALUATE)
    if job is None:
        return None
    project = project_for_owner(owner=job.owner)
    if project is None:
        return training_job_fail(job_id=job_id, error="The project was deleted.")
    version = job.model_version
    if version is None:
        return training_job_fail(job_id=job_id, error="The model version was deleted.")
    try:
        training_job_progress(job_id=job_id, step="evaluate", progress=0.05)

        def report(share: float) -> None:
            training_job_progress(job_id=job_id, progress=0.1 + 0.85 * share)

        evaluation = model_version_evaluate(project=project, version=version, progress=report)
    except Exception as exc:
        logger.exception("evaluation job %s failed", job_id)
        from labeling.services.embedding import describe_error

        return training_job_fail(job_id=job_id, error=describe_error(exc))
    if "error" in evaluation:
        return training_job_fail(job_id=job_id, error=evaluation["error"])
    worst = (evaluation.get("slices") or {}).get("worst") or []
    message = f"Version {version.version} evaluated on {evaluation.get('n', 0)} held-out items"
    if worst:
        message += f"; worst slice: {worst[0]['field']} = {worst[0]['value']}"
    done = training_job_succeed(
        job_id=job_id,
        model_version=version,
        message=message + ".",
        result={"n": evaluation.get("n", 0), "slice_fields": evaluation.get("slice_fields", [])},
    )
    from labeling.services.learning_jobs import job_rerun_if_requested

    job_rerun_if_requested(job=done, project=project)
    return done
