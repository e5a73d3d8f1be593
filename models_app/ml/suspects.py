"""Suspect labels: which given labels are probably wrong, by confident learning.

The method is that of Northcutt, Jiang and Chuang, "Confident Learning: Estimating Uncertainty
in Dataset Labels" (JAIR 2021), written here from the paper:

1. Out-of-sample probabilities ``p[i, j]`` for every labeled item, by k-fold cross-fitting: each
   item is scored by models that never saw it (``out_of_sample_probabilities``).
2. Per-class thresholds ``t[j]``: the mean of ``p[:, j]`` over the items labeled ``j`` (the
   model's average self-confidence in class ``j``).
3. The confident joint ``C[i, j]``: items labeled ``i`` whose probability is at or above the
   threshold of class ``j``; when several classes pass their thresholds the item counts once,
   for the most probable of them. Items with no class above its threshold are not counted.
4. An item labeled ``i`` is a suspect when it lands off the diagonal (``j != i``) and its
   given label's probability is below ``t[i]``.
5. The estimated error rate of class ``i``: ``C`` calibrated so each row sums to the number of
   items labeled ``i`` (eq. 2 of the paper), then the off-diagonal share of that row.

Ranking (what a reviewer sees first). ``benchmarks/label_quality.py`` measured three scores on
real data with injected noise: self-confidence (the given label's out-of-sample probability),
the normalised margin (given minus the best other class) and both blended with the label
agreement of the item's nearest neighbours in embedding space. The blend ranked best and is
the default (``DEFAULT_RANKING``); see the README for the figures.

Pure numpy / scikit-learn (imported lazily); no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from models_app.ml import single_threaded_blas

Ranking = Literal["self_confidence", "normalized_margin", "blended"]
RANKINGS: tuple[Ranking, ...] = ("self_confidence", "normalized_margin", "blended")
DEFAULT_RANKING: Ranking = "blended"
DEFAULT_FOLDS = 5
DEFAULT_C = 2.0  # as the project's classifier (models_app.ml.classifiers.fit)
DEFAULT_NEIGHBOURS = 10
# Weight of the classifier's probabilities against the neighbours' label shares in ``blended``.
BLEND_WEIGHT = 0.5


@dataclass
class SuspectReport:
    """What ``find_suspects`` found, all indexed by row of the input."""

    probabilities: np.ndarray  # (n, k) out-of-sample probabilities used for the rule
    thresholds: np.ndarray  # (k,) t[j]
    confident_joint: np.ndarray  # (k, k) counts: given label (rows) x confident class (columns)
    calibrated_joint: np.ndarray  # (k, k) rows sum to the given label counts
    error_rate: np.ndarray  # (k,) estimated share of wrong labels per given class
    is_suspect: np.ndarray  # (n,) bool
    suggested: np.ndarray  # (n,) the confident class (-1 where none passed its threshold)
    score: np.ndarray  # (n,) lower = more likely wrong (the ranking's score)
    order: np.ndarray  # suspects' row indices, most likely wrong first
    ranking: str = DEFAULT_RANKING
    extra: dict[str, float] = field(default_factory=dict)


def per_class_thresholds(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``t[j]`` = mean of ``probabilities[:, j]`` over rows labeled ``j`` (1.0 for a class no
    row is labeled with: nothing can be confidently in it)."""
    k = probabilities.shape[1]
    thresholds = np.ones(k, dtype=np.float64)
    for j in range(k):
        rows = labels == j
        if rows.any():
            thresholds[j] = float(probabilities[rows, j].mean())
    return thresholds


