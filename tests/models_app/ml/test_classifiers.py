"""Logistic-regression heads: accuracy on real data, calibration, safe artifacts."""

import dataclasses
import io

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from models_app.ml import single_threaded_blas
from models_app.ml.classifiers.fit import DEFAULT_C, NotEnoughLabels, fit_classifier
from models_app.ml.classifiers.trained import TrainedClassifier

DIGITS = [str(d) for d in range(10)]


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    X = data.data / 16.0
    return train_test_split(X, data.target, test_size=0.3, random_state=0, stratify=data.target)


@pytest.fixture(scope="module")
def digits_model(digits):
    X_train, _, y_train, _ = digits
    return fit_classifier(
        X_train, [[str(d)] for d in y_train], classes=DIGITS, task_type="multiclass"
    )


def test_multiclass_model_recognises_held_out_digits(digits, digits_model):
    _, X_test, _, y_test = digits

    proba = digits_model.predict_proba(X_test)

    assert proba.dtype == np.float64
    assert proba.shape == (len(y_test), 10)
    assert np.allclose(proba.sum(axis=1), 1)
    assert (proba.argmax(axis=1) == y_test).mean() > 0.9


def test_probabilities_equal_scikit_learn_before_temperature(digits, digits_model):
    X_train, X_test, y_train, _ = digits
    reference = LogisticRegression(
        C=DEFAULT_C, class_weight="balanced", max_iter=1000, random_state=0
    )
    with single_threaded_blas():
        reference.fit(X_train, y_train)

    uncalibrated = dataclasses.replace(digits_model, temperature=1.0)

    assert np.allclose(uncalibrated.predict_proba(X_test), reference.predict_proba(X_test))
    assert np.allclose(
        uncalibrated.predict_proba(X_test.astype(np.float32)),
        reference.predict_proba(X_test.astype(np.float32)),
    )


def test_calibration_does_not_make_held_out_log_loss_worse(digits, digits_model):
    _, X_test, _, y_test = digits
    uncalibrated = dataclasses.replace(digits_model, temperature=1.0)

    calibrated_nll = log_loss(y_test, digits_model.predict_proba(X_test), labels=range(10))
    raw_nll = log_loss(y_test, uncalibrated.predict_proba(X_test), labels=range(10))

    assert digits_model.temperature != 1.0
    assert calibrated_nll <= raw_nll
    assert "temperature" in digits_model.hyperparameters["calibration"]


def test_round_trip_through_bytes_keeps_predictions_identical(digits, digits_model):
    _, X_test, _, _ = digits

    restored = TrainedClassifier.from_bytes(digits_model.to_bytes())

    assert np.array_equal(restored.predict_proba(X_test), digits_model.predict_proba(X_test))
    assert restored.classes == DIGITS
    assert restored.task_type == "multiclass"
    assert restored.temperature == digits_model.temperature
    assert restored.hyperparameters == digits_model.hyperparameters


_unpickled: list[str] = []


def _record_unpickling(value):
    _unpickled.append(value)
    return value


class _Payload:
    def __reduce__(self):
        return (_record_unpickling, ("code ran",))


def test_loading_refuses_pickled_object_arrays():
    buffer = io.BytesIO()
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload()
    np.savez(buffer, coef=payload, intercept=np.zeros(1), meta=np.zeros(1, np.uint8))

    with pytest.raises(ValueError, match="refusing"):
        TrainedClassifier.from_bytes(buffer.getvalue())
    assert _unpickled == []


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip file", np.zeros(3).tobytes()],
    ids=["empty", "text", "raw-floats"],
)
def test_loading_rejects_files_that_are_not_classifiers(data):
    with pytest.raises(ValueError, match="not a Tandem classifier"):
        TrainedClassifier.from_bytes(data)


def test_loading_rejects_inconsistent_arrays(digits_model):
    broken = dataclasses.replace(digits_model, intercept=np.zeros(3))

    with pytest.raises(ValueError, match="intercept must have shape"):
        TrainedClassifier.from_bytes(broken.to_bytes())


