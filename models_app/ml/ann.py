"""Nearest neighbours by cosine similarity over float32 unit rows with int64 ids.

``build_index(ids, matrix)`` gives an ``ExactIndex`` (a matrix product over every row) below
``ANN_MIN_ROWS`` rows and an ``AnnIndex`` (an HNSW graph, approximate) above; both answer
``query(vector, k, exclude=...) -> (ids, similarities)``, best first. An ``AnnIndex`` is saved
to one file atomically (a temporary name renamed into place) and loaded as a memory-mapped view:
every web and worker process reading the same file shares its pages, and opening it costs no
copy.

Why usearch (https://github.com/unum-cloud/usearch) rather than hnswlib or faiss:
- usearch is Apache-2.0, released several times a year, and publishes binary wheels for
  Linux, macOS and Windows on PyPI; ``Index.restore(path, view=True)`` serves queries straight
  from a memory-mapped file; keys are 64-bit integers (our item ids as they are), and vectors
  can be stored as float16 or int8 inside the index (half or a quarter of float32's size).
- hnswlib's last release is 0.8.0 (December 2023) and PyPI holds only its source distribution,
  so installing it compiles C++; its ``load_index`` reads the whole index into each process's
  memory.
- faiss-cpu's PyPI wheels are built by a separate community project, not by faiss itself; its
  HNSW index takes arbitrary int64 ids only through an ``IndexIDMap`` wrapper.

Importing this module loads numpy only; usearch is imported inside the functions that need it.
"""

from __future__ import annotations

import json
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

# Below this many rows a query is one matrix product (about a millisecond at 20k x 384): an
# index would add build time and approximation for nothing.
ANN_MIN_ROWS = 20_000
# HNSW parameters: edges per node, and the candidate list while adding / searching. Measured
# recall@10 against brute force (benchmarks/similar_items.py, 384-d vectors from real texts):
# 0.94 at 100k, 0.99 at 1M, queries 1.7-1.8 ms at the median; 0.92 with a search list of 64.
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128
# Scalar type of the vectors inside the index: float16 halves the file (int8 quarters it but
# capped recall@10 at 0.92 on 50k clustered vectors, where float16 reached 0.999).
STORAGE_DTYPE = "f16"
INDEX_FORMAT = 1


def _as_query(vector: np.ndarray, dim: int) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    if vector.shape[0] != dim:
        raise ValueError(f"the query has {vector.shape[0]} dimensions, the index {dim}")
    return vector


def _exclusions(exclude: Iterable[int] | None) -> np.ndarray:
    if exclude is None:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(list(exclude), dtype=np.int64)


