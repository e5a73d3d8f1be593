"""Training: ``fit_classifier``, a class-balanced logistic regression calibrated with one
temperature, returned in the logit layout ``trained`` describes."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from models_app.ml import single_threaded_blas
from models_app.ml.classifiers.trained import ALGORITHM, TASK_TYPES, TrainedClassifier

# Logit given to a class with no training examples (multiclass): after the temperature (at most
# _TEMPERATURE_BOUNDS[1]) it is still about -500, a probability of ~1e-217.
ABSENT_CLASS_LOGIT = -1.0e4
_TEMPERATURE_BOUNDS = (0.05, 20.0)
_CALIBRATION_FOLDS = 3
# Inverse regularisation strength, chosen with benchmarks/active_learning.py (C in 1, 1.5, 2, 4):
# C=2 had the best worst case against the baseline over SMS spam and Davidson at 50-1,000
# labels, and a higher whole-pool ROC AUC than C=1 (SMS 0.9958 vs 0.9951, Davidson 0.9689 vs
# 0.9686).
DEFAULT_C = 2.0


class NotEnoughLabels(ValueError):
    """The labels cannot train a classifier yet (e.g. only one class has examples)."""


def fit_classifier(
    X: np.ndarray,
    labels: Sequence[Sequence[str]],
    *,
    classes: list[str],
    task_type: str,
    seed: int = 0,
    C: float = DEFAULT_C,
) -> TrainedClassifier:
    """Train a class-balanced, temperature-calibrated logistic regression on ``X``.

    ``labels[i]`` holds the class names of row ``i``. Names not in ``classes`` are ignored. For
    binary and multiclass the first known name is the row's class and rows with none are left
    out; for multilabel every row counts and a class missing from it is a negative.

    Raises ``NotEnoughLabels`` when fewer than two classes have examples (binary, multiclass) or
    when no class is both present in some rows and absent from others (multilabel).
    """
    if task_type not in TASK_TYPES:
        raise ValueError(f"unknown task type {task_type!r}; expected one of {TASK_TYPES}")
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise ValueError(f"classes must be at least two distinct names, got {classes!r}")
    if task_type == "binary" and len(classes) != 2:
        raise ValueError(f"a binary task has exactly two classes, got {len(classes)}")
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] != len(labels):
        raise ValueError(f"X has shape {X.shape} but there are {len(labels)} label lists")
    X = X.astype(np.float64, copy=False)
    hyperparameters: dict[str, Any] = {
        "C": float(C),
        "class_weight": "balanced",
        "solver": "lbfgs",
        "max_iter": 1000,
        "seed": int(seed),
    }
    with single_threaded_blas():
        if task_type == "multilabel":
            return _fit_multilabel(X, labels, classes=classes, hp=hyperparameters)
        return _fit_single_label(
            X, labels, classes=classes, task_type=task_type, hp=hyperparameters
        )


# --------------------------------------------------------------------------------------------
# Binary / multiclass
# --------------------------------------------------------------------------------------------


def _fit_single_label(
    X: np.ndarray,
    labels: Sequence[Sequence[str]],
    *,
    classes: list[str],
    task_type: str,
    hp: dict[str, Any],
) -> TrainedClassifier:
    index = {name: i for i, name in enumerate(classes)}
    rows, targets = [], []
    for row, names in enumerate(labels):
        known = next((index[name] for name in _names(names) if name in index), None)
        if known is not None:
            rows.append(row)
            targets.append(known)
    y = np.asarray(targets, dtype=np.int64)
    counts = Counter(targets)
    if len(counts) < 2:
        raise NotEnoughLabels(_not_enough_message(classes, counts))
    X = X[np.asarray(rows, dtype=np.int64)]
    present = np.array(sorted(counts))

    def expand(model: Any) -> tuple[np.ndarray, np.ndarray]:
        return _single_label_layout(model, present, len(classes), task_type)

    coef, intercept = expand(_logistic(hp).fit(X, y))

    temperature, calibration = 1.0, "none: fewer than 3 examples of some class"
    if min(counts.values()) >= _CALIBRATION_FOLDS:
        from sklearn.model_selection import StratifiedKFold

        folds = StratifiedKFold(_CALIBRATION_FOLDS, shuffle=True, random_state=hp["seed"])
        oof = np.empty((len(y), coef.shape[0]), dtype=np.float64)
        for train, held_out in folds.split(X, y):
            fold_coef, fold_intercept = expand(_logistic(hp).fit(X[train], y[train]))
            oof[held_out] = X[held_out] @ fold_coef.T + fold_intercept
        if task_type == "binary":
            oof = np.concatenate([np.zeros_like(oof), oof], axis=1)
        temperature = _fit_temperature(lambda t: _softmax_nll(oof / t, y))
        calibration = f"temperature on {_CALIBRATION_FOLDS}-fold out-of-fold logits"

    hp |= {
        "calibration": calibration,
        "n_train": len(y),
        "class_counts": {name: counts.get(i, 0) for i, name in enumerate(classes)},
    }
    return TrainedClassifier(
        classes=list(classes),
        task_type=task_type,
        algorithm=ALGORITHM,
        coef=coef,
        intercept=intercept,
        temperature=temperature,
        hyperparameters=hp,
    )


def _single_label_layout(
    model: Any, present: np.ndarray, n_classes: int, task_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """Place a fitted model's coefficients in the task's layout.

    scikit-learn fits on the classes present only (``present``, sorted indices into
    ``classes``): one logit row when two are present, one per class otherwise. Absent classes
    get zero weights and ABSENT_CLASS_LOGIT.
    """
    fitted_coef = np.asarray(model.coef_, dtype=np.float64)
    fitted_intercept = np.asarray(model.intercept_, dtype=np.float64)
    if task_type == "binary":
        return fitted_coef.copy(), fitted_intercept.copy()
    coef = np.zeros((n_classes, fitted_coef.shape[1]), dtype=np.float64)
    intercept = np.full(n_classes, ABSENT_CLASS_LOGIT, dtype=np.float64)
    if len(present) == 2:
        # softmax([0, z]) == [1 - sigmoid(z), sigmoid(z)]: the binary model, exactly.
        intercept[present[0]] = 0.0
        coef[present[1]] = fitted_coef[0]
        intercept[present[1]] = fitted_intercept[0]
    else:
        coef[present] = fitted_coef
        intercept[present] = fitted_intercept
    return coef, intercept


# --------------------------------------------------------------------------------------------
# Multilabel
# --------------------------------------------------------------------------------------------


def _fit_multilabel(
    X: np.ndarray,
    labels: Sequence[Sequence[str]],
    *,
    classes: list[str],
    hp: dict[str, Any],
) -> TrainedClassifier:
    index = {name: i for i, name in enumerate(classes)}
    Y = np.zeros((len(labels), len(classes)), dtype=bool)
    for row, names in enumerate(labels):
        for name in _names(names):
            if name in index:
                Y[row, index[name]] = True
    positives = Y.sum(axis=0)
    negatives = len(Y) - positives
    learnable = (positives > 0) & (negatives > 0)
    if not learnable.any():
        raise NotEnoughLabels(
            "multilabel training needs a class that some items have and others lack; "
            f"so far {len(Y)} labeled item(s), "
            + ", ".join(f"{name!r} on {int(n)}" for name, n in zip(classes, positives, strict=True))
        )
    coef = np.zeros((len(classes), X.shape[1]), dtype=np.float64)
    # A class every item has (or none has) cannot be learned: predict its smoothed frequency.
    prior = (positives + 0.5) / (len(Y) + 1.0)
    intercept = np.log(prior) - np.log1p(-prior)
    for j in np.flatnonzero(learnable):
        model = _logistic(hp).fit(X, Y[:, j])
        coef[j] = model.coef_[0]
        intercept[j] = model.intercept_[0]

    calibrated = np.flatnonzero(
        (positives >= _CALIBRATION_FOLDS) & (negatives >= _CALIBRATION_FOLDS)
    )
    temperature, calibration = 1.0, "none: no class with 3 positive and 3 negative examples"
    if calibrated.size:
        from sklearn.model_selection import StratifiedKFold

        folds = StratifiedKFold(_CALIBRATION_FOLDS, shuffle=True, random_state=hp["seed"])
        oof = np.empty((len(Y), calibrated.size), dtype=np.float64)
        for column, j in enumerate(calibrated):
            for train, held_out in folds.split(X, Y[:, j]):
                model = _logistic(hp).fit(X[train], Y[train, j])
                oof[held_out, column] = model.decision_function(X[held_out])
        targets = Y[:, calibrated]
        temperature = _fit_temperature(lambda t: _sigmoid_nll(oof / t, targets))
        calibration = f"temperature on {_CALIBRATION_FOLDS}-fold out-of-fold logits"

    hp |= {
        "calibration": calibration,
        "n_train": len(Y),
        "class_counts": {name: int(n) for name, n in zip(classes, positives, strict=True)},
    }
    return TrainedClassifier(
        classes=list(classes),
        task_type="multilabel",
        algorithm=ALGORITHM,
        coef=coef,
        intercept=intercept.astype(np.float64),
        temperature=temperature,
        hyperparameters=hp,
    )


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _names(names: Sequence[str] | str) -> Sequence[str]:
    # A bare string is one label, not a sequence of one-character labels.
    return [names] if isinstance(names, str) else names


def _not_enough_message(classes: list[str], counts: Counter[int]) -> str:
    if not counts:
        return f"needs labels of at least two classes; none of {classes!r} labeled so far"
    only = ", ".join(repr(classes[i]) for i in sorted(counts))
    return f"needs labels of at least two classes; only {only} so far"


def _logistic(hp: dict[str, Any]) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=hp["C"],
        class_weight=hp["class_weight"],
        solver=hp["solver"],
        max_iter=hp["max_iter"],
        random_state=hp["seed"],
    )


def _fit_temperature(nll: Any) -> float:
    """The T in _TEMPERATURE_BOUNDS minimising ``nll(T)``, searched on log T."""
    from scipy.optimize import minimize_scalar

    low, high = (math.log(bound) for bound in _TEMPERATURE_BOUNDS)
    result = minimize_scalar(
        lambda log_t: nll(math.exp(log_t)), bounds=(low, high), method="bounded"
    )
    best = math.exp(float(result.x))
    # Never return a temperature that fits the held-out logits worse than leaving them alone.
    return best if nll(best) < nll(1.0) else 1.0


def _softmax_nll(logits: np.ndarray, y: np.ndarray) -> float:
    from scipy.special import logsumexp

    return float(np.mean(logsumexp(logits, axis=1) - logits[np.arange(len(y)), y]))


def _sigmoid_nll(logits: np.ndarray, targets: np.ndarray) -> float:
    # -log sigmoid(z) = logaddexp(0, -z); -log(1 - sigmoid(z)) = logaddexp(0, z)
    signed = np.where(targets, -logits, logits)
    return float(np.mean(np.logaddexp(0.0, signed)))
