"""The embedding cache: vectors go in once per object and come back as one float32 matrix."""

import numpy as np
import pytest

from models_app.services import embeddings as embedding_services
from models_app.services.embeddings import (
    embedding_delete,
    embedding_matrix,
    embedding_missing_ids,
    embedding_store,
)

pytestmark = pytest.mark.django_db

OWNER = "labeling.project:1"
EMBEDDER = "hashing@v1"


def unit_rows(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_stored_vectors_come_back_exactly_in_the_order_asked():
    vectors = unit_rows(5)
    embedding_store(
        owner=OWNER, embedder=EMBEDDER, object_ids=[10, 20, 30, 40, 50], vectors=vectors
    )

    ids, matrix = embedding_matrix(owner=OWNER, embedder=EMBEDDER, object_ids=[40, 10, 30])

    assert ids.tolist() == [40, 10, 30]
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix, vectors[[3, 0, 2]])


def test_ids_without_a_vector_are_left_out_and_reported_missing():
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[1, 2], vectors=unit_rows(2))

    ids, matrix = embedding_matrix(owner=OWNER, embedder=EMBEDDER, object_ids=[1, 99, 2])
    missing = embedding_missing_ids(owner=OWNER, embedder=EMBEDDER, object_ids=[1, 99, 2, 100])

    assert ids.tolist() == [1, 2]
    assert matrix.shape == (2, 8)
    assert missing.tolist() == [99, 100]


def test_storing_an_object_twice_keeps_the_first_vector():
    first, second = unit_rows(1, seed=1), unit_rows(1, seed=2)
    added_first = embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[7], vectors=first)

    added_again = embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[7], vectors=second)

    _, matrix = embedding_matrix(owner=OWNER, embedder=EMBEDDER, object_ids=[7])
    assert (added_first, added_again) == (1, 0)
    np.testing.assert_array_equal(matrix, first)


def test_vectors_of_other_owners_and_embedders_never_mix():
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[1], vectors=unit_rows(1, seed=1))
    embedding_store(owner="other:2", embedder=EMBEDDER, object_ids=[1], vectors=unit_rows(1))
    embedding_store(owner=OWNER, embedder="minilm@x", object_ids=[1, 2], vectors=unit_rows(2))

    ids, _ = embedding_matrix(owner=OWNER, embedder=EMBEDDER)

    assert ids.tolist() == [1]


def test_whole_owner_loads_in_chunks_in_id_order(monkeypatch):
    monkeypatch.setattr(embedding_services, "CHUNK_ROWS", 7)
    vectors = unit_rows(30)
    object_ids = list(range(100, 130))[::-1]
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=object_ids, vectors=vectors)

    ids, matrix = embedding_matrix(owner=OWNER, embedder=EMBEDDER)

    assert ids.tolist() == sorted(object_ids)
    np.testing.assert_array_equal(matrix[0], vectors[-1])


def test_many_wanted_ids_load_the_whole_set_and_filter(monkeypatch):
    monkeypatch.setattr(embedding_services, "ID_LOOKUP_LIMIT", 3)
    vectors = unit_rows(10)
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=range(10), vectors=vectors)

    ids, matrix = embedding_matrix(owner=OWNER, embedder=EMBEDDER, object_ids=[9, 2, 5, 42, 0])

    assert ids.tolist() == [9, 2, 5, 0]
    np.testing.assert_array_equal(matrix, vectors[[9, 2, 5, 0]])


def test_empty_requests_return_empty_results():
    ids, matrix = embedding_matrix(owner=OWNER, embedder=EMBEDDER, object_ids=[])
    all_ids, _ = embedding_matrix(owner=OWNER, embedder=EMBEDDER)

    assert (len(ids), len(matrix), len(all_ids)) == (0, 0, 0)
    assert embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[], vectors=unit_rows(0)) == 0


def test_delete_forgets_the_owners_vectors_only():
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[1, 2, 3], vectors=unit_rows(3))
    embedding_store(owner="other:2", embedder=EMBEDDER, object_ids=[1], vectors=unit_rows(1))

    embedding_delete(owner=OWNER, object_ids=[2])
    assert embedding_matrix(owner=OWNER, embedder=EMBEDDER)[0].tolist() == [1, 3]
    embedding_delete(owner=OWNER)

    assert len(embedding_matrix(owner=OWNER, embedder=EMBEDDER)[0]) == 0
    assert embedding_matrix(owner="other:2", embedder=EMBEDDER)[0].tolist() == [1]


def test_mismatched_ids_and_vectors_are_refused():
    with pytest.raises(ValueError, match="2 ids but 3 vectors"):
        embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[1, 2], vectors=unit_rows(3))
