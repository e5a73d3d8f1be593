"""Drift measures (pure, no Django): is what arrives now still what the model was trained on?

Four measures of a window of new items against the model's training snapshot:

- ``score_psi``: the population stability index of the model's score, in bins fixed by the
  reference scores' quantiles (so each bin holds about the same share of the reference);
- ``label_mix_psi`` (and ``total_variation``): the same index over the predicted classes;
- ``domain_auc``: how well a logistic regression tells window items from reference items by
  their embeddings, as a cross-validated ROC AUC (0.5: it cannot, no drift; 1.0: always);
- ``overturn_share``: the share of people's decisions that overturned the model's proposal.

``drift_alarms`` compares them with thresholds. Empty bins get ``PSI_EPSILON`` instead of 0, so
the index stays finite (the usual convention; the worked examples in the tests use it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

PSI_BINS = 10
PSI_EPSILON = 1e-4
# The domain classifier's samples are bounded so one window costs the same however large the
# training snapshot or a day's window is; seeded, so the same items give the same AUC.
DOMAIN_MAX_PER_SIDE = 1_000
DOMAIN_FOLDS = 5
DOMAIN_SEED = 0
# Fewer items on either side than this: too few for a cross-validated AUC.
DOMAIN_MIN_PER_SIDE = 20


def model_scores(classes: Sequence[str], proba: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The score whose distribution is tracked, and the predicted class, per row of ``proba``
    (columns in ``classes`` order): for a binary model the probability of ``classes[1]`` (the
    class it finds); for more classes the probability of the predicted one (its confidence)."""
    proba = np.asarray(proba, dtype=np.float64)
    top = proba.argmax(axis=1)
    score = proba[:, 1] if len(classes) == 2 else proba.max(axis=1)
    return score, [classes[i] for i in top]


def quantile_edges(reference: Sequence[float] | np.ndarray, *, bins: int = PSI_BINS) -> np.ndarray:
    """The inner bin edges: the reference's quantiles at 1/bins, 2/bins, …; equal edges (ties,
    a model that gives many items the same score) are merged, so no bin is empty by
    construction."""
    values = np.asarray(reference, dtype=np.float64)
    if not len(values):
        raise ValueError("no reference values to bin")
    quantiles = np.quantile(values, np.arange(1, bins) / bins)
    return np.unique(quantiles)


def bin_shares(values: Sequence[float] | np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Each bin's share of ``values``; bin i holds edges[i-1] < v <= edges[i] (first and last
    are open-ended)."""
    values = np.asarray(values, dtype=np.float64)
    counts = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)
    return counts / max(1, len(values))


def psi(expected: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray, *,
        epsilon: float = PSI_EPSILON) -> float:  # fmt: skip
    """Population stability index of two distributions over the same bins:
    ``sum((a - e) * ln(a / e))``, a share of 0 counted as ``epsilon``."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), epsilon)
    a = np.maximum(np.asarray(actual, dtype=np.float64), epsilon)
    if e.shape != a.shape:
        raise ValueError("expected and actual need the same bins")
    return float(np.sum((a - e) * np.log(a / e)))


def score_psi(
    reference: Sequence[float] | np.ndarray,
    window: Sequence[float] | np.ndarray,
    *,
    bins: int = PSI_BINS,
    epsilon: float = PSI_EPSILON,
) -> float:
    """PSI of the window's scores against the reference's, in the reference's quantile bins."""
    edges = quantile_edges(reference, bins=bins)
    return psi(bin_shares(reference, edges), bin_shares(window, edges), epsilon=epsilon)