def top_k(
    ids: np.ndarray, scores: np.ndarray, k: int, exclude: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best ``(ids, scores)``, highest score first (ties by lower id), leaving out
    ``exclude``."""
    if exclude is not None and len(exclude):
        keep = ~np.isin(ids, exclude)
        ids, scores = ids[keep], scores[keep]
    if k <= 0 or not len(ids):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if len(ids) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[part], scores[part]
    order = np.lexsort((ids, -scores))
    return ids[order].astype(np.int64), scores[order].astype(np.float32)


class NeighbourIndex(ABC):
    """Cosine nearest neighbours over a fixed set of unit vectors."""

    dim: int

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def query(
        self, vector: np.ndarray, k: int, *, exclude: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` ids nearest ``vector`` (int64) and their cosine similarities (float32),
        most similar first, none of them in ``exclude``."""


class ExactIndex(NeighbourIndex):
    """Brute force: every row's cosine with the query (rows and query are unit vectors)."""

    def __init__(self, ids: np.ndarray, matrix: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        matrix = np.asarray(matrix, dtype=np.float32)
        if matrix.ndim != 2 or len(matrix) != len(ids):
            raise ValueError(f"{len(ids)} ids but a matrix of shape {matrix.shape}")
        self.ids = ids
        self.matrix = matrix
        self.dim = int(matrix.shape[1]) if len(ids) else 0

    def __len__(self) -> int:
        return len(self.ids)

    def query(
        self, vector: np.ndarray, k: int, *, exclude: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.ids):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self.matrix @ _as_query(vector, self.dim)
        return top_k(self.ids, scores, k, _exclusions(exclude))


class AnnIndex(NeighbourIndex):
    """An HNSW graph (usearch) with cosine distance. Build with ``AnnIndex.build``, write with
    ``save``, read with ``AnnIndex.load`` (a memory-mapped view: read-only)."""

    def __init__(self, index: Any, dim: int) -> None:
        self._index = index
        self.dim = dim

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        matrix: np.ndarray,
        *,
        connectivity: int = CONNECTIVITY,
        expansion_add: int = EXPANSION_ADD,
        expansion_search: int = EXPANSION_SEARCH,
        dtype: str = STORAGE_DTYPE,
        threads: int = 0,
    ) -> AnnIndex:
        """An index of ``matrix``'s rows under ``ids`` (distinct, non-negative). ``threads``:
        0 uses every core."""
        from usearch.index import Index

        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        if matrix.ndim != 2 or len(matrix) != len(ids):
            raise ValueError(f"{len(ids)} ids but a matrix of shape {matrix.shape}")
        if len(ids) and ids.min() < 0:
            raise ValueError("ids must be non-negative")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("ids must be distinct")
        dim = int(matrix.shape[1])
        index = Index(
            ndim=dim,
            metric="cos",
            dtype=dtype,
            connectivity=connectivity,
            expansion_add=expansion_add,
            expansion_search=expansion_search,
        )
        if len(ids):
            index.add(ids.astype(np.uint64), matrix, threads=threads)
        return cls(index, dim)

    def __len__(self) -> int:
        return len(self._index)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to ``path`` in one step: readers see the old file or the new one."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            self._index.save(temporary)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, expansion_search: int = EXPANSION_SEARCH):
        """The index saved at ``path``, as a read-only view of the memory-mapped file."""
        from usearch.index import Index

        index = Index.restore(str(path), view=True, expansion_search=expansion_search)
        if index is None:
            raise ValueError(f"{path} is not a usearch index")
        return cls(index, int(index.ndim))

    def query(
        self, vector: np.ndarray, k: int, *, exclude: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        excluded = _exclusions(exclude)
        size = len(self._index)
        if k <= 0 or not size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        wanted = min(size, k + len(excluded))
        matches = self._index.search(_as_query(vector, self.dim), wanted)
        ids = np.asarray(matches.keys, dtype=np.uint64).astype(np.int64)
        similarities = (1.0 - np.asarray(matches.distances, dtype=np.float32)).astype(np.float32)
        return top_k(ids, similarities, k, excluded)


def build_index(
    ids: np.ndarray, matrix: np.ndarray, *, min_rows: int = ANN_MIN_ROWS, **options: Any
) -> NeighbourIndex:
    """An exact index below ``min_rows`` rows, an approximate one from there on."""
    if len(ids) < min_rows:
        return ExactIndex(ids, matrix)
    return AnnIndex.build(ids, matrix, **options)


def merge_results(
    *parts: tuple[np.ndarray, np.ndarray], k: int, exclude: Iterable[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of several ``query`` answers; an id found twice keeps its best score."""
    parts = tuple(part for part in parts if len(part[0]))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    ids = np.concatenate([part[0] for part in parts])
    scores = np.concatenate([part[1] for part in parts]).astype(np.float32)
    order = np.lexsort((-scores, ids))
    ids, scores = ids[order], scores[order]
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    return top_k(ids[first], scores[first], k, _exclusions(exclude))


def write_json_atomic(path: str | os.PathLike[str], data: dict[str, Any]) -> None:
    """``data`` as JSON at ``path``, written to a temporary name and renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
