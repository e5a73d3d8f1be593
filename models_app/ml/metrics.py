"""Evaluation of a classifier's probabilities against human labels (scikit-learn metrics).

Everything returned is plain JSON (floats, ints, lists, dicts, None) so it can be stored on a
model version as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from models_app.ml.intervals import multilabel_intervals, single_label_intervals

ECE_BINS = 10


def evaluate(
    proba: np.ndarray,
    labels: Sequence[Sequence[str]],
    *,
    classes: list[str],
    task_type: str,
) -> dict[str, Any]:
    """Metrics of ``proba`` (n, len(classes)) against ``labels`` (class names per row).

    Binary and multiclass: a row's class is its first name found in ``classes``; rows with none
    are left out (``n`` counts the rows used) and the prediction is the most probable class.
    Multilabel: every row counts, names outside ``classes`` are ignored, a class is predicted
    when its probability is at least 0.5, and ``accuracy`` is the exact-match ratio.

    Keys: ``classes`` (their order: stored as JSON, the per-class dicts may lose it); ``n``;
    ``roc_auc`` (binary: of ``classes[1]``; multiclass: macro one-vs-rest; multilabel: macro;
    classes whose labels are all positive or all negative are left out of the macro average,
    and it is None when no class qualifies); ``f1_per_class``; ``f1_macro`` (over the classes
    present in the labels or the predictions, as scikit-learn does by default); ``accuracy``;
    ``confusion_matrix`` (rows true, columns predicted, in ``classes`` order; None for
    multilabel); ``ece`` (10 equal-width bins; multilabel: the mean over classes of each class's
    binary ECE); ``precision_per_class`` and ``recall_per_class``; ``intervals`` (95 %
    confidence intervals of these scores, see ``intervals``); ``label_counts``. With no usable
    rows the scores are None.
    """
    if task_type not in ("binary", "multiclass", "multilabel"):
        raise ValueError(f"unknown task type {task_type!r}")
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or proba.shape != (len(labels), len(classes)):
        raise ValueError(f"proba has shape {proba.shape}; expected ({len(labels)}, {len(classes)})")
    if task_type == "multilabel":
        return _evaluate_multilabel(proba, labels, classes)
    return _evaluate_single_label(proba, labels, classes)


def _evaluate_single_label(
    proba: np.ndarray, labels: Sequence[Sequence[str]], classes: list[str]
) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    index = {name: i for i, name in enumerate(classes)}
    rows, targets = [], []
    for row, names in enumerate(labels):
        known = next((index[name] for name in _names(names) if name in index), None)
        if known is not None:
            rows.append(row)
            targets.append(known)
    y = np.asarray(targets, dtype=np.int64)
    proba = proba[np.asarray(rows, dtype=np.int64)]
    counts = np.bincount(y, minlength=len(classes))
    result: dict[str, Any] = {
        "classes": list(classes),
        "n": len(y),
        "label_counts": {name: int(c) for name, c in zip(classes, counts, strict=True)},
    }
    if len(y) == 0:
        return result | _empty_scores(classes, confusion=True)

    predicted = proba.argmax(axis=1)
    all_classes = list(range(len(classes)))
    per_class = f1_score(y, predicted, labels=all_classes, average=None, zero_division=0)
    onehot = np.eye(len(classes), dtype=bool)[y]
    if len(classes) == 2:
        roc_auc = _binary_auc(onehot[:, 1], proba[:, 1])
    else:
        roc_auc = _macro_auc(onehot, proba)
    confidence = proba.max(axis=1)
    confusion = confusion_matrix(y, predicted, labels=all_classes)
    return result | {
        "roc_auc": roc_auc,
        "f1_per_class": _per_class(classes, per_class),
        "precision_per_class": _per_class(classes, _ratio(confusion.diagonal(), confusion.sum(0))),
        "recall_per_class": _per_class(classes, _ratio(confusion.diagonal(), confusion.sum(1))),
        "f1_macro": float(f1_score(y, predicted, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(y, predicted)),
        "confusion_matrix": confusion.tolist(),
        "ece": expected_calibration_error(confidence, predicted == y),
        "intervals": single_label_intervals(proba, y, classes=classes),
    }


def _evaluate_multilabel(
    proba: np.ndarray, labels: Sequence[Sequence[str]], classes: list[str]
) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    index = {name: i for i, name in enumerate(classes)}
    Y = np.zeros(proba.shape, dtype=bool)
    for row, names in enumerate(labels):
        for name in _names(names):
            if name in index:
                Y[row, index[name]] = True
    result: dict[str, Any] = {
        "classes": list(classes),
        "n": len(Y),
        "label_counts": {name: int(c) for name, c in zip(classes, Y.sum(axis=0), strict=True)},
    }
    if len(Y) == 0:
        return result | _empty_scores(classes, confusion=False)

    predicted = proba >= 0.5
    per_class = f1_score(Y, predicted, average=None, zero_division=0)
    hits = (Y & predicted).sum(axis=0)
    eces = [
        expected_calibration_error(
            np.maximum(proba[:, j], 1 - proba[:, j]), predicted[:, j] == Y[:, j]
        )
        for j in range(len(classes))
    ]
    return result | {
        "roc_auc": _macro_auc(Y, proba),
        "f1_per_class": _per_class(classes, per_class),
        "precision_per_class": _per_class(classes, _ratio(hits, predicted.sum(axis=0))),
        "recall_per_class": _per_class(classes, _ratio(hits, Y.sum(axis=0))),
        "f1_macro": float(f1_score(Y, predicted, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(Y, predicted)),
        "confusion_matrix": None,
        "ece": float(np.mean(eces)),
        "intervals": multilabel_intervals(proba, Y, classes=classes),
    }


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, *, bins: int = ECE_BINS
) -> float:
    """ECE: the bin-size-weighted mean |accuracy - mean confidence| over equal-width bins."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if confidence.size == 0:
        return 0.0
    # Bins are (i/bins, (i+1)/bins], with 0 itself in the first one.
    which = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    confidence_sums = np.bincount(which, weights=confidence, minlength=bins)
    correct_sums = np.bincount(which, weights=correct, minlength=bins)
    return float(np.abs(correct_sums - confidence_sums).sum() / confidence.size)


def _binary_auc(truth: np.ndarray, score: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if truth.all() or not truth.any():
        return None  # undefined with only one class present
    return float(roc_auc_score(truth, score))


def _macro_auc(truth: np.ndarray, proba: np.ndarray) -> float | None:
    scores = [_binary_auc(truth[:, j], proba[:, j]) for j in range(truth.shape[1])]
    defined = [score for score in scores if score is not None]
    return float(np.mean(defined)) if defined else None


def _ratio(hits: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """hits / totals per class, 0 where the total is 0 (scikit-learn's ``zero_division=0``)."""
    totals = np.asarray(totals, dtype=np.float64)
    return np.divide(hits, totals, out=np.zeros_like(totals), where=totals > 0)


def _per_class(classes: list[str], values: np.ndarray) -> dict[str, float]:
    return {name: float(value) for name, value in zip(classes, values, strict=True)}


def _empty_scores(classes: list[str], *, confusion: bool) -> dict[str, Any]:
    return {
        "roc_auc": None,
        "f1_per_class": dict.fromkeys(classes),
        "f1_macro": None,
        "accuracy": None,
        "confusion_matrix": [[0] * len(classes) for _ in classes] if confusion else None,
        "ece": None,
        "intervals": {},
    }


def _names(names: Sequence[str] | str) -> Sequence[str]:
    return [names] if isinstance(names, str) else names
