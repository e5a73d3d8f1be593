"""Query strategies: which unlabeled rows a person should label next.

``priorities`` scores every row (higher = ask sooner) from the model's probabilities using
modAL's uncertainty measures; ``select_batch`` picks a batch, and its ``hybrid`` strategy spreads
the batch over k-means clusters of the most uncertain rows so it is not ten near-duplicates;
``cold_start`` picks diverse rows before any model exists.

Probabilities are the float64 ``predict_proba`` of a ``TrainedClassifier``. Multilabel
probabilities (independent per class, rows not summing to 1) are scored per class as binary
problems ``[1 - p, p]`` and the per-class scores averaged: an item is informative when it is
uncertain on many labels. Pass ``task_type`` to say which kind the matrix is; by default a matrix
whose rows all sum to 1 is taken as single-label.
"""

from __future__ import annotations

import warnings
from enum import StrEnum
from typing import Any

import numpy as np

from models_app.ml import single_threaded_blas


class Strategy(StrEnum):
    RANDOM = "random"
    UNCERTAINTY = "uncertainty"
    MARGIN = "margin"
    ENTROPY = "entropy"
    HYBRID = "hybrid"
    # Not an order of its own: ``models_app.ml.adaptive.choose_arm`` picks one of the others
    # (hybrid, entropy, random) per training run, and that one orders the queue.
    ADAPTIVE = "adaptive"


# The uncertainty measure behind ``hybrid``: margin ranks both binary and multiclass rows well.
HYBRID_BASE = Strategy.MARGIN


class _Precomputed:
    """A stand-in estimator for modAL: ``predict_proba(row_indices)`` returns stored rows."""

    def __init__(self, proba: np.ndarray) -> None:
        self._proba = proba

    def predict_proba(self, X: Any, **_: Any) -> np.ndarray:
        return self._proba[np.asarray(X)]


def priorities(
    strategy: Strategy | str,
    proba: np.ndarray,
    *,
    seed: int = 0,
    task_type: str | None = None,
) -> np.ndarray:
    """One float64 score per row of ``proba``; higher means more worth a person's time.

    - uncertainty: ``1 - max p`` (modAL ``classifier_uncertainty``);
    - margin: ``1 - (p_top1 - p_top2)`` (modAL ``classifier_margin`` is the margin itself,
      small when uncertain, so it is flipped);
    - entropy: Shannon entropy in nats (modAL ``classifier_entropy``);
    - random: seeded uniform ``[0, 1)``;
    - hybrid: the margin score (diversity is applied by ``select_batch``).
    """
    strategy = _concrete(strategy)
    proba = _as_proba(proba)
    n = proba.shape[0]
    if strategy is Strategy.RANDOM:
        return np.random.default_rng(seed).random(size=(n,))
    if strategy is Strategy.HYBRID:
        strategy = HYBRID_BASE
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    if _is_multilabel(proba, task_type):
        # Every (row, class) becomes a binary row [1 - p, p]; average the class scores per row.
        per_class = proba.reshape(-1)
        binary = np.stack([1 - per_class, per_class], axis=1)
        return _single_label_scores(strategy, binary).reshape(proba.shape).mean(axis=1)
    return _single_label_scores(strategy, proba)


