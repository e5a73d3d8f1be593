"""Auto-label thresholds from an audit sample, with a Clopper-Pearson precision guarantee."""

import numpy as np
import pytest
from scipy.stats import beta

from models_app.ml.autolabel import ThresholdChoice, choose_threshold


def audit(seed, n=3000):
    """Confidences uniform on [0.5, 1]; right 99 % of the time from 0.9 up, 75 % below."""
    rng = np.random.default_rng(seed)
    confidence = rng.uniform(0.5, 1.0, n)
    correct = rng.random(n) < np.where(confidence >= 0.9, 0.99, 0.75)
    return confidence, correct


def true_precision_above(threshold):
    high = 0.99 * (1 - max(threshold, 0.9))
    low = 0.75 * max(0.0, 0.9 - threshold)
    return (high + low) / (1 - threshold)


def test_finds_the_threshold_where_precision_becomes_high_enough():
    confidence, correct = audit(seed=0)

    choice = choose_threshold(confidence, correct, target_precision=0.95)

    assert 0.85 <= choice.threshold <= 0.9
    assert choice.ci_low >= 0.95
    assert choice.ci_low <= true_precision_above(choice.threshold) <= choice.ci_high
    assert choice.n_above == (confidence >= choice.threshold).sum()
    assert choice.precision == pytest.approx(correct[confidence >= choice.threshold].mean())
    assert choice.n_audit == 3000


def test_interval_brackets_the_true_precision_in_most_audits():
    bracketed = 0
    for seed in range(20):
        choice = choose_threshold(*audit(seed), target_precision=0.95)
        truth = true_precision_above(choice.threshold)
        bracketed += choice.ci_low <= truth <= choice.ci_high
        assert truth >= 0.94

    assert bracketed >= 16


def test_lower_bound_is_the_one_sided_clopper_pearson_bound():
    confidence = np.linspace(1.0, 0.5, 100)
    correct = np.ones(100, dtype=bool)
    correct[[10, 50]] = False

    choice = choose_threshold(confidence, correct, target_precision=0.9, alpha=0.05)

    k, n = correct[confidence >= choice.threshold].sum(), choice.n_above
    assert choice.ci_low == pytest.approx(beta.ppf(0.05, k, n - k + 1))
    assert choice.ci_high == pytest.approx(beta.ppf(0.95, k + 1, n - k))


def test_takes_the_lowest_qualifying_threshold_when_everything_is_right():
    confidence = np.linspace(0.99, 0.6, 200)

    choice = choose_threshold(confidence, np.ones(200, dtype=bool), target_precision=0.95)

    assert choice.threshold == pytest.approx(0.6)
    assert choice.n_above == 200
    assert choice.precision == 1.0


def test_no_threshold_with_too_few_audited_items():
    choice = choose_threshold(np.full(10, 0.99), np.ones(10, dtype=bool), min_above=20)

    assert choice == ThresholdChoice(None, None, None, None, 0, 10)


def test_no_threshold_when_precision_is_never_high_enough():
    rng = np.random.default_rng(3)
    confidence = rng.random(500)

    choice = choose_threshold(confidence, rng.random(500) < 0.8, target_precision=0.95)

    assert choice.threshold is None
    assert choice.n_audit == 500


def test_tied_confidences_are_taken_together():
    confidence = np.array([0.9] * 30 + [0.8] * 30)
    correct = np.array([True] * 30 + [True] * 29 + [False])

    choice = choose_threshold(confidence, correct, target_precision=0.85, min_above=20)

    assert choice.threshold == 0.8
    assert choice.n_above == 60


def test_mismatched_inputs_are_rejected():
    with pytest.raises(ValueError, match="confidences"):
        choose_threshold(np.zeros(3), np.zeros(4, dtype=bool))
