"""The model registry: register trained versions, move them between stages, roll back.

Only the ``production`` version serves; there is at most one per owner (a partial unique
index guarantees it). Every stage change is one call and one transaction, recorded in the
version's ``stage_history``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from models_app.choices import ModelVersionStatus, Stage
from models_app.models import ModelVersion

if TYPE_CHECKING:
    from models_app.ml.classifiers.trained import TrainedClassifier


def _history_entry(*, stage: str, previous: str | None, user: User | None) -> dict:
    return {
        "stage": stage,
        "previous": previous,
        "at": timezone.now().isoformat(),
        "by": user.get_username() if user is not None else None,
    }


@transaction.atomic
def model_version_register(
    *,
    owner: str,
    algorithm: str,
    embedder: str,
    snapshot_id: str,
    snapshot_hash: str,
    label_count: int,
    hyperparameters: dict[str, Any],
    metrics: dict[str, Any],
    artifact: bytes,
    held_out: dict[str, Any] | None = None,
    created_by: User | None = None,
) -> ModelVersion:
    """Store a trained classifier as the owner's next version, as a candidate.

    ``held_out``: the items its metrics were measured on (``object_ids`` and ``labels``), kept
    so a later version can be measured on the same ones.

    Side effects: writes the artifact to the default storage (removed again if the row cannot
    be saved).
    """
    last = (
        ModelVersion.objects.select_for_update()
        .filter(owner=owner)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    version = ModelVersion(
        owner=owner,
        version=(last or 0) + 1,
        algorithm=algorithm,
        embedder=embedder,
        snapshot_id=snapshot_id,
        snapshot_hash=snapshot_hash,
        label_count=label_count,
        hyperparameters=hyperparameters,
        metrics=metrics,
        held_out=held_out or {},
        created_by=created_by,
        stage=Stage.CANDIDATE,
        stage_history=[_history_entry(stage=Stage.CANDIDATE, previous=None, user=created_by)],
    )
    version.artifact.save("classifier.npz", ContentFile(artifact), save=False)
    try:
        version.save()
    except BaseException:
        version.artifact.delete(save=False)
        raise
    return version


IMPORTED_ALGORITHM = "imported"


@transaction.atomic
def model_version_register_imported(
    *, owner: str, name: str, created_by: User | None = None
) -> ModelVersion:
    """The version standing for another tool's model whose proposals came in with an import
    (one per owner and ``name``, the other tool's model version string; created once).

    It has no artifact and is archived from the start: it is never served, promoted or
    rolled back to; it only names where the items' imported proposals came from.
    """
    versions = ModelVersion.objects.select_for_update().filter(owner=owner)
    found = versions.filter(
        algorithm=IMPORTED_ALGORITHM, hyperparameters__model_version=name
    ).first()
    if found is not None:
        return found
    last = versions.order_by("-version").values_list("version", flat=True).first()
    return ModelVersion.objects.create(
        owner=owner,
        version=(last or 0) + 1,
        algorithm=IMPORTED_ALGORITHM,
        embedder="",
        snapshot_id="",
        snapshot_hash="",
        label_count=0,
        hyperparameters={"model_version": name},
        metrics={},
        created_by=created_by,
        stage=Stage.ARCHIVED,
        stage_history=[_history_entry(stage=Stage.ARCHIVED, previous=None, user=created_by)],
    )


def model_version_artifact_ok(*, version: ModelVersion) -> bool:
    """Whether the artifact is still in storage; marks the version broken when it is not."""
    name = version.artifact.name
    ok = bool(name and version.artifact.storage.exists(name))
    if not ok and version.status != ModelVersionStatus.BROKEN:
        ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersionStatus.BROKEN)
        version.status = ModelVersionStatus.BROKEN
    return ok


def model_version_artifact_bytes(*, version: ModelVersion) -> bytes:
    """The stored artifact: a classifier (``TrainedClassifier.from_bytes`` reads it without
    unpickling), or for a few-shot version its encoder's weights and head (``fewshot``)."""
    if not model_version_artifact_ok(version=version):
        raise ApplicationError(
            f"The artifact of model version {version.version} is missing from storage.",
            extra={"artifact": version.artifact.name},
            status_code=409,
        )
    with version.artifact.open("rb") as fh:
        return fh.read()


def model_version_promotion_record(*, version: ModelVersion, promotion: dict[str, Any]) -> None:
    """Keep the training run's promotion decision (and its reason) on the version."""
    ModelVersion.objects.filter(pk=version.pk).update(promotion=promotion)
    version.promotion = promotion


def model_version_set_stage(
    *, version: ModelVersion, stage: str, user: User | None = None
) -> ModelVersion:
    """Move a version to ``stage``. Promoting to production archives the previous one.

    Refuses to promote a version whose artifact is gone from storage: it could not serve (the
    version is marked broken, and that mark stays).
    """
    if stage not in Stage.values:
        raise ApplicationError(f"Unknown stage {stage!r}.", extra={"stages": Stage.values})
    if version.algorithm == IMPORTED_ALGORITHM and stage != Stage.ARCHIVED:
        raise ApplicationError(
            f"Version {version.version} only names another tool's imported proposals; it has "
            "no model to serve.",
            status_code=409,
        )
    if stage == Stage.PRODUCTION and not model_version_artifact_ok(version=version):
        raise ApplicationError(
            f"Version {version.version} cannot serve: its artifact is missing from storage.",
            status_code=409,
        )
    return _set_stage(version=version, stage=stage, user=user)


@transaction.atomic
def _set_stage(*, version: ModelVersion, stage: str, user: User | None) -> ModelVersion:
    # Lock the owner's versions in one order, so two promotions at once are serialised.
    list(
        ModelVersion.objects.select_for_update()
        .filter(owner=version.owner)
        .order_by("id")
        .values_list("id", flat=True)
    )
    version.refresh_from_db()
    if version.stage == stage:
        return version
    if stage == Stage.PRODUCTION:
        current = (
            ModelVersion.objects.filter(owner=version.owner, stage=Stage.PRODUCTION)
            .exclude(pk=version.pk)
            .first()
        )
        if current is not None:
            current.stage_history = [
                *current.stage_history,
                _history_entry(stage=Stage.ARCHIVED, previous=Stage.PRODUCTION, user=user),
            ]
            current.stage = Stage.ARCHIVED
            current.save(update_fields=["stage", "stage_history"])
        version.promoted_at = timezone.now()
    version.stage_history = [
        *version.stage_history,
        _history_entry(stage=stage, previous=version.stage, user=user),
    ]
    version.stage = stage
    version.save(update_fields=["stage", "stage_history", "promoted_at"])
    return version


@transaction.atomic
def model_version_rollback(*, owner: str, user: User | None = None) -> ModelVersion:
    """Put the version that served before the current production one back into production."""
    current = ModelVersion.objects.filter(owner=owner, stage=Stage.PRODUCTION).first()
    earlier = ModelVersion.objects.filter(owner=owner, promoted_at__isnull=False).exclude(
        stage=Stage.PRODUCTION
    )
    if current is not None and current.promoted_at is not None:
        earlier = earlier.filter(promoted_at__lt=current.promoted_at)
    previous = earlier.order_by("-promoted_at", "-version").first()
    if previous is None:
        raise ApplicationError(
            "There is no earlier production version to roll back to.", status_code=409
        )
    return model_version_set_stage(version=previous, stage=Stage.PRODUCTION, user=user)


def model_version_classifier(*, version: ModelVersion) -> TrainedClassifier:
    """The classifier that scores ``version.embedder`` vectors: the stored classifier, or a
    few-shot version's head (its encoder is an embedder: ``services.embedders``).

    Raises ``ApplicationError`` when the artifact is gone, ``ValueError`` when unreadable.
    """
    from models_app.ml import fewshot
    from models_app.ml.classifiers.trained import TrainedClassifier

    data = model_version_artifact_bytes(version=version)
    if version.algorithm == fewshot.ALGORITHM:
        return fewshot.head_from_bytes(data)
    return TrainedClassifier.from_bytes(data)
