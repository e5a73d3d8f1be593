"""Query strategies: which rows a person is asked to label next."""

import numpy as np
import pytest

from models_app.ml import strategies
from models_app.ml.strategies import Strategy, cold_start, priorities, select_batch


def blobs(sizes, *, dim=16, spread=0.02, seed=0):
    """Tight, well-separated clusters of unit vectors; returns (embeddings, blob of each row)."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.standard_normal((dim, len(sizes))))[0].T  # orthonormal
    which = np.repeat(np.arange(len(sizes)), sizes)
    rows = centres[which] + spread * rng.standard_normal((len(which), dim))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows.astype(np.float32), which


def test_margin_picks_the_row_whose_top_two_probabilities_are_closest():
    proba = np.array(
        [
            [0.80, 0.15, 0.05],
            [0.40, 0.38, 0.22],  # top two 0.02 apart
            [0.50, 0.30, 0.20],
            [0.34, 0.33, 0.33],  # lowest max, but top two 0.01 apart: still the closest
        ]
    )
    scores = priorities(Strategy.MARGIN, proba)

    assert scores.dtype == np.float64
    assert np.argmax(scores) == 3
    assert select_batch(Strategy.MARGIN, proba, None, 2).tolist() == [3, 1]


def test_least_confidence_and_entropy_agree_on_obvious_rows():
    proba = np.array([[0.99, 0.01], [0.5, 0.5], [0.8, 0.2], [0.05, 0.95]])

    for strategy in (Strategy.UNCERTAINTY, Strategy.ENTROPY, Strategy.MARGIN):
        order = np.argsort(-priorities(strategy, proba)).tolist()
        assert order == [1, 2, 3, 0], strategy


def test_priorities_come_from_modal_measures():
    proba = np.array([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]])

    assert np.allclose(priorities("uncertainty", proba), [0.3, 0.6])
    assert np.allclose(priorities("margin", proba), [1 - 0.5, 1 - 0.05])
    expected_entropy = -(proba * np.log(proba)).sum(axis=1)
    assert np.allclose(priorities("entropy", proba), expected_entropy)


def test_random_priorities_are_reproducible_for_a_seed():
    proba = np.full((50, 2), 0.5)

    first = priorities(Strategy.RANDOM, proba, seed=3)

    assert np.array_equal(first, priorities(Strategy.RANDOM, proba, seed=3))
    assert not np.array_equal(first, priorities(Strategy.RANDOM, proba, seed=4))
    batch = select_batch(Strategy.RANDOM, proba, None, 10, seed=3)
    assert np.array_equal(batch, select_batch(Strategy.RANDOM, proba, None, 10, seed=3))
    assert len(set(batch.tolist())) == 10


def test_ties_are_broken_by_seed_not_by_storage_order():
    proba = np.full((1000, 2), 0.5)  # an untrained model: every row equally uncertain

    batches = {tuple(select_batch("margin", proba, None, 5, seed=s)) for s in range(5)}

    assert len(batches) == 5
    assert all(max(batch) > 5 for batch in batches)


def test_multilabel_rows_are_scored_by_their_average_per_class_uncertainty():
    # independent per-class probabilities: rows do not sum to 1
    proba = np.array([[0.5, 0.5, 0.5], [0.5, 0.99, 0.01], [0.9, 0.95, 0.02]])

    for strategy in (Strategy.UNCERTAINTY, Strategy.MARGIN, Strategy.ENTROPY):
        scores = priorities(strategy, proba)
        assert scores[0] > scores[1] > scores[2], strategy
    assert np.allclose(priorities(Strategy.UNCERTAINTY, proba[:1], task_type="multilabel"), [0.5])


def test_hybrid_spreads_the_batch_over_clusters():
    embeddings, blob = blobs([100, 100, 100], seed=1)
    # the first blob is the most uncertain: pure uncertainty sampling stays inside it
    positive = np.select([blob == 0, blob == 1], [0.5, 0.7], 0.8)
    positive = positive + np.random.default_rng(0).uniform(0, 0.05, len(blob))
    proba = np.stack([1 - positive, positive], axis=1)

    by_margin = select_batch(Strategy.MARGIN, proba, embeddings, 3)
    hybrid = select_batch(Strategy.HYBRID, proba, embeddings, 3, candidate_factor=100)

    assert set(blob[by_margin]) == {0}
    assert sorted(blob[hybrid]) == [0, 1, 2]
    assert len(set(hybrid.tolist())) == 3
    # within each blob, the pick is that blob's most uncertain row
    scores = priorities(Strategy.MARGIN, proba)
    for row in hybrid:
        assert scores[row] == scores[blob == blob[row]].max()


def test_hybrid_returns_k_distinct_rows_when_embeddings_repeat():
    embeddings = np.tile(np.eye(4, dtype=np.float32)[:2], (20, 1))  # only two distinct rows
    proba = np.random.default_rng(0).dirichlet([1, 1], size=40)

    batch = select_batch(Strategy.HYBRID, proba, embeddings, 5, candidate_factor=4)

    assert len(batch) == 5
    assert len(set(batch.tolist())) == 5


def test_select_batch_never_returns_more_rows_than_the_pool_has():
    proba = np.array([[0.6, 0.4], [0.5, 0.5]])
    embeddings = np.eye(2, dtype=np.float32)

    for strategy in set(Strategy) - {Strategy.ADAPTIVE}:
        batch = select_batch(strategy, proba, embeddings, 10)
        assert sorted(batch.tolist()) == [0, 1], strategy
    assert select_batch(Strategy.HYBRID, proba[:0], embeddings[:0], 5).tolist() == []


def test_adaptive_orders_nothing_before_an_arm_is_chosen():
    proba = np.array([[0.6, 0.4], [0.5, 0.5]])

    with pytest.raises(ValueError, match="resolved to an arm"):
        select_batch(Strategy.ADAPTIVE, proba, np.eye(2), 1)
    with pytest.raises(ValueError, match="resolved to an arm"):
        priorities("adaptive", proba)


def test_hybrid_needs_embeddings():
    with pytest.raises(ValueError, match="embeddings"):
        select_batch(Strategy.HYBRID, np.full((30, 2), 0.5), None, 2)


def test_cold_start_covers_every_blob():
    embeddings, blob = blobs([500, 200, 50, 10, 3], dim=32, seed=2)

    picked = cold_start(embeddings, 5)

    assert sorted(blob[picked]) == [0, 1, 2, 3, 4]


def test_cold_start_starts_from_a_typical_row():
    embeddings, blob = blobs([300, 20], seed=3)

    first = cold_start(embeddings, 1)[0]

    assert blob[first] == 0


def test_cold_start_is_exactly_greedy_farthest_point(monkeypatch):
    monkeypatch.setattr(strategies._FarthestPoints, "block_rows", 64)  # many lazy blocks
    rng = np.random.default_rng(5)
    embeddings = rng.standard_normal((3000, 24)).astype(np.float32)
    embeddings[:1000] += 3 * rng.standard_normal(24).astype(np.float32)

    picked = cold_start(embeddings, 25)

    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    mean = unit.mean(axis=0)
    expected = [int(np.argmax(unit @ (mean / np.linalg.norm(mean))))]
    distance = 1 - unit @ unit[expected[0]]
    distance[expected] = -np.inf
    while len(expected) < 25:
        expected.append(int(np.argmax(distance)))
        distance = np.minimum(distance, 1 - unit @ unit[expected[-1]])
        distance[expected] = -np.inf
    assert picked.tolist() == expected


def test_cold_start_returns_distinct_rows_even_with_duplicates_and_zero_rows():
    embeddings = np.vstack([np.tile([[1, 0, 0]], (5, 1)), np.zeros((2, 3)), [[0, 1, 0]]])

    picked = cold_start(embeddings.astype(np.float32), 20)

    assert sorted(picked.tolist()) == list(range(8))
    assert picked[1] == 7  # the one different row comes right after the typical start
