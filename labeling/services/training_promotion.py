"""Whether a newly trained version should serve: measured against production on the same
held-out items, it replaces production unless its ROC AUC is clearly worse — and never when it
misses a class entirely (a held-out F1 of 0 for a class the held-out items contain), the first
version of a project included.

The training run (``labeling.services.training``) asks once, after registering the version;
the decision is carried out at the run's very end, in one transaction with the job's success.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.exceptions import ApplicationError
from labeling.models import Project
from labeling.services.pool_scoring import predict_in_chunks
from models_app.choices import Stage
from models_app.models import ModelVersion
from models_app.selectors.registry import model_version_production
from models_app.services.registry import model_version_classifier

if TYPE_CHECKING:
    from models_app.ml.classifiers.trained import TrainedClassifier

# A new version replaces production unless its held-out ROC AUC is worse by more than this.
PROMOTION_TOLERANCE = 0.01


@dataclass
class Promotion:
    """Whether the new version serves, why (``comparison``), and the production model it was
    measured against."""

    promote: bool
    comparison: dict[str, Any]
    production: tuple[ModelVersion, TrainedClassifier] | None

    @property
    def shadow(self) -> bool:
        return self.comparison.get("stage") == Stage.SHADOW


def held_out_evaluate(
    classifier: TrainedClassifier, x_held: np.ndarray, y_held: list[list[str]]
) -> dict[str, Any]:
    """The classifier's metrics on the held-out rows (all None when there are none)."""
    from models_app.ml.metrics import evaluate

    if not y_held:
        return {
            "n": 0,
            "roc_auc": None,
            "f1_macro": None,
            "f1_per_class": {},
            "accuracy": None,
            "ece": None,
            "label_counts": {},
        }
    proba = predict_in_chunks(classifier, x_held)
    return evaluate(
        proba,
        y_held,
        classes=classifier.classes,
        task_type=classifier.task_type,
    )


def promotion_decide(
    *,
    project: Project,
    version: ModelVersion,
    classes: list[str],
    x_held: np.ndarray,
    y_held: list[list[str]],
    held_out_ids: list[int] | None = None,
) -> Promotion:
    """Whether the new version should serve, why, and the production model it was compared
    with (both measured on the same held-out items: ``held_out_ids``, the items of
    ``x_held``; a production model that reads another embedder's vectors is measured on its
    own vectors of those items).

    When the project says new versions start in shadow, none serves by itself: the
    comparison is kept (``would_promote``) for the people who promote it, and the version
    goes to shadow (``stage``) while production stays.
    """
    promote, info, serving = _production_compare(
        owner=project.owner_key,
        version=version,
        classes=classes,
        x_held=x_held,
        y_held=y_held,
        held_out_ids=held_out_ids,
    )
    missed = zero_f1_classes(version.metrics)
    if missed:
        info["zero_f1_classes"] = missed
        if promote:
            promote = False
            info = {
                **info,
                "promoted": False,
                "reason": (
                    f"held-out F1 is 0 for {', '.join(missed)}: it finds none of the "
                    f"held-out items of {'that class' if len(missed) == 1 else 'those classes'}"
                ),
            }
    if not project.new_versions_start_in_shadow:
        return Promotion(promote=promote, comparison=info, production=serving)
    info = {
        **info,
        "promoted": False,
        "would_promote": promote,
        "stage": Stage.SHADOW,
        "reason": f"new versions of this project start in shadow ({info['reason']})",
    }
    return Promotion(promote=False, comparison=info, production=serving)


def zero_f1_classes(metrics: dict[str, Any]) -> list[str]:
    """Classes the held-out items contain whose F1 is 0: the version never gets them right.

    A class with no held-out item also scores 0 (scikit-learn's ``zero_division``), but that
    says nothing about the version, so it does not count.
    """
    counts = metrics.get("label_counts") or {}
    return sorted(
        name
        for name, f1 in (metrics.get("f1_per_class") or {}).items()
        if f1 == 0 and counts.get(name, 0) > 0
    )


