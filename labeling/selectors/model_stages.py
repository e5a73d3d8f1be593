"""Two model versions side by side: held-out metrics, and agreement with people's decisions.

Agreement is measured for shadow and canary versions, which never served (or served a share):
the labels people gave through moderation and appeals since the newer of the two pre-production
versions was registered, against each version's top class on the same items. It is computed
from stored vectors, at most ``AGREEMENT_LIMIT`` decisions (the most recent), so the request
stays small.
"""

from datetime import datetime
from typing import Any

import numpy as np

from core.exceptions import ApplicationError
from labeling.choices import AnnotationSource
from labeling.models import Annotation, Project
from models_app.choices import Stage
from models_app.models import ModelVersion
from models_app.services.embeddings import embedding_matrix
from models_app.services.registry import model_version_artifact_bytes

AGREEMENT_LIMIT = 2000
DECISION_SOURCES = (AnnotationSource.MODERATION, AnnotationSource.APPEAL)
COMPARED_METRICS = ("n", "roc_auc", "f1_macro", "accuracy", "ece", "f1_per_class", "label_counts")
MEASURED_STAGES = (Stage.SHADOW, Stage.CANARY)


def _decisions_since(*, project: Project, since: datetime) -> dict[int, list[str]]:
    """Each decided item's latest label from moderation or an appeal (an appeal's outcome
    replaces the first decision)."""
    rows = (
        Annotation.objects.filter(
            item__project=project, source__in=DECISION_SOURCES, created_at__gte=since
        )
        .order_by("-created_at", "-id")
        .values_list("item_id", "labels")[: AGREEMENT_LIMIT * 2]
    )
    latest: dict[int, list[str]] = {}
    for item_id, labels in rows:
        latest.setdefault(item_id, labels)
        if len(latest) >= AGREEMENT_LIMIT:
            break
    return latest


def _agreement(
    *, project: Project, version: ModelVersion, decisions: dict[int, list[str]]
) -> dict[str, Any]:
    from models_app.ml.classifiers.trained import TrainedClassifier

    result: dict[str, Any] = {"decisions": len(decisions), "n": 0, "agreement": None}
    if not decisions:
        return result
    try:
        classifier = TrainedClassifier.from_bytes(model_version_artifact_bytes(version=version))
    except (ApplicationError, OSError, ValueError, KeyError):
        result["error"] = "the version's artifact cannot be read"
        return result
    ids, matrix = embedding_matrix(
        owner=project.owner_key, embedder=version.embedder, object_ids=list(decisions)
    )
    if not len(ids):
        return result
    proba = classifier.predict_proba(matrix)
    classes = np.asarray(classifier.classes, dtype=object)
    if classifier.task_type == "multilabel":
        predicted = [set(classes[row >= 0.5]) for row in proba]
        agree = sum(predicted[n] == set(decisions[int(i)]) for n, i in enumerate(ids))
    else:
        top = classes[proba.argmax(axis=1)]
        agree = sum(top[n] in decisions[int(i)] for n, i in enumerate(ids))
    result.update(n=len(ids), agreement=round(float(agree) / len(ids), 4))
    return result


def model_versions_compare(*, project: Project, a: ModelVersion, b: ModelVersion) -> dict[str, Any]:
    """Both versions' held-out metrics and, when either is in shadow or canary, both versions'
    agreement with people's decisions on the same items (None otherwise)."""
    measured = [v for v in (a, b) if v.stage in MEASURED_STAGES]
    since = max(v.created_at for v in measured) if measured else None
    decisions = _decisions_since(project=project, since=since) if since is not None else None

    def side(version: ModelVersion) -> dict[str, Any]:
        return {
            "id": version.pk,
            "version": version.version,
            "stage": version.stage,
            "label_count": version.label_count,
            "created_at": version.created_at,
            "promoted_at": version.promoted_at,
            "metrics": {key: version.metrics.get(key) for key in COMPARED_METRICS},
            "decision_agreement": (
                _agreement(project=project, version=version, decisions=decisions)
                if decisions is not None
                else None
            ),
        }

    return {"a": side(a), "b": side(b), "decisions_since": since}
