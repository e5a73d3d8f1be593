"""Nearest neighbours among an owner's stored vectors: brute force without an index, the index
once built, and the vectors stored after it was built found all the same."""

import numpy as np
import pytest
from django.db import connection

from models_app.services.embeddings import embedding_store
from models_app.services.neighbours import (
    index_folder,
    neighbour_index_build,
    neighbours_forget_open,
    neighbours_query,
)
from models_app.tasks import ann_index_build_task

pytestmark = pytest.mark.django_db

OWNER = "tests.owner:1"
EMBEDDER = "unit@1"


@pytest.fixture(autouse=True)
def _ann_dir(settings, tmp_path):
    settings.TANDEM_ANN_DIR = tmp_path / "ann"
    neighbours_forget_open()
    yield
    neighbours_forget_open()


def unit_rows(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def brute_force(ids, matrix, vector, k, exclude=()):
    scores = matrix @ vector
    order = [i for i in np.argsort(-scores) if ids[i] not in exclude]
    return [int(ids[i]) for i in order[:k]]


def test_without_an_index_the_nearest_vectors_are_found_by_brute_force():
    ids = np.arange(100, 400)
    matrix = unit_rows(300)
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=ids, vectors=matrix)

    found = neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=matrix[0], k=5, exclude=[100])

    assert found.generation is None
    assert found.ids.tolist() == brute_force(ids, matrix, matrix[0], 5, exclude={100})


def test_small_sets_get_no_index_file():
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[1, 2], vectors=unit_rows(2))

    result = ann_index_build_task(OWNER, EMBEDDER)

    assert result["generation"] is None
    assert not list(index_folder(owner=OWNER, embedder=EMBEDDER).glob("gen-*"))


def test_the_index_answers_and_vectors_stored_after_it_are_searched_too():
    ids = np.arange(1, 601)
    matrix = unit_rows(600)
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=ids, vectors=matrix)
    info = neighbour_index_build(owner=OWNER, embedder=EMBEDDER, min_rows=100)
    assert info is not None
    assert info.size == 600
    assert info.generation == 1
    probe = matrix[10]
    before = neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=probe, k=10, exclude=[11])
    assert before.generation == 1
    assert before.delta == 0
    assert set(before.ids.tolist()) == set(brute_force(ids, matrix, probe, 10, exclude={11}))

    # Stored after the build: a near-copy of the probe, which must come first.
    near = probe + 0.01 * unit_rows(1, seed=9)[0]
    near /= np.linalg.norm(near)
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[9_999], vectors=near[None, :])
    after = neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=probe, k=10, exclude=[11])

    assert after.delta == 1
    assert after.ids[0] == 9_999
    assert after.similarities[0] == pytest.approx(float(near @ probe), abs=1e-5)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="keys taken before commit need PostgreSQL (SQLite writes one at a time)",
)
def test_a_vector_committed_late_under_a_lower_key_is_still_found():
    """Keys are taken before commit: a batch can commit after a later one was read. The
    slack behind the newest key is read again whenever vectors were stored since."""
    from models_app.models import Embedding

    ids = np.arange(1, 301)
    matrix = unit_rows(300)
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=ids, vectors=matrix)
    neighbour_index_build(owner=OWNER, embedder=EMBEDDER, min_rows=100)
    newest = Embedding.objects.order_by("-id").values_list("id", flat=True)[0]
    # A row far ahead of the sequence (as a batch that took its keys later and committed
    # first), read by a query.
    Embedding.objects.create(
        id=newest + 1_000, owner=OWNER, embedder=EMBEDDER, object_id=800,
        vector=unit_rows(1, seed=4)[0].tobytes(),
    )  # fmt: skip
    first = neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=matrix[0], k=3)
    assert first.delta == 1
    again = neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=matrix[0], k=3)
    assert again.ids.tolist() == first.ids.tolist()

    # Then a batch whose key is lower than the one already read commits.
    probe = unit_rows(1, seed=5)[0]
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[900], vectors=probe[None, :])
    assert Embedding.objects.get(object_id=900).id < newest + 1_000
    found = neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=probe, k=3)

    assert found.delta == 2
    assert found.ids[0] == 900


def test_a_new_generation_replaces_the_last_one_and_takes_in_the_delta():
    ids = np.arange(1, 301)
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=ids, vectors=unit_rows(300))
    neighbour_index_build(owner=OWNER, embedder=EMBEDDER, min_rows=100)
    neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=unit_rows(1)[0], k=3)
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[500], vectors=unit_rows(1, seed=3))

    info = neighbour_index_build(owner=OWNER, embedder=EMBEDDER, min_rows=100)
    found = neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=unit_rows(1, seed=3)[0], k=3)

    assert info is not None
    assert info.generation == 2
    assert info.size == 301
    assert found.generation == 2
    assert found.delta == 0
    assert found.ids[0] == 500
    names = sorted(p.name for p in index_folder(owner=OWNER, embedder=EMBEDDER).glob("gen-*"))
    assert names == ["gen-00000002.ids.npy", "gen-00000002.json", "gen-00000002.usearch"]


def test_vectors_of_other_owners_and_embedders_are_not_neighbours():
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[1, 2], vectors=unit_rows(2))
    embedding_store(owner="tests.owner:2", embedder=EMBEDDER, object_ids=[3], vectors=unit_rows(1))
    embedding_store(owner=OWNER, embedder="other@1", object_ids=[4], vectors=unit_rows(1))

    found = neighbours_query(owner=OWNER, embedder=EMBEDDER, vector=unit_rows(1)[0], k=10)

    assert sorted(found.ids.tolist()) == [1, 2]


def test_a_build_with_nothing_new_keeps_the_current_generation():
    embedding_store(
        owner=OWNER, embedder=EMBEDDER, object_ids=range(1, 201), vectors=unit_rows(200)
    )
    first = neighbour_index_build(owner=OWNER, embedder=EMBEDDER, min_rows=100)

    again = neighbour_index_build(owner=OWNER, embedder=EMBEDDER, min_rows=100)
    embedding_store(owner=OWNER, embedder=EMBEDDER, object_ids=[999], vectors=unit_rows(1, seed=5))
    after_new = neighbour_index_build(owner=OWNER, embedder=EMBEDDER, min_rows=100)

    assert first is not None
    assert again is not None
    assert again.generation == first.generation
    assert after_new is not None
    assert after_new.generation == first.generation + 1
    assert after_new.size == 201
