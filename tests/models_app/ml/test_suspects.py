"""Confident learning (``models_app.ml.suspects``) against examples worked out by hand."""

import numpy as np
import pytest

from models_app.ml.suspects import (
    confident_classes,
    find_suspects,
    flip_labels,
    full_ranking,
    naive_ranking,
    neighbour_label_shares,
    out_of_sample_probabilities,
    per_class_thresholds,
    precision_recall_at,
    ranking_score,
)

# Two classes, six items. t0 = (0.9 + 0.8 + 0.3) / 3 = 0.6667, t1 = (0.8 + 0.6 + 0.3) / 3 =
# 0.5667. Confident classes: 0, 0, 1, 1, 1, 0 → joint [[2, 1], [1, 2]]; suspects: item 2
# (labeled 0, p0 = 0.3 < t0, confidently 1) and item 5 (labeled 1, p1 = 0.3 < t1,
# confidently 0); error rate 1/3 per class.
BINARY_P = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]])
BINARY_Y = np.array([0, 0, 0, 1, 1, 1])

# Three classes, seven items. t = (0.5, 0.6, 0.6). Item 2 passes no threshold (uncounted, not
# a suspect although its own probability is low); item 4 (labeled 1) passes only class 0's
# threshold (0.5 ≥ 0.5); item 6 passes none. Joint [[2,0,0],[1,1,0],[0,0,1]]; calibrated to the
# label counts (3, 2, 2): [[3,0,0],[1,1,0],[0,0,2]] → error rates (0, 0.5, 0).
MULTI_P = np.array(
    [
        [0.7, 0.2, 0.1],
        [0.6, 0.3, 0.1],
        [0.2, 0.5, 0.3],
        [0.1, 0.8, 0.1],
        [0.5, 0.4, 0.1],
        [0.1, 0.1, 0.8],
        [0.3, 0.3, 0.4],
    ]
)
MULTI_Y = np.array([0, 0, 0, 1, 1, 2, 2])


def test_thresholds_are_the_mean_self_confidence_of_each_class():
    assert per_class_thresholds(BINARY_P, BINARY_Y) == pytest.approx([2.0 / 3, 1.7 / 3])
    assert per_class_thresholds(MULTI_P, MULTI_Y) == pytest.approx([0.5, 0.6, 0.6])


def test_binary_worked_example():
    report = find_suspects(None, BINARY_Y, 2, probabilities=BINARY_P, ranking="self_confidence")

    assert report.confident_joint.tolist() == [[2, 1], [1, 2]]
    assert report.is_suspect.tolist() == [False, False, True, False, False, True]
    assert report.suggested.tolist() == [0, 0, 1, 1, 1, 0]
    # Both at self-confidence 0.3: ties keep row order.
    assert report.order.tolist() == [2, 5]
    assert report.error_rate == pytest.approx([1 / 3, 1 / 3])


def test_multiclass_worked_example_with_uncounted_items():
    report = find_suspects(None, MULTI_Y, 3, probabilities=MULTI_P, ranking="self_confidence")

    assert confident_classes(MULTI_P, report.thresholds).tolist() == [0, 0, -1, 1, 0, 2, -1]
    assert report.confident_joint.tolist() == [[2, 0, 0], [1, 1, 0], [0, 0, 1]]
    assert report.calibrated_joint == pytest.approx(np.array([[3, 0, 0], [1, 1, 0], [0, 0, 2]]))
    assert report.error_rate == pytest.approx([0.0, 0.5, 0.0])
    assert report.order.tolist() == [4]
    assert report.suggested[4] == 0


def test_normalized_margin_is_given_minus_best_other():
    assert ranking_score(MULTI_P, MULTI_Y, "normalized_margin") == pytest.approx(
        [0.5, 0.3, -0.3, 0.7, -0.1, 0.7, 0.1]
    )
    assert ranking_score(MULTI_P, MULTI_Y, "self_confidence") == pytest.approx(
        [0.7, 0.6, 0.2, 0.8, 0.4, 0.8, 0.4]
    )


