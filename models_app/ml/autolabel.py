"""Choosing a confidence threshold for automatic labels from a human audit.

People audit a random sample of the model's proposals (``correct`` says whether each proposal was
right). Acting automatically on every item whose confidence is at least ``t`` is safe when the
precision of the audited items at or above ``t`` is high *with confidence*: its one-sided
Clopper-Pearson lower bound must reach the target. Among the thresholds that qualify, the lowest
(the most items automated) wins.

Scanning many thresholds and keeping the best is itself a selection, so the bound is slightly
optimistic for the winner; ``min_above`` keeps tiny, lucky tails from qualifying, and a fresh
audit of the automated items is the way to confirm a threshold in production.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float | None  # act on items with confidence >= threshold; None: no safe threshold
    precision: float | None  # audited precision at or above the threshold
    ci_low: float | None  # one-sided (1 - alpha) Clopper-Pearson lower bound on that precision
    ci_high: float | None  # one-sided (1 - alpha) upper bound
    n_above: int  # audited items at or above the threshold
    n_audit: int  # audited items in total


def clopper_pearson(
    successes: np.ndarray, trials: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided ``(1 - alpha)`` lower and upper Clopper-Pearson bounds, elementwise."""
    from scipy.stats import beta

    successes = np.asarray(successes, dtype=np.float64)
    trials = np.asarray(trials, dtype=np.float64)
    failures = trials - successes
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(successes > 0, beta.ppf(alpha, successes, failures + 1), 0.0)
        high = np.where(failures > 0, beta.ppf(1 - alpha, successes + 1, failures), 1.0)
    return low, high


def choose_threshold(
    confidence: np.ndarray,
    correct: np.ndarray,
    *,
    target_precision: float = 0.95,
    alpha: float = 0.05,
    min_above: int = 20,
) -> ThresholdChoice:
    """The lowest confidence threshold whose audited precision is at least ``target_precision``
    with probability ``1 - alpha`` (one-sided Clopper-Pearson lower bound), counting only
    thresholds with at least ``min_above`` audited items at or above them.

    Candidate thresholds are the distinct audited confidences. Returns a ``ThresholdChoice``
    with ``threshold=None`` (and no precision or bounds) when none qualifies.
    """
    confidence = np.asarray(confidence, dtype=np.float64).ravel()
    correct = np.asarray(correct).ravel().astype(bool)
    if confidence.shape != correct.shape:
        raise ValueError(f"{confidence.size} confidences but {correct.size} audit outcomes")
    if not np.isfinite(confidence).all():
        raise ValueError("confidences must be finite numbers")
    if not 0 < target_precision <= 1 or not 0 < alpha < 1:
        raise ValueError("target_precision must be in (0, 1] and alpha in (0, 1)")
    n_audit = int(confidence.size)
    none = ThresholdChoice(None, None, None, None, 0, n_audit)
    if n_audit == 0:
        return none

    order = np.argsort(-confidence, kind="stable")
    sorted_confidence = confidence[order]
    hits = np.cumsum(correct[order])
    # The last position of each distinct confidence: items at or above it are the prefix.
    last = np.flatnonzero(np.r_[sorted_confidence[1:] != sorted_confidence[:-1], True])
    above = last + 1
    enough = above >= max(1, int(min_above))
    if not enough.any():
        return none
    last, above = last[enough], above[enough]
    successes = hits[last]
    low, high = clopper_pearson(successes, above, alpha)
    qualifying = np.flatnonzero(low >= target_precision)
    if qualifying.size == 0:
        return none
    best = qualifying[-1]  # positions run from high confidence to low: the last is the lowest
    return ThresholdChoice(
        threshold=float(sorted_confidence[last[best]]),
        precision=float(successes[best] / above[best]),
        ci_low=float(low[best]),
        ci_high=float(high[best]),
        n_above=int(above[best]),
        n_audit=n_audit,
    )
