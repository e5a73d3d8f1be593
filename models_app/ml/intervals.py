"""Confidence intervals for held-out scores, so a score measured on 19 items says how little it
knows: Wilson score intervals for proportions (accuracy, per-class precision and recall) and a
percentile bootstrap over the held-out items for F1 and ROC AUC, which are not proportions.

The bootstrap is seeded, so the same predictions always give the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Z_95 = 1.959963984540054  # the two-sided 95 % normal quantile
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0
# Above this many items a 95 % interval is narrow and each resample costs more: fewer resamples.
BOOTSTRAP_LARGE_N = 5_000
BOOTSTRAP_LARGE_RESAMPLES = 200

Interval = tuple[float, float]


def wilson_interval(successes: int, n: int, *, z: float = Z_95) -> Interval | None:
    """The Wilson score interval of ``successes`` out of ``n`` (None when ``n`` is 0).

    Unlike the normal approximation it stays inside [0, 1] and is not empty at 0 or n successes,
    which is what small held-out sets produce.
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside 0..{n}")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_interval(
    statistic: Callable[[np.ndarray], float | None],
    n: int,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
) -> Interval | None:
    """The percentile bootstrap interval of ``statistic`` over ``n`` items.

    ``statistic`` takes an array of row indices (a resample, with repeats) and returns the score
    on those rows, or None when it is undefined there (an AUC on a resample with one class):
    such resamples are left out. None when there are no items or no resample is defined.
    """
    if n <= 0:
        return None
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        value = statistic(rng.integers(0, n, size=n))
        if value is not None:
            values.append(value)
    if not values:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(np.asarray(values, dtype=np.float64), [tail, 100 - tail])
    return (float(low), float(high))


def binary_auc(truth: np.ndarray, score: np.ndarray) -> float | None:
    """ROC AUC by ranks (the Mann-Whitney statistic, ties counted half); None with one class."""
    from scipy.stats import rankdata

    truth = np.asarray(truth, dtype=bool)
    positives = int(truth.sum())
    negatives = len(truth) - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = rankdata(score)
    return float((ranks[truth].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def f1_from_predictions(truth: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of a binary decision (0 when there is neither a true nor a predicted positive)."""
    true_positive = int(np.count_nonzero(truth & predicted))
    denominator = int(np.count_nonzero(truth)) + int(np.count_nonzero(predicted))
    return 2 * true_positive / denominator if denominator else 0.0


def single_label_intervals(
    proba: np.ndarray, targets: np.ndarray, *, classes: list[str]
) -> dict[str, Any]:
    """95 % intervals of a binary or multiclass evaluation: ``proba`` (n, k), ``targets`` (n,)
    class indices. Keys: ``accuracy``; ``precision_per_class`` and ``recall_per_class`` (Wilson);
    ``f1_per_class``, ``f1_macro`` and ``roc_auc`` (bootstrap, macro one-vs-rest AUC for more
    than two classes, as ``metrics.evaluate`` measures them). Each interval is ``[low, high]``
    or None where the score is undefined."""
    n, k = proba.shape
    predicted = proba.argmax(axis=1)
    truth = np.eye(k, dtype=bool)[targets]
    guessed = np.eye(k, dtype=bool)[predicted]
    resamples = _resamples(n)

    def f1_of(j: int) -> Callable[[np.ndarray], float]:
        return lambda rows: f1_from_predictions(truth[rows, j], guessed[rows, j])

    def f1_macro(rows: np.ndarray) -> float:
        # As scikit-learn's default: the mean over classes present in the truth or predictions.
        present = truth[rows].any(axis=0) | guessed[rows].any(axis=0)
        scores = [f1_from_predictions(truth[rows, j], guessed[rows, j]) for j in range(k)]
        return float(np.mean([s for s, p in zip(scores, present, strict=True) if p]))

    def auc(rows: np.ndarray) -> float | None:
        if k == 2:
            return binary_auc(truth[rows, 1], proba[rows, 1])
        defined = [
            value
            for j in range(k)
            if (value := binary_auc(truth[rows, j], proba[rows, j])) is not None
        ]
        return float(np.mean(defined)) if defined else None

    correct = int(np.count_nonzero(predicted == targets))
    return {
        "accuracy": _listed(wilson_interval(correct, n)),
        "precision_per_class": {
            name: _listed(
                wilson_interval(int((truth[:, j] & guessed[:, j]).sum()), int(guessed[:, j].sum()))
            )
            for j, name in enumerate(classes)
        },
        "recall_per_class": {
            name: _listed(
                wilson_interval(int((truth[:, j] & guessed[:, j]).sum()), int(truth[:, j].sum()))
            )
            for j, name in enumerate(classes)
        },
        "f1_per_class": {
            name: _listed(bootstrap_interval(f1_of(j), n, resamples=resamples))
            for j, name in enumerate(classes)
        },
        "f1_macro": _listed(bootstrap_interval(f1_macro, n, resamples=resamples)),
        "roc_auc": _listed(bootstrap_interval(auc, n, resamples=resamples)),
    }


def multilabel_intervals(
    proba: np.ndarray, truth: np.ndarray, *, classes: list[str]
) -> dict[str, Any]:
    """95 % intervals of a multilabel evaluation (``truth`` (n, k) booleans; a class is
    predicted at probability 0.5): exact-match ``accuracy`` and per-class precision and recall
    (Wilson), per-class F1 and macro ROC AUC (bootstrap)."""
    n, k = proba.shape
    guessed = proba >= 0.5
    resamples = _resamples(n)

    def f1_of(j: int) -> Callable[[np.ndarray], float]:
        return lambda rows: f1_from_predictions(truth[rows, j], guessed[rows, j])

    def auc(rows: np.ndarray) -> float | None:
        defined = [
            value
            for j in range(k)
            if (value := binary_auc(truth[rows, j], proba[rows, j])) is not None
        ]
        return float(np.mean(defined)) if defined else None

    exact = int(np.count_nonzero((guessed == truth).all(axis=1)))
    hits = (truth & guessed).sum(axis=0)
    return {
        "accuracy": _listed(wilson_interval(exact, n)),
        "precision_per_class": {
            name: _listed(wilson_interval(int(hits[j]), int(guessed[:, j].sum())))
            for j, name in enumerate(classes)
        },
        "recall_per_class": {
            name: _listed(wilson_interval(int(hits[j]), int(truth[:, j].sum())))
            for j, name in enumerate(classes)
        },
        "f1_per_class": {
            name: _listed(bootstrap_interval(f1_of(j), n, resamples=resamples))
            for j, name in enumerate(classes)
        },
        "f1_macro": None,
        "roc_auc": _listed(bootstrap_interval(auc, n, resamples=resamples)),
    }


def _resamples(n: int) -> int:
    return BOOTSTRAP_RESAMPLES if n <= BOOTSTRAP_LARGE_N else BOOTSTRAP_LARGE_RESAMPLES


def _listed(interval: Interval | None) -> list[float] | None:
    """JSON-ready, rounded to four places (the interval is not more precise than that)."""
    return None if interval is None else [round(interval[0], 4), round(interval[1], 4)]
