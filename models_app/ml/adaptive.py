"""The ``adaptive`` strategy: choose the query strategy by its measured effect on the dev split.

Which strategy helps most depends on the task: uncertainty sampling (entropy) and ``hybrid``
learn fastest on clean, separable tasks such as spam, while on subjective, noisy tasks the most
uncertain items are often the ones annotators disagree on, and random picks can teach more.
No single order wins everywhere, so each training run measures the arms on the project's own
labels and picks one:

**Replay.** The labeled training rows stand in for a small pool. From a random, stratified
start of a fifth of them, each arm (``hybrid``, ``entropy``, ``random``) picks batches out of the
rest, as it would have from the real pool, a cheap logistic regression is refit after every
batch, and its ROC AUC on the dev split's labels is recorded. An arm's score is the mean AUC
over its replay curve (the area under it), averaged over a few seeded repeats. The best arm is
chosen only when it beats ``hybrid`` (the prior) by more than ``ADAPTIVE_MARGIN``; below
``ADAPTIVE_MIN_LABELS`` training labels, or with fewer than ``ADAPTIVE_MIN_DEV_PER_CLASS`` dev
labels of each of two classes, there is nothing reliable to measure and ``hybrid`` is kept.

Everything is seeded (same inputs and seed, same choice) and bounded: at most
``ADAPTIVE_MAX_REPLAY_ROWS`` labeled rows take part, so the choice costs about a second on one
core whatever the project's size.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from models_app.ml import single_threaded_blas
from models_app.ml.strategies import Strategy, select_batch

# The arms, prior first: kept unless another arm measures better by more than the margin.
ADAPTIVE_ARMS = (Strategy.HYBRID, Strategy.ENTROPY, Strategy.RANDOM)
ADAPTIVE_PRIOR = Strategy.HYBRID
ADAPTIVE_MARGIN = 0.002
ADAPTIVE_MIN_LABELS = 40
ADAPTIVE_MIN_DEV_PER_CLASS = 3
ADAPTIVE_MAX_REPLAY_ROWS = 500
ADAPTIVE_REPEATS = 2
ADAPTIVE_STEPS = 4  # batches each arm picks in a replay
_REPLAY_C = 2.0  # the inverse regularisation of models_app.ml.classifiers.fit.DEFAULT_C


@dataclass(frozen=True)
class ArmChoice:
    """Which arm orders the queue, and the measurement behind it.

    ``scores``: each arm's mean dev ROC AUC over its replay curves (empty when nothing was
    measured); ``reason``: one sentence for people.
    """

    arm: Strategy
    reason: str
    labels: int
    dev_labels: int
    scores: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"arm": self.arm.value}


def choose_arm(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_dev: np.ndarray,
    y_dev: np.ndarray,
    *,
    seed: int = 0,
    task_type: str = "binary",
) -> ArmChoice:
    """The arm whose replay on the labeled rows gives the best dev ROC AUC (see module doc).

    ``y_train`` and ``y_dev`` are class indices (one per row, single-label tasks). Multilabel
    projects keep the prior: their per-class scores have no single replay curve yet.
    """
    x_train, x_dev = np.asarray(x_train), np.asarray(x_dev)
    y_train, y_dev = np.asarray(y_train, dtype=np.int64), np.asarray(y_dev, dtype=np.int64)
    n, n_dev = len(y_train), len(y_dev)

    def keep(reason: str) -> ArmChoice:
        return ArmChoice(ADAPTIVE_PRIOR, reason, labels=n, dev_labels=n_dev)

    if task_type == "multilabel":
        return keep("multilabel projects keep hybrid (no replay for per-class labels yet)")
    if n < ADAPTIVE_MIN_LABELS:
        return keep(f"{n} training labels, fewer than {ADAPTIVE_MIN_LABELS} to replay: hybrid")
    dev_classes, dev_counts = np.unique(y_dev, return_counts=True)
    measurable = dev_classes[dev_counts >= ADAPTIVE_MIN_DEV_PER_CLASS]
    if len(measurable) < 2:
        return keep(
            f"fewer than {ADAPTIVE_MIN_DEV_PER_CLASS} dev labels in each of two classes "
            f"({n_dev} dev labels): hybrid"
        )
    if len(np.unique(y_train)) < 2:
        return keep("the training labels have one class: hybrid")

    with single_threaded_blas():
        scores = _replay_scores(x_train, y_train, x_dev, y_dev, seed=seed)
    if not scores:
        return keep("the replay could not be measured: hybrid")
    prior = scores[ADAPTIVE_PRIOR.value]
    best = max(scores, key=lambda arm: (scores[arm], arm == ADAPTIVE_PRIOR.value))
    measured = ", ".join(f"{arm} {value:.3f}" for arm, value in scores.items())
    if best != ADAPTIVE_PRIOR.value and scores[best] - prior > ADAPTIVE_MARGIN:
        arm = Strategy(best)
        reason = f"{best} measured best on {n_dev} dev labels (mean replay ROC AUC {measured})"
    else:
        arm = ADAPTIVE_PRIOR
        reason = (
            f"no arm beat hybrid by more than {ADAPTIVE_MARGIN} on {n_dev} dev labels "
            f"(mean replay ROC AUC {measured})"
        )
    return ArmChoice(arm, reason, labels=n, dev_labels=n_dev, scores=scores)


def _replay_scores(
    x_train: np.ndarray, y_train: np.ndarray, x_dev: np.ndarray, y_dev: np.ndarray, *, seed: int
) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    rows = np.arange(len(y_train))
    if len(rows) > ADAPTIVE_MAX_REPLAY_ROWS:
        rows = np.sort(rng.choice(rows, ADAPTIVE_MAX_REPLAY_ROWS, replace=False))
    x, y = np.asarray(x_train[rows], dtype=np.float64), y_train[rows]
    x_dev = np.asarray(x_dev, dtype=np.float64)
    classes = np.unique(y)
    totals: dict[str, list[float]] = {arm.value: [] for arm in ADAPTIVE_ARMS}
    start_n = max(len(classes) * 2, len(y) // 5)
    batch = max(1, (len(y) * 2 // 5) // ADAPTIVE_STEPS)
    for repeat in range(ADAPTIVE_REPEATS):
        start = _stratified_start(y, start_n, np.random.default_rng([seed, repeat]))
        first = _fit(x[start], y[start])  # every arm starts from the same model
        for arm in ADAPTIVE_ARMS:
            curve = _replay(x, y, x_dev, y_dev, start, first, arm, batch, seed=seed + repeat)
            if curve is None:
                return {}
            totals[arm.value].append(float(np.mean(curve)))
    return {arm: round(float(np.mean(values)), 4) for arm, values in totals.items()}


def _stratified_start(y: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random rows with at least two of every class (one when a class has one row)."""
    chosen = [
        rng.choice(np.flatnonzero(y == c), min(2, int((y == c).sum())), replace=False)
        for c in np.unique(y)
    ]
    start = np.concatenate(chosen)
    rest = np.setdiff1d(np.arange(len(y)), start)
    extra = rng.choice(rest, max(0, min(len(rest), n - len(start))), replace=False)
    return np.concatenate([start, extra]).astype(np.int64)