def select_batch(
    strategy: Strategy | str,
    proba: np.ndarray,
    embeddings: np.ndarray | None,
    k: int,
    *,
    seed: int = 0,
    candidate_factor: int = 3,
    task_type: str | None = None,
) -> np.ndarray:
    """Row indices (int64, distinct, ``min(k, n)`` of them, best first) to label next.

    ``hybrid`` takes the ``k * candidate_factor`` rows with the highest margin score, clusters
    their ``embeddings`` into ``k`` groups with k-means and returns the most uncertain row of
    each group (topping up from the next most uncertain rows if k-means finds fewer than ``k``
    distinct groups). A factor of 3 measured best in benchmarks/active_learning.py (SMS spam and
    Davidson, batches of 10): 10 traded too much uncertainty for diversity and lost ROC AUC at
    100-1,000 labels. The other strategies return the ``k`` highest ``priorities``; exact ties
    are broken by a seeded shuffle so equal rows are not always taken in storage order.
    """
    strategy = _concrete(strategy)
    proba = _as_proba(proba)
    n = proba.shape[0]
    k = min(int(k), n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    scores = priorities(strategy, proba, seed=seed, task_type=task_type)
    if strategy is not Strategy.HYBRID:
        return _top(scores, k, seed=seed)
    if embeddings is None:
        raise ValueError("the hybrid strategy needs the rows' embeddings")
    embeddings = np.asarray(embeddings)
    if embeddings.shape[0] != n:
        raise ValueError(f"{n} probability rows but {embeddings.shape[0]} embeddings")
    candidates = _top(scores, min(n, k * max(1, int(candidate_factor))), seed=seed)
    if len(candidates) <= k:
        return candidates
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # Fewer distinct points than k (duplicates) is handled below by topping up.
        warnings.simplefilter("ignore", ConvergenceWarning)
        clusters = KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(
            np.asarray(embeddings[candidates], dtype=np.float32)
        )
    # candidates are ordered best first, so the first hit of each cluster is its most uncertain.
    _, first = np.unique(clusters, return_index=True)
    chosen = candidates[np.sort(first)]
    if len(chosen) < k:  # k-means found fewer distinct groups (duplicate embeddings)
        rest = candidates[~np.isin(candidates, chosen)]
        chosen = np.concatenate([chosen, rest[: k - len(chosen)]])
    return chosen.astype(np.int64)


def cold_start(embeddings: np.ndarray, k: int, *, seed: int = 0) -> np.ndarray:
    """``min(k, n)`` diverse rows (int64, distinct) for a pool without a model yet.

    Greedy farthest-point sampling in cosine distance: first the row closest to the mean
    direction (a typical item), then repeatedly the row farthest from everything chosen so far.
    ``seed`` breaks exact ties (duplicate rows).

    Rows are processed in blocks with lazily refreshed distances: a block's stored minimum
    distances only ever shrink as rows are chosen, so its largest stored value is an upper
    bound, and a block is brought up to date only when that bound could hold the next pick. The
    result is exactly the greedy choice while most steps touch only a few blocks, which keeps a
    million 384-dimensional rows to a few seconds.
    """
    embeddings = np.asarray(embeddings)
    if embeddings.ndim != 2:
        raise ValueError(f"embeddings must be a matrix, got shape {embeddings.shape}")
    k = min(int(k), embeddings.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    with single_threaded_blas():
        return _FarthestPoints(embeddings, seed=seed).select(k)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _concrete(strategy: Strategy | str) -> Strategy:
    strategy = Strategy(strategy)
    if strategy is Strategy.ADAPTIVE:
        raise ValueError("adaptive is resolved to an arm first (models_app.ml.adaptive)")
    return strategy


def _as_proba(proba: np.ndarray) -> np.ndarray:
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2:
        raise ValueError(f"probabilities must be a (rows, classes) matrix, got {proba.shape}")
    return proba


def _is_multilabel(proba: np.ndarray, task_type: str | None) -> bool:
    if task_type is not None:
        return task_type == "multilabel"
    return proba.shape[1] == 1 or not np.allclose(proba.sum(axis=1), 1.0, atol=1e-6)


def _single_label_scores(strategy: Strategy, proba: np.ndarray) -> np.ndarray:
    from modAL.uncertainty import classifier_entropy, classifier_margin, classifier_uncertainty

    model, rows = _Precomputed(proba), np.arange(proba.shape[0])
    if strategy is Strategy.UNCERTAINTY:
        scores = classifier_uncertainty(model, rows)
    elif strategy is Strategy.MARGIN:
        scores = 1.0 - classifier_margin(model, rows)
    elif strategy is Strategy.ENTROPY:
        scores = classifier_entropy(model, rows)
    else:  # pragma: no cover - RANDOM and HYBRID are resolved by the caller
        raise ValueError(f"no uncertainty measure for {strategy}")
    return np.asarray(scores, dtype=np.float64)


def _top(scores: np.ndarray, k: int, *, seed: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first; exact ties in seeded random order."""
    n = scores.shape[0]
    k = min(k, n)
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if k < n:
        # Everything scoring at least the k-th best competes, so ties at the cut are included.
        cut = np.partition(scores, n - k)[n - k]
        pool = np.flatnonzero(scores >= cut)
    else:
        pool = np.arange(n)
    tie_break = np.random.default_rng(seed).random(pool.size)
    order = np.lexsort((tie_break, -scores[pool]))
    return pool[order[:k]].astype(np.int64)


class _FarthestPoints:
    """State of the lazy greedy farthest-point search used by ``cold_start``."""

    block_rows = 2048

    def __init__(self, embeddings: np.ndarray, *, seed: int) -> None:
        if embeddings.dtype not in (np.float32, np.float64):
            embeddings = embeddings.astype(np.float32)
        self.X = embeddings
        self.n = embeddings.shape[0]
        self.rng = np.random.default_rng(seed)
        self.starts = np.arange(0, self.n, self.block_rows)
        # Inverse row norms: cosine without normalising (copying) the whole matrix.
        squared = np.empty(self.n, dtype=np.float64)
        for start in self.starts:
            rows = embeddings[start : start + self.block_rows]
            squared[start : start + len(rows)] = np.einsum("ij,ij->i", rows, rows)
        norms = np.sqrt(squared)
        self.inverse_norms = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        self.inverse_norms = self.inverse_norms.astype(embeddings.dtype)
        self.min_distance = np.full(self.n, np.inf, dtype=embeddings.dtype)
        # An all-zero row carries no information: distance 0 keeps it for last.
        self.min_distance[norms == 0] = 0.0
        self.block_bound = np.full(len(self.starts), np.inf)
        self.block_seen = np.zeros(len(self.starts), dtype=np.int64)  # centres applied so far
        self.centres = np.empty((0, embeddings.shape[1]), dtype=embeddings.dtype)  # unit rows
        self.n_centres = 0

    def select(self, k: int) -> np.ndarray:
        self.centres = np.empty((k, self.X.shape[1]), dtype=self.X.dtype)
        self.n_centres = 0
        chosen = [self._closest_to_mean()]
        self._add(chosen[0])
        while len(chosen) < k:
            row = self._farthest()
            chosen.append(row)
            self._add(row)
        return np.asarray(chosen, dtype=np.int64)

    def _closest_to_mean(self) -> int:
        mean = (self.inverse_norms @ self.X).astype(np.float64)
        if not np.any(mean):
            return 0
        mean /= np.linalg.norm(mean)
        best_row, best_similarity = 0, -np.inf
        for start in self.starts:
            rows = self.X[start : start + self.block_rows]
            similarity = (rows @ mean.astype(self.X.dtype)) * self.inverse_norms[
                start : start + len(rows)
            ]
            row = int(np.argmax(similarity))
            if similarity[row] > best_similarity:
                best_row, best_similarity = int(start) + row, float(similarity[row])
        return best_row

    def _add(self, row: int) -> None:
        self.centres[self.n_centres] = self.X[row] * self.inverse_norms[row]
        self.n_centres += 1
        self.min_distance[row] = -np.inf  # never chosen twice

    def _farthest(self) -> int:
        while True:
            block = int(np.argmax(self.block_bound))
            if self.block_seen[block] == self.n_centres:
                break  # up to date, and its best beats every other block's upper bound
            self._refresh(block)
        start = self.starts[block]
        values = self.min_distance[start : start + self.block_rows]
        best = np.flatnonzero(values == values.max())
        # The block's bound stays as it is: still an upper bound, and the block is refreshed
        # (the new centre applied) before it can be picked from again.
        return start + int(best[0] if best.size == 1 else self.rng.choice(best))

    def _refresh(self, block: int) -> None:
        start = self.starts[block]
        rows = self.X[start : start + self.block_rows]
        pending = self.centres[self.block_seen[block] : self.n_centres]
        # Matrix-vector products beat a skinny matrix product for a few pending centres.
        if len(pending) <= 4:
            similarity = rows @ pending[0]
            for centre in pending[1:]:
                np.maximum(similarity, rows @ centre, out=similarity)
        else:
            similarity = (rows @ pending.T).max(axis=1)
        similarity *= self.inverse_norms[start : start + len(rows)]
        values = self.min_distance[start : start + len(rows)]
        np.minimum(values, 1 - similarity, out=values)
        self.block_seen[block] = self.n_centres
        self.block_bound[block] = values.max()