def confident_classes(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per row, the most probable class among those at or above their threshold; -1 if none."""
    passing = probabilities >= thresholds[None, :] - 1e-12
    masked = np.where(passing, probabilities, -np.inf)
    best = masked.argmax(axis=1)
    best[~passing.any(axis=1)] = -1
    return best


def confident_joint(labels: np.ndarray, confident: np.ndarray, k: int) -> np.ndarray:
    joint = np.zeros((k, k), dtype=np.int64)
    counted = confident >= 0
    np.add.at(joint, (labels[counted], confident[counted]), 1)
    return joint


def calibrate_joint(joint: np.ndarray, label_counts: np.ndarray) -> np.ndarray:
    """Rescale each row of the confident joint to sum to that class's number of labels (the
    paper's calibration; a row with no confident counts stays zero)."""
    row_sums = joint.sum(axis=1, keepdims=True).astype(np.float64)
    scale = np.divide(
        label_counts[:, None].astype(np.float64),
        row_sums,
        out=np.zeros_like(row_sums),
        where=row_sums > 0,
    )
    return joint * scale


def error_rates(calibrated: np.ndarray) -> np.ndarray:
    """Off-diagonal share of each calibrated row: the estimated rate of wrong labels per class."""
    totals = calibrated.sum(axis=1)
    off = totals - np.diag(calibrated)
    return np.divide(off, totals, out=np.zeros_like(totals), where=totals > 0)


def ranking_score(
    probabilities: np.ndarray, labels: np.ndarray, ranking: Ranking = "self_confidence"
) -> np.ndarray:
    """Lower = more likely a wrong label. ``self_confidence``: p[given]; ``normalized_margin``:
    p[given] - max over other classes (in [-1, 1])."""
    rows = np.arange(len(labels))
    given = probabilities[rows, labels]
    if ranking == "normalized_margin":
        others = probabilities.copy()
        others[rows, labels] = -np.inf
        return given - others.max(axis=1)
    return given


def neighbour_label_shares(
    X: np.ndarray, labels: np.ndarray, k: int, *, neighbours: int = DEFAULT_NEIGHBOURS
) -> np.ndarray:
    """(n, k) share of each row's ``neighbours`` nearest other rows (cosine on L2-normalised
    vectors) carrying each label, smoothed by one pseudo-count spread over the classes."""
    n = X.shape[0]
    neighbours = max(1, min(neighbours, n - 1))
    Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    Xn = Xn.astype(np.float32, copy=False)
    shares = np.zeros((n, k), dtype=np.float64)
    chunk = 1024
    for start in range(0, n, chunk):
        block = Xn[start : start + chunk] @ Xn.T
        block[np.arange(block.shape[0]), np.arange(start, start + block.shape[0])] = -np.inf
        nearest = np.argpartition(-block, neighbours, axis=1)[:, :neighbours]
        for c in range(k):
            shares[start : start + block.shape[0], c] = (labels[nearest] == c).sum(axis=1)
    return (shares + 1.0 / k) / (neighbours + 1.0)


def out_of_sample_probabilities(
    X: np.ndarray,
    labels: np.ndarray,
    k: int,
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    C: float = DEFAULT_C,
    on_fold: object = None,
) -> np.ndarray:
    """(n, k) probabilities of each row from a class-balanced logistic regression fitted on
    the other folds (stratified, shuffled with ``seed``). Classes absent from a fold's training
    rows get probability 0 there. ``folds`` is lowered to the smallest class's count (≥ 2)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(labels, minlength=k)
    present = counts[counts > 0]
    folds = int(max(2, min(folds, present.min() if len(present) else 2)))
    result = np.zeros((len(labels), k), dtype=np.float64)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    with single_threaded_blas():
        for number, (train, held) in enumerate(splitter.split(X, labels)):
            model = LogisticRegression(
                C=C, class_weight="balanced", max_iter=1000, random_state=seed
            )
            model.fit(X[train], labels[train])
            result[np.ix_(held, model.classes_)] = model.predict_proba(X[held])
            if callable(on_fold):
                on_fold((number + 1) / folds)
    return result


def find_suspects(
    X: np.ndarray,
    labels: np.ndarray,
    k: int,
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    C: float = DEFAULT_C,
    ranking: Ranking = DEFAULT_RANKING,
    neighbours: int = DEFAULT_NEIGHBOURS,
    probabilities: np.ndarray | None = None,
    on_progress: object = None,
) -> SuspectReport:
    """Confident learning on embeddings ``X`` (n, d) with given labels ``labels`` (class
    indices 0..k-1). ``probabilities`` (n, k) skips the cross-fitting (tests, callers with
    their own out-of-sample scores); ``blended`` then needs ``X`` for the neighbours.

    With ``blended`` the confident-learning rule runs on the average of the classifier's
    probabilities and the neighbours' label shares (``BLEND_WEIGHT``): both are out of sample
    (a row is never its own neighbour) and their errors differ, so the average ranks better.
    """
    labels = np.asarray(labels, dtype=np.int64)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError("labels must be a non-empty 1-D array of class indices")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}")
    if probabilities is None:
        probabilities = out_of_sample_probabilities(
            X, labels, k, folds=folds, seed=seed, C=C, on_fold=on_progress
        )
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (len(labels), k):
        raise ValueError(f"probabilities must have shape {(len(labels), k)}")
    if ranking == "blended":
        shares = neighbour_label_shares(np.asarray(X), labels, k, neighbours=neighbours)
        probabilities = BLEND_WEIGHT * probabilities + (1 - BLEND_WEIGHT) * shares
    thresholds = per_class_thresholds(probabilities, labels)
    confident = confident_classes(probabilities, thresholds)
    joint = confident_joint(labels, confident, k)
    calibrated = calibrate_joint(joint, np.bincount(labels, minlength=k))
    rows = np.arange(len(labels))
    is_suspect = (
        (confident >= 0)
        & (confident != labels)
        & (probabilities[rows, labels] < thresholds[labels])
    )
    score = ranking_score(
        probabilities, labels, "self_confidence" if ranking == "blended" else ranking
    )
    suspects = np.flatnonzero(is_suspect)
    order = suspects[np.lexsort((suspects, score[suspects]))]
    return SuspectReport(
        probabilities=probabilities,
        thresholds=thresholds,
        confident_joint=joint,
        calibrated_joint=calibrated,
        error_rate=error_rates(calibrated),
        is_suspect=is_suspect,
        suggested=confident,
        score=score,
        order=order,
        ranking=ranking,
    )


def full_ranking(report: SuspectReport) -> np.ndarray:
    """Every row, most likely wrong first: the suspects in ``report.order``, then the rest by
    score (for measuring precision at a k larger than the number of suspects)."""
    rest = np.flatnonzero(~report.is_suspect)
    rest = rest[np.lexsort((rest, report.score[rest]))]
    return np.concatenate([report.order, rest])


def naive_ranking(X: np.ndarray, labels: np.ndarray, k: int, *, C: float = DEFAULT_C) -> np.ndarray:
    """The baseline: one model fitted on every row, rows ranked by its in-sample probability of
    their given label (lowest first). No cross-fitting: the model has seen each label."""
    from sklearn.linear_model import LogisticRegression

    with single_threaded_blas():
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=1000, random_state=0)
        model.fit(X, labels)
        probabilities = np.zeros((len(labels), k))
        probabilities[:, model.classes_] = model.predict_proba(X)
    score = probabilities[np.arange(len(labels)), labels]
    rows = np.arange(len(labels))
    return rows[np.lexsort((rows, score))]


def precision_recall_at(ranked: np.ndarray, wrong: np.ndarray, k: int) -> tuple[float, float]:
    """Share of the top ``k`` ranked rows that are wrong, and share of wrong rows in the top k."""
    top = ranked[:k]
    hits = int(wrong[top].sum())
    total = int(wrong.sum())
    return hits / max(1, len(top)), hits / max(1, total)


def flip_labels(
    labels: np.ndarray, k: int, rate: float, *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A copy of ``labels`` with ``round(rate·n)`` rows, drawn at random, given another class
    (uniformly among the others); and the mask of flipped rows."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    flipped = rng.choice(n, size=round(rate * n), replace=False)
    noisy = labels.copy()
    shift = rng.integers(1, k, size=len(flipped))
    noisy[flipped] = (labels[flipped] + shift) % k
    wrong = np.zeros(n, dtype=bool)
    wrong[flipped] = True
    return noisy, wrong
