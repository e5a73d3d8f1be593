"""Two model versions side by side: both measured on the same held-out items, and agreement
with people's decisions.

The same items are the newer version's held-out set, as recorded when it was trained (its ids
and labels), scored by both versions' artifacts from the stored vectors; a newer version trained
before the set was recorded falls back to the project's held-out labels as they are now. Versions
that read different vector spaces (embedders) are not scored: the answer says so. Items whose
label is a class one of the two does not know are left out, so both are measured on the same n.

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
from labeling.choices import HUMAN_SOURCES, AnnotationSource, Split
from labeling.models import Annotation, Project
from labeling.selectors.evaluation import held_out_slice_values
from labeling.selectors.learning import latest_labels
from models_app.choices import Stage
from models_app.models import ModelVersion
from models_app.services.embeddings import embedding_matrix
from models_app.services.registry import model_version_classifier

AGREEMENT_LIMIT = 2000
DECISION_SOURCES = (AnnotationSource.MODERATION, AnnotationSource.APPEAL)
COMPARED_METRICS = (
    "classes",
    "n",
    "roc_auc",
    "f1_macro",
    "accuracy",
    "ece",
    "f1_per_class",
    "label_counts",
    "confusion_matrix",
    "intervals",
)
HELD_OUT_SPLITS = (Split.DEV, Split.TEST)
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
    result: dict[str, Any] = {"decisions": len(decisions), "n": 0, "agreement": None}
    if not decisions:
        return result
    try:
        classifier = model_version_classifier(version=version)
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


def held_out_now(*, project: Project) -> tuple[list[int], list[list[str]]]:
    """The project's held-out items with a person's label now (dev and test splits)."""
    rows = [
        (item_id, labels)
        for item_id, labels, split, _audit, _source in latest_labels(
            project=project, sources=HUMAN_SOURCES
        )
        if split in HELD_OUT_SPLITS and labels
    ]
    return [row[0] for row in rows], [row[1] for row in rows]


def _same_items(
    *, project: Project, a: ModelVersion, b: ModelVersion
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """Which items both are measured on, and each version's metrics there (by version id).

    Each version scores the items' vectors from its own embedder (a few-shot version reads
    its fine-tuned encoder's): the items are the same, the vectors need not be. Only items
    with a stored vector from both count."""
    from models_app.ml.metrics import evaluate

    newer = max(a, b, key=lambda version: version.version)
    info: dict[str, Any] = {
        "comparable": False,
        "n": 0,
        "items_of_version": None,
        "held_out_from": None,
    }
    classifiers = {}
    for version in (a, b):
        try:
            classifiers[version.pk] = model_version_classifier(version=version)
        except (ApplicationError, OSError, ValueError, KeyError):
            reason = f"the model file of version {version.version} cannot be read"
            return {**info, "reason": reason}, {}
    recorded = newer.held_out or {}
    if recorded.get("object_ids"):
        ids, labels = list(recorded["object_ids"]), list(recorded["labels"])
        info.update(items_of_version=newer.version, held_out_from="recorded")
        reason = f"the held-out items of version {newer.version}, scored by both"
    else:
        ids, labels = held_out_now(project=project)
        info["held_out_from"] = "current"
        reason = (
            f"version {newer.version} predates recorded held-out sets: the project's held-out "
            "items as labeled now, scored by both"
        )
    shared = set(classifiers[a.pk].classes) & set(classifiers[b.pk].classes)
    by_id = {
        item_id: item_labels
        for item_id, item_labels in zip(ids, labels, strict=True)
        if item_labels and set(item_labels) <= shared
    }
    if set(classifiers[a.pk].classes) != set(classifiers[b.pk].classes):
        reason += "; only items labeled with classes both versions know"
    vectors: dict[str, dict[int, np.ndarray]] = {}
    for embedder in {a.embedder, b.embedder}:
        stored_ids, stored = embedding_matrix(
            owner=project.owner_key, embedder=embedder, object_ids=list(by_id)
        )
        vectors[embedder] = {int(i): row for i, row in zip(stored_ids, stored, strict=True)}
    found = [item_id for item_id in by_id if all(item_id in v for v in vectors.values())]
    if not found:
        missing = " or ".join(sorted(vectors))
        return {**info, "reason": f"{reason}; none of them has a stored {missing} vector"}, {}
    if a.embedder != b.embedder:
        reason += f" (version {a.version} on its {a.embedder} vectors, {b.version} on {b.embedder})"
    found_labels = [by_id[item_id] for item_id in found]
    results = {}
    probas = {}
    for version in (a, b):
        classifier = classifiers[version.pk]
        matrix = np.stack([vectors[version.embedder][item_id] for item_id in found])
        probas[version.pk] = classifier.predict_proba(matrix)
        measured = evaluate(
            probas[version.pk],
            found_labels,
            classes=list(classifier.classes),
            task_type=classifier.task_type,
        )
        results[version.pk] = measured
    info.update(comparable=True, n=len(found), reason=reason)
    older, newer = sorted((a, b), key=lambda version: version.version)
    info["slices"] = _slice_deltas(
        project=project,
        item_ids=found,
        labels=found_labels,
        older=(classifiers[older.pk], probas[older.pk]),
        newer=(classifiers[newer.pk], probas[newer.pk]),
    )
    return info, results


def _slice_deltas(
    *,
    project: Project,
    item_ids: list[int],
    labels: list[list[str]],
    older: tuple[Any, np.ndarray],
    newer: tuple[Any, np.ndarray],
) -> dict[str, Any]:
    """Per slice value of the project's slice fields, the newer version's macro F1 and
    accuracy minus the older's on the same items (Wilson intervals only, no bootstrap: this
    runs in a request), and which slices the newer one hurts while it helps overall."""
    from models_app.ml.evaluation import (
        decisions,
        macro_f1,
        positive_columns,
        slice_deltas,
        slice_report,
        slice_values_capped,
    )

    fields = list(project.slice_fields or [])
    values = held_out_slice_values(project=project, item_ids=item_ids, fields=fields)
    scored = []
    for classifier, proba in (older, newer):
        classes = list(classifier.classes)
        rows, _, truth, predicted = decisions(
            proba, labels, classes=classes, task_type=classifier.task_type
        )
        scored.append((rows, truth, predicted, positive_columns(classes, classifier.task_type)))
    f1s = [macro_f1(truth, predicted) for _, truth, predicted, _ in scored]
    overall = None if None in f1s else round(float(f1s[1]) - float(f1s[0]), 4)  # type: ignore[arg-type]
    out = []
    for field in fields:
        reports = []
        for rows, truth, predicted, columns in scored:
            shown = slice_values_capped([values[field][int(r)] for r in rows])
            reports.append(slice_report(truth, predicted, shown, columns=columns, resamples=0))
        deltas = slice_deltas(reports[0], reports[1], overall_delta=overall)
        out.append({"field": field, "values": deltas})
    regressions = [
        {"field": f["field"], "value": v["value"], "f1_macro_delta": v["f1_macro_delta"]}
        for f in out
        for v in f["values"]
        if v["regression"]
    ]
    return {"f1_macro_delta": overall, "fields": out, "regressions": regressions}


def model_versions_compare(*, project: Project, a: ModelVersion, b: ModelVersion) -> dict[str, Any]:
    """Both versions measured on the same held-out items (``same_items``; each side's
    ``same_items_metrics``, with 95 % intervals), their stored held-out metrics and promotion
    decisions, and, when either is in shadow or canary, both versions' agreement with people's
    decisions on the same items (None otherwise)."""
    measured = [v for v in (a, b) if v.stage in MEASURED_STAGES]
    since = max(v.created_at for v in measured) if measured else None
    decisions = _decisions_since(project=project, since=since) if since is not None else None
    same_items, scored = _same_items(project=project, a=a, b=b)

    def side(version: ModelVersion) -> dict[str, Any]:
        return {
            "id": version.pk,
            "version": version.version,
            "stage": version.stage,
            "embedder": version.embedder,
            "label_count": version.label_count,
            "train_n": version.metrics.get("train_n"),
            "train_source_counts": version.metrics.get("train_source_counts"),
            "created_at": version.created_at,
            "promoted_at": version.promoted_at,
            "promotion": version.promotion,
            "metrics": {key: version.metrics.get(key) for key in COMPARED_METRICS},
            "same_items_metrics": scored.get(version.pk),
            "decision_agreement": (
                _agreement(project=project, version=version, decisions=decisions)
                if decisions is not None
                else None
            ),
        }

    return {"a": side(a), "b": side(b), "same_items": same_items, "decisions_since": since}
