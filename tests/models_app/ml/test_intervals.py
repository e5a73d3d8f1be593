"""Confidence intervals of held-out scores: known values, and the properties a reader relies on."""

import numpy as np
import pytest

from models_app.ml.intervals import (
    binary_auc,
    bootstrap_interval,
    single_label_intervals,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # Published values (Newcombe 1998, table I; Wilson 1927): 95 % two-sided.
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
        (5, 10, (0.2366, 0.7634)),
    ],
)
def test_wilson_interval_matches_published_values(successes, n, expected):
    low, high = wilson_interval(successes, n)

    assert (round(low, 4), round(high, 4)) == expected


def test_wilson_interval_of_all_successes_is_not_empty_and_stays_below_one():
    low, high = wilson_interval(19, 19)

    assert 0.8 < low < 0.85
    assert high == pytest.approx(1.0)


def test_no_items_have_no_interval():
    assert wilson_interval(0, 0) is None
    assert bootstrap_interval(lambda rows: 1.0, 0) is None


def test_bootstrap_interval_is_seeded_and_brackets_the_mean():
    rng = np.random.default_rng(3)
    values = rng.normal(10.0, 2.0, size=400)

    first = bootstrap_interval(lambda rows: float(values[rows].mean()), len(values))
    again = bootstrap_interval(lambda rows: float(values[rows].mean()), len(values))

    assert first == again
    low, high = first
    # The standard error of the mean is 2 / sqrt(400) = 0.1: a 95 % interval is about ±0.2.
    assert low < values.mean() < high
    assert 0.3 < high - low < 0.5


def test_bootstrap_leaves_out_resamples_where_the_score_is_undefined():
    truth = np.array([True] + [False] * 9)
    score = np.linspace(1, 0, 10)

    interval = bootstrap_interval(lambda rows: binary_auc(truth[rows], score[rows]), 10)

    # Every defined resample ranks the one positive first.
    assert interval == (1.0, 1.0)


def test_rank_auc_counts_ties_half():
    assert binary_auc(np.array([True, False]), np.array([0.5, 0.5])) == 0.5
    assert binary_auc(np.array([True, False, True]), np.array([0.9, 0.1, 0.2])) == 1.0
    assert binary_auc(np.array([True, True]), np.array([0.9, 0.1])) is None


def test_intervals_of_a_small_held_out_set_are_wide_and_contain_the_score():
    rng = np.random.default_rng(0)
    targets = np.array([0] * 12 + [1] * 7)
    spam = np.clip(targets * 0.3 + rng.uniform(0, 0.5, size=19), 0, 1)
    proba = np.column_stack([1 - spam, spam])

    intervals = single_label_intervals(proba, targets, classes=["ham", "spam"])

    accuracy = float((proba.argmax(axis=1) == targets).mean())
    low, high = intervals["accuracy"]
    assert low <= accuracy <= high
    assert high - low > 0.2  # 19 items cannot pin accuracy down
    for key in ("f1_per_class", "precision_per_class", "recall_per_class"):
        assert set(intervals[key]) == {"ham", "spam"}
    f1_low, f1_high = intervals["f1_per_class"]["spam"]
    assert 0 <= f1_low <= f1_high <= 1
    auc_low, auc_high = intervals["roc_auc"]
    assert auc_low <= binary_auc(targets == 1, spam) <= auc_high


def test_a_class_never_predicted_has_no_precision_interval():
    proba = np.array([[0.9, 0.1]] * 5)
    targets = np.array([0, 0, 0, 1, 1])

    intervals = single_label_intervals(proba, targets, classes=["ham", "spam"])

    assert intervals["precision_per_class"]["spam"] is None
    assert intervals["recall_per_class"]["spam"] == [0.0, pytest.approx(0.6576, abs=1e-4)]
