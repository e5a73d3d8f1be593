"""The nearest-neighbour index: the approximate answers agree with brute force on real text
vectors, survive a save and a memory-mapped load, and leave out what they are told to."""

import numpy as np
import pytest

from models_app.ml.ann import (
    ANN_MIN_ROWS,
    AnnIndex,
    ExactIndex,
    build_index,
    merge_results,
)
from tests.skips import dataset, loaded_embedder

# SMS messages embedded once per module (hashing: no model files, about a second).
SMS_ROWS = 4_000


@pytest.fixture(scope="module")
def sms_vectors():
    lines = dataset("sms_spam_collection.tsv").read_text("utf-8").splitlines()[1:]
    texts = list(dict.fromkeys(line.split("\t", 1)[1] for line in lines if "\t" in line))
    vectors = loaded_embedder("hashing").embed(texts[:SMS_ROWS])
    # Ids as a project's items have them: large, not in row order.
    ids = np.random.default_rng(0).permutation(len(vectors)).astype(np.int64) * 7 + 1_000_003
    return ids, vectors


@pytest.fixture(scope="module")
def sms_index(sms_vectors, tmp_path_factory):
    ids, vectors = sms_vectors
    path = tmp_path_factory.mktemp("ann") / "sms.usearch"
    AnnIndex.build(ids, vectors).save(path)
    return AnnIndex.load(path)


def test_the_index_finds_the_same_ten_neighbours_as_brute_force_on_sms_texts(
    sms_vectors, sms_index
):
    ids, vectors = sms_vectors
    exact = ExactIndex(ids, vectors)
    rows = np.random.default_rng(1).choice(len(ids), 200, replace=False)
    recalls = []
    for row in rows:
        found, similarities = sms_index.query(vectors[row], 10, exclude=[ids[row]])
        truth, _ = exact.query(vectors[row], 10, exclude=[ids[row]])
        recalls.append(len(set(found) & set(truth)) / 10)
        assert np.all(np.diff(similarities) <= 1e-6)  # most similar first
    assert np.mean(recalls) >= 0.95


def test_similarities_are_the_cosines_of_the_vectors(sms_vectors, sms_index):
    ids, vectors = sms_vectors
    found, similarities = sms_index.query(vectors[5], 5)
    rows = {item_id: row for row, item_id in enumerate(ids)}
    cosines = np.array([vectors[rows[i]] @ vectors[5] for i in found])
    # float16 storage inside the index: three decimals.
    np.testing.assert_allclose(similarities, cosines, atol=2e-3)


def test_an_item_is_its_own_nearest_neighbour_unless_excluded(sms_vectors, sms_index):
    ids, vectors = sms_vectors
    found, _ = sms_index.query(vectors[42], 3)
    assert found[0] == ids[42] or vectors[42] @ vectors[list(ids).index(found[0])] > 0.999
    excluded = ids[[42, 43]]
    found, _ = sms_index.query(vectors[42], 10, exclude=excluded)
    assert not set(found) & set(excluded)
    assert len(found) == 10


def test_a_saved_index_loads_as_a_view_with_every_vector(sms_vectors, sms_index):
    assert len(sms_index) == len(sms_vectors[0])
    assert sms_index.dim == sms_vectors[1].shape[1]


def test_small_sets_are_searched_exactly_and_large_ones_by_the_index():
    rng = np.random.default_rng(0)
    small = rng.normal(size=(50, 8)).astype(np.float32)
    small /= np.linalg.norm(small, axis=1, keepdims=True)
    assert isinstance(build_index(np.arange(50), small), ExactIndex)
    assert isinstance(build_index(np.arange(50), small, min_rows=10), AnnIndex)
    assert ANN_MIN_ROWS >= 10_000


def test_exact_search_ranks_by_cosine_and_breaks_ties_by_id():
    ids = np.array([30, 10, 20], dtype=np.int64)
    matrix = np.array([[1, 0], [0, 1], [1, 0]], dtype=np.float32)
    found, similarities = ExactIndex(ids, matrix).query(np.array([1, 0]), 3)
    assert found.tolist() == [20, 30, 10]
    assert similarities.tolist() == [1.0, 1.0, 0.0]
    assert ExactIndex(ids, matrix).query(np.array([1, 0]), 0)[0].tolist() == []


def test_answers_merge_keeping_each_id_once_with_its_best_score():
    first = (np.array([1, 2, 3]), np.array([0.9, 0.5, 0.4], dtype=np.float32))
    second = (np.array([2, 4]), np.array([0.8, 0.6], dtype=np.float32))
    ids, scores = merge_results(first, second, k=3, exclude=[1])
    assert ids.tolist() == [2, 4, 3]
    assert scores.tolist() == pytest.approx([0.8, 0.6, 0.4])


def test_a_query_of_the_wrong_width_is_refused():
    index = ExactIndex(np.arange(2), np.eye(2, dtype=np.float32))
    with pytest.raises(ValueError, match="dimensions"):
        index.query(np.ones(3), 1)


def test_negative_or_repeated_ids_are_refused():
    matrix = np.eye(2, dtype=np.float32)
    with pytest.raises(ValueError, match="non-negative"):
        AnnIndex.build(np.array([-1, 2]), matrix)
    with pytest.raises(ValueError, match="distinct"):
        AnnIndex.build(np.array([2, 2]), matrix)