def _production_compare(
    *,
    owner: str,
    version: ModelVersion,
    classes: list[str],
    x_held: np.ndarray,
    y_held: list[list[str]],
    held_out_ids: list[int] | None,
) -> tuple[bool, dict[str, Any], tuple[ModelVersion, TrainedClassifier] | None]:
    """The automatic decision: serve unless held-out ROC AUC is clearly worse."""
    production = model_version_production(owner=owner)
    new_auc = version.metrics.get("roc_auc")
    info: dict[str, Any] = {"roc_auc": new_auc}
    if production is None:
        return True, {**info, "promoted": True, "reason": "no production model yet"}, None
    info["production_version"] = production.version
    try:
        current = model_version_classifier(version=production)
    except (ApplicationError, OSError, ValueError, KeyError) as exc:
        reason = f"the production model cannot be loaded ({exc})"
        return True, {**info, "promoted": True, "reason": reason}, None
    if list(current.classes) != list(classes):
        return True, {**info, "promoted": True, "reason": "the label classes changed"}, None
    if production.embedder != version.embedder and not _either_fine_tuned(production, version):
        # The project's embedder changed, or production read the fast pass's vectors: new
        # items only get vectors from the project's embedder now, so its model takes over.
        reason = f"the production model reads {production.embedder} vectors"
        return True, {**info, "promoted": True, "reason": reason}, None
    if production.embedder != version.embedder:
        # A few-shot version's fine-tuned encoder on either side: each model reads its own
        # vectors of the held-out items both have.
        common = _common_held_out(
            owner=owner, production=production, held_out_ids=held_out_ids or [], y_held=y_held
        )
        if common is None:
            reason = f"the production model reads {production.embedder} vectors"
            return True, {**info, "promoted": True, "reason": reason}, None
        rows, x_production = common
        y_common = [y_held[i] for i in rows]
        new_classifier = model_version_classifier(version=version)
        new_auc = held_out_evaluate(new_classifier, x_held[rows], y_common).get("roc_auc")
        info.update(roc_auc_same_items=new_auc, same_items=len(rows))
        x_held, y_held = x_production, y_common
    production_auc = held_out_evaluate(current, x_held, y_held).get("roc_auc") if y_held else None
    info["production_roc_auc"] = production_auc
    serving = (production, current)
    if production_auc is None:
        reason = "no held-out ROC AUC to compare"
        return True, {**info, "promoted": True, "reason": reason}, serving
    if new_auc is None or new_auc < production_auc - PROMOTION_TOLERANCE:
        reason = (
            f"held-out ROC AUC {new_auc if new_auc is not None else 'n/a'} is more than "
            f"{PROMOTION_TOLERANCE} below production's {production_auc:.4f}"
        )
        return False, {**info, "promoted": False, "reason": reason}, serving
    reason = "held-out ROC AUC is not worse"
    return True, {**info, "promoted": True, "reason": reason}, serving


def _common_held_out(
    *, owner: str, production: ModelVersion, held_out_ids: list[int], y_held: list[list[str]]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows of the held-out set whose item has a stored vector from the production model's
    embedder, and those vectors (in the same order); None when no row has one."""
    from models_app.services.embeddings import embedding_matrix

    if not held_out_ids or len(held_out_ids) != len(y_held):
        return None
    found, matrix = embedding_matrix(
        owner=owner, embedder=production.embedder, object_ids=held_out_ids
    )
    if not len(found):
        return None
    row_of = {int(item_id): row for row, item_id in enumerate(found)}
    rows = np.asarray([i for i, item_id in enumerate(held_out_ids) if item_id in row_of])
    return rows, matrix[[row_of[held_out_ids[i]] for i in rows]]


def _either_fine_tuned(*versions: ModelVersion) -> bool:
    from models_app.ml.fewshot import ALGORITHM

    return any(version.algorithm == ALGORITHM for version in versions)