def label_shares(labels: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """The share of each class of ``classes`` (in that order) among ``labels``."""
    index = {name: i for i, name in enumerate(classes)}
    counts = np.zeros(len(classes))
    for label in labels:
        if label in index:
            counts[index[label]] += 1
    return counts / max(1, len(labels))


def label_mix_psi(
    reference: Sequence[str],
    window: Sequence[str],
    classes: Sequence[str],
    *,
    epsilon: float = PSI_EPSILON,
) -> float:
    """PSI of the predicted-label mix, one bin per class."""
    return psi(label_shares(reference, classes), label_shares(window, classes), epsilon=epsilon)


def total_variation(
    reference: Sequence[str], window: Sequence[str], classes: Sequence[str]
) -> float:
    """Half the L1 distance between the two label mixes: the share of items that would have to
    change class for the mixes to match (0 to 1)."""
    diff = label_shares(reference, classes) - label_shares(window, classes)
    return float(np.abs(diff).sum() / 2)


def _sample(rows: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    if len(rows) <= limit:
        return rows
    return rows[np.sort(rng.choice(len(rows), size=limit, replace=False))]


def domain_auc(
    reference: np.ndarray,
    window: np.ndarray,
    *,
    max_per_side: int = DOMAIN_MAX_PER_SIDE,
    folds: int = DOMAIN_FOLDS,
    seed: int = DOMAIN_SEED,
) -> float | None:
    """Cross-validated ROC AUC of a logistic regression separating ``window`` rows (1) from
    ``reference`` rows (0), each side a seeded sample of at most ``max_per_side`` rows.

    Every row is scored by the fold model that did not see it (``cross_val_predict``), so the
    AUC is out of sample: about 0.5 when the two sides come from one distribution. Classes are
    weighted to balance, since the sides may differ in size. None when either side has fewer
    than ``DOMAIN_MIN_PER_SIDE`` rows.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from models_app.ml import single_threaded_blas

    if min(len(reference), len(window)) < DOMAIN_MIN_PER_SIDE:
        return None
    rng = np.random.default_rng(seed)
    ref = _sample(np.asarray(reference, dtype=np.float32), max_per_side, rng)
    win = _sample(np.asarray(window, dtype=np.float32), max_per_side, rng)
    x = np.vstack([ref, win])
    y = np.concatenate([np.zeros(len(ref), dtype=np.int8), np.ones(len(win), dtype=np.int8)])
    model = LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with single_threaded_blas():
        proba = cross_val_predict(model, x, y, cv=splitter, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, proba))


def overturn_share(*, accepted: int, overturned: int) -> float | None:
    """Overturned decisions over all decisions that had a proposal (None: there were none)."""
    total = accepted + overturned
    return overturned / total if total else None


@dataclass(frozen=True)
class DriftMeasures:
    """One window's measures; None where it could not be measured (no model, too few items)."""

    items: int
    score_psi: float | None = None
    label_mix_psi: float | None = None
    domain_auc: float | None = None
    overturn_share: float | None = None
    decisions: int = 0

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


@dataclass(frozen=True)
class DriftThresholds:
    """When a measure raises an alarm (strictly above the threshold). A window with fewer than
    ``min_items`` items raises none; the overturn share needs ``min_decisions`` decisions."""

    score_psi: float = 0.25
    label_mix_psi: float = 0.25
    # Measured on SMS (benchmarks/drift.py, MiniLM): in-distribution windows of 500 stay below
    # 0.56; a window with 30 % tweets reaches about 0.65 to 0.7; all tweets, about 1.
    domain_auc: float = 0.65
    overturn_share: float = 0.3
    min_items: int = 100
    min_decisions: int = 20


MEASURES = ("score_psi", "label_mix_psi", "domain_auc", "overturn_share")


def drift_alarms(measures: DriftMeasures, thresholds: DriftThresholds) -> list[str]:
    """The names of the measures (of ``MEASURES``) above their thresholds."""
    if measures.items < thresholds.min_items:
        return []
    crossed = []
    for name in MEASURES:
        value = getattr(measures, name)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if name == "overturn_share" and measures.decisions < thresholds.min_decisions:
            continue
        if value > getattr(thresholds, name):
            crossed.append(name)
    return crossed