def test_neighbour_label_shares_worked_example():
    # Points on the unit circle at 0°, 10°, 20° (class 0) and 90°, 100° (class 1), 2 neighbours.
    # 0°: neighbours 10°, 20° → (2 + ½) / 3, (0 + ½) / 3. 90°: 100° and 20° → ½, ½.
    angles = np.radians([0, 10, 20, 90, 100])
    X = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    shares = neighbour_label_shares(X, np.array([0, 0, 0, 1, 1]), 2, neighbours=2)

    assert shares[0] == pytest.approx([2.5 / 3, 0.5 / 3])
    assert shares[3] == pytest.approx([0.5, 0.5])
    assert shares.sum(axis=1) == pytest.approx(np.ones(5))


def test_precision_and_recall_at_k():
    ranked = np.array([4, 1, 0, 2, 3])
    wrong = np.array([False, True, False, True, False])

    assert precision_recall_at(ranked, wrong, 2) == (0.5, 0.5)
    assert precision_recall_at(ranked, wrong, 4) == (0.25, 0.5)
    assert precision_recall_at(ranked, wrong, 5) == (0.4, 1.0)


def test_flip_labels_flips_the_requested_share_to_another_class():
    labels = np.array([0, 1, 2] * 100)
    noisy, wrong = flip_labels(labels, 3, 0.1, seed=7)

    assert wrong.sum() == 30
    assert (noisy[wrong] != labels[wrong]).all()
    assert (noisy[~wrong] == labels[~wrong]).all()
    again, _ = flip_labels(labels, 3, 0.1, seed=7)
    assert (again == noisy).all()


def _clusters(seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = np.array([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]])
    labels = np.repeat([0, 1, 2], 60)
    X = centres[labels] + rng.normal(scale=0.8, size=(len(labels), 3))
    return X, labels


def test_out_of_sample_probabilities_never_come_from_a_model_that_saw_the_row():
    X, labels = _clusters()
    noisy, wrong = flip_labels(labels, 3, 0.05, seed=1)
    out = out_of_sample_probabilities(X, noisy, 3, folds=5, seed=0)

    rows = np.arange(len(noisy))
    assert out.sum(axis=1) == pytest.approx(np.ones(len(noisy)))
    # A flipped label far inside another cluster: a model that had seen it would be pulled
    # toward it; out of sample its given label is unlikely.
    assert out[rows[wrong], noisy[wrong]].max() < 0.5
    assert (out == out_of_sample_probabilities(X, noisy, 3, folds=5, seed=0)).all()


@pytest.mark.parametrize("ranking", ["self_confidence", "normalized_margin", "blended"])
def test_finds_flipped_labels_in_separable_clusters(ranking):
    X, labels = _clusters()
    noisy, wrong = flip_labels(labels, 3, 0.05, seed=1)
    report = find_suspects(X, noisy, 3, ranking=ranking)

    k = int(wrong.sum())
    precision, _recall = precision_recall_at(full_ranking(report), wrong, k)
    assert precision >= 0.8
    assert set(np.flatnonzero(wrong)) <= set(report.order.tolist()) | set(
        full_ranking(report)[: 2 * k].tolist()
    )
    # The suggested class of a flipped row found is its true class.
    found = [row for row in report.order if wrong[row]]
    assert (report.suggested[found] == labels[found]).mean() >= 0.9


def test_naive_ranking_ranks_by_in_sample_probability():
    X, labels = _clusters()
    ranked = naive_ranking(X, labels, 3)

    assert sorted(ranked.tolist()) == list(range(len(labels)))


def test_refuses_labels_out_of_range():
    with pytest.raises(ValueError, match=r"0\.\.1"):
        find_suspects(None, np.array([0, 2]), 2, probabilities=np.ones((2, 2)) / 2)
