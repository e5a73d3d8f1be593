"""Evaluation metrics agree with scikit-learn and behave on edge cases."""

import json

import numpy as np
import pytest
from sklearn import metrics as sk

from models_app.ml.metrics import evaluate, expected_calibration_error


def test_binary_metrics_match_scikit_learn_on_a_hand_example():
    classes = ["ham", "spam"]
    spam_probability = np.array([0.9, 0.2, 0.6, 0.4, 0.1, 0.8, 0.3, 0.55])
    truth = np.array([1, 0, 0, 1, 0, 1, 0, 1])
    proba = np.stack([1 - spam_probability, spam_probability], axis=1)
    labels = [[classes[t]] for t in truth]

    result = evaluate(proba, labels, classes=classes, task_type="binary")

    predicted = (spam_probability > 0.5).astype(int)
    assert result["n"] == 8
    assert result["roc_auc"] == pytest.approx(sk.roc_auc_score(truth, spam_probability))
    assert result["accuracy"] == pytest.approx(sk.accuracy_score(truth, predicted))
    assert result["f1_macro"] == pytest.approx(sk.f1_score(truth, predicted, average="macro"))
    per_class = sk.f1_score(truth, predicted, average=None)
    assert result["f1_per_class"] == pytest.approx(dict(zip(classes, per_class, strict=True)))
    assert result["confusion_matrix"] == sk.confusion_matrix(truth, predicted).tolist()
    assert result["label_counts"] == {"ham": 4, "spam": 4}
    json.dumps(result)  # stored as JSON on the model version


def test_multiclass_metrics_match_scikit_learn():
    rng = np.random.default_rng(0)
    classes = ["a", "b", "c"]
    truth = rng.integers(0, 3, 60)
    proba = rng.dirichlet([1, 1, 1], size=60)
    proba[np.arange(60), truth] += 0.5
    proba /= proba.sum(axis=1, keepdims=True)

    result = evaluate(proba, [[classes[t]] for t in truth], classes=classes, task_type="multiclass")

    predicted = proba.argmax(axis=1)
    assert result["roc_auc"] == pytest.approx(
        sk.roc_auc_score(truth, proba, multi_class="ovr", average="macro")
    )
    assert result["f1_macro"] == pytest.approx(sk.f1_score(truth, predicted, average="macro"))
    assert result["accuracy"] == pytest.approx(sk.accuracy_score(truth, predicted))
    assert result["confusion_matrix"] == sk.confusion_matrix(truth, predicted).tolist()


def test_roc_auc_is_none_when_only_one_class_is_labeled():
    proba = np.array([[0.8, 0.2], [0.3, 0.7]])

    result = evaluate(proba, [["ham"], ["ham"]], classes=["ham", "spam"], task_type="binary")

    assert result["roc_auc"] is None
    assert result["accuracy"] == 0.5


def test_rows_without_a_known_label_are_left_out():
    proba = np.array([[0.8, 0.2], [0.3, 0.7], [0.5, 0.5]])

    result = evaluate(
        proba, [["ham"], ["spam"], ["unknown"]], classes=["ham", "spam"], task_type="binary"
    )

    assert result["n"] == 2
    assert result["accuracy"] == 1.0


def test_no_usable_rows_gives_empty_scores():
    result = evaluate(np.zeros((0, 2)), [], classes=["ham", "spam"], task_type="binary")

    assert result["n"] == 0
    assert result["accuracy"] is None
    assert result["roc_auc"] is None
    assert result["label_counts"] == {"ham": 0, "spam": 0}


def test_multilabel_metrics_match_scikit_learn():
    rng = np.random.default_rng(1)
    classes = ["violence", "spam", "nudity"]
    truth = rng.random((80, 3)) < [0.3, 0.5, 0.2]
    proba = np.clip(truth * 0.6 + rng.random((80, 3)) * 0.5, 0, 1)
    labels = [[c for c, on in zip(classes, row, strict=True) if on] for row in truth]

    result = evaluate(proba, labels, classes=classes, task_type="multilabel")

    predicted = proba >= 0.5
    assert result["n"] == 80
    assert result["roc_auc"] == pytest.approx(sk.roc_auc_score(truth, proba, average="macro"))
    assert result["f1_macro"] == pytest.approx(sk.f1_score(truth, predicted, average="macro"))
    assert result["accuracy"] == pytest.approx(sk.accuracy_score(truth, predicted))
    assert result["confusion_matrix"] is None
    assert result["label_counts"] == dict(zip(classes, truth.sum(axis=0).tolist(), strict=True))
    assert 0 <= result["ece"] <= 1


def test_ece_of_calibrated_probabilities_is_small_and_of_overconfident_ones_large():
    rng = np.random.default_rng(2)
    spam_probability = rng.random(20_000)
    truth = rng.random(20_000) < spam_probability  # spam exactly as often as predicted
    labels = [["spam"] if t else ["ham"] for t in truth]
    calibrated = np.stack([1 - spam_probability, spam_probability], axis=1)
    overconfident = (calibrated > 0.5).astype(float) * 0.98 + 0.01

    good = evaluate(calibrated, labels, classes=["ham", "spam"], task_type="binary")
    bad = evaluate(overconfident, labels, classes=["ham", "spam"], task_type="binary")

    assert good["ece"] < 0.02
    assert bad["ece"] > 0.15


def test_ece_by_hand():
    # bin (0.5, 0.6]: confidence 0.55 twice, one right -> |0.5 - 0.55| * 2/4
    # bin (0.9, 1.0]: confidence 0.95 twice, both right -> |1.0 - 0.95| * 2/4
    ece = expected_calibration_error(
        np.array([0.55, 0.55, 0.95, 0.95]), np.array([True, False, True, True])
    )

    assert ece == pytest.approx(0.05)