def _replay(
    x: np.ndarray,
    y: np.ndarray,
    x_dev: np.ndarray,
    y_dev: np.ndarray,
    start: np.ndarray,
    model: Any,
    arm: Strategy,
    batch: int,
    *,
    seed: int,
) -> list[float] | None:
    """Dev ROC AUC after each of ``ADAPTIVE_STEPS`` batches ``arm`` picks from the labeled rows."""
    labeled = np.zeros(len(y), dtype=bool)
    labeled[start] = True
    curve: list[float] = []
    model = copy.deepcopy(model)  # refit warm: each fit starts from the last one's weights
    for step in range(ADAPTIVE_STEPS):
        rest = np.flatnonzero(~labeled)
        if not len(rest):
            break
        if arm is Strategy.RANDOM:  # needs no probabilities
            proba = np.zeros((len(rest), 2))
        else:
            proba = _full_proba(model, x[rest], y)
        picks = select_batch(arm, proba, x[rest], batch, seed=seed * 31 + step)
        labeled[rest[picks]] = True
        # The model after this batch is measured, and picks the next batch.
        model.fit(x[labeled], y[labeled])
        dev_auc = _auc(model, x_dev, y_dev, y)
        if dev_auc is None:
            return None
        curve.append(dev_auc)
    return curve


def _fit(x: np.ndarray, y: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=_REPLAY_C, class_weight="balanced", max_iter=300, warm_start=True
    ).fit(x, y)


def _full_proba(model: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Probabilities over every class of ``y`` (a class missing from the fit gets 0)."""
    classes = np.unique(y)
    proba = np.zeros((len(x), len(classes)), dtype=np.float64)
    proba[:, np.searchsorted(classes, model.classes_)] = model.predict_proba(x)
    return proba


def _auc(model: Any, x_dev: np.ndarray, y_dev: np.ndarray, y: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    proba = _full_proba(model, x_dev, y)
    classes = np.unique(y)
    present = np.isin(classes, y_dev)
    if present.sum() < 2:
        return None
    try:
        if len(classes) == 2:
            return float(roc_auc_score(y_dev == classes[1], proba[:, 1]))
        # Macro one-vs-rest over the classes the dev split has.
        scores = [
            roc_auc_score(y_dev == c, proba[:, i])
            for i, c in enumerate(classes)
            if present[i] and (y_dev != c).any()
        ]
        return float(np.mean(scores))
    except ValueError:
        return None