def test_one_class_is_not_enough_to_train():
    X = np.random.default_rng(0).standard_normal((6, 4))

    with pytest.raises(NotEnoughLabels, match="at least two classes; only 'ham' so far"):
        fit_classifier(X, [["ham"]] * 6, classes=["ham", "spam"], task_type="binary")
    with pytest.raises(NotEnoughLabels, match="none of"):
        fit_classifier(X, [["eggs"]] * 6, classes=["ham", "spam"], task_type="binary")


def test_binary_probabilities_put_the_second_class_in_the_second_column(digits):
    X_train, X_test, y_train, y_test = digits
    labels = [["odd"] if d % 2 else ["even"] for d in y_train]

    model = fit_classifier(X_train, labels, classes=["even", "odd"], task_type="binary")
    proba = model.predict_proba(X_test)

    assert model.coef.shape == (1, X_train.shape[1])
    assert np.allclose(proba.sum(axis=1), 1)
    assert ((proba[:, 1] > 0.5) == (y_test % 2 == 1)).mean() > 0.85


def test_unknown_labels_are_ignored_and_unseen_classes_get_a_column(digits):
    X_train, X_test, y_train, _ = digits
    keep = y_train < 3
    labels = [[str(d)] for d in y_train[keep]] + [["retired-class"]] * 5
    X = np.vstack([X_train[keep], X_train[:5]])

    model = fit_classifier(X, labels, classes=DIGITS, task_type="multiclass")
    proba = model.predict_proba(X_test)

    assert proba.shape == (len(X_test), 10)
    assert np.allclose(proba.sum(axis=1), 1)
    assert proba[:, 3:].max() < 1e-100
    assert model.hyperparameters["n_train"] == keep.sum()
    assert model.hyperparameters["class_counts"]["7"] == 0


def test_multiclass_with_two_classes_present_equals_the_binary_model(digits):
    X_train, X_test, y_train, _ = digits
    keep = y_train < 2
    labels = [[str(d)] for d in y_train[keep]]

    as_multiclass = fit_classifier(X_train[keep], labels, classes=DIGITS, task_type="multiclass")
    as_binary = fit_classifier(X_train[keep], labels, classes=["0", "1"], task_type="binary")

    assert np.allclose(as_multiclass.predict_proba(X_test)[:, :2], as_binary.predict_proba(X_test))


def test_multilabel_learns_each_class_independently(digits):
    X_train, X_test, y_train, y_test = digits
    rules = {"odd": lambda d: d % 2 == 1, "large": lambda d: d >= 5, "zero": lambda d: d == 0}
    labels = [[name for name, rule in rules.items() if rule(d)] for d in y_train]

    model = fit_classifier(X_train, labels, classes=list(rules), task_type="multilabel")
    proba = model.predict_proba(X_test)

    truth = np.stack([rule(y_test) for rule in rules.values()], axis=1)
    assert proba.shape == (len(X_test), 3)
    assert not np.allclose(proba.sum(axis=1), 1)
    assert ((proba >= 0.5) == truth).mean(axis=0).min() > 0.85
    restored = TrainedClassifier.from_bytes(model.to_bytes())
    assert np.array_equal(restored.predict_proba(X_test), proba)


def test_multilabel_needs_a_class_that_some_items_lack():
    X = np.random.default_rng(0).standard_normal((4, 3))

    with pytest.raises(NotEnoughLabels, match="multilabel"):
        fit_classifier(X, [["a"]] * 4, classes=["a", "b"], task_type="multilabel")


def test_training_is_reproducible_for_a_seed(digits):
    X_train, _, y_train, _ = digits
    labels = [[str(d)] for d in y_train[:300]]

    first = fit_classifier(X_train[:300], labels, classes=DIGITS, task_type="multiclass", seed=4)
    again = fit_classifier(X_train[:300], labels, classes=DIGITS, task_type="multiclass", seed=4)

    assert first.to_bytes() == again.to_bytes()


def test_tiny_label_sets_train_without_calibration():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.1, 0.9], [0.9, 0.1]])

    model = fit_classifier(
        X, [["spam"], ["ham"], ["spam"], ["ham"]], classes=["ham", "spam"], task_type="binary"
    )

    assert model.temperature == 1.0
    assert model.predict_proba(X)[0, 1] > 0.5


def test_predicting_on_the_wrong_width_is_a_clear_error(digits_model):
    with pytest.raises(ValueError, match="64 columns"):
        digits_model.predict_proba(np.zeros((2, 384), dtype=np.float32))
