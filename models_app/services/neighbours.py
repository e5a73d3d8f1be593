"""Nearest neighbours among an owner's vectors of one embedder, fast at a million objects.

An owner's vectors (``models_app.services.embeddings``) get an approximate index
(``models_app.ml.ann``) once there are ``ANN_MIN_ROWS`` of them: ``neighbour_index_build``
(the Celery task ``ann_index_build_task``, on the embeddings queue) writes one file per
(owner, embedder, generation) under ``TANDEM_ANN_DIR``, with a JSON file beside it saying what
it holds; a new generation replaces the last one. Fewer vectors need no file: they are searched
by brute force over ``embedding_matrix``.

``neighbours_query`` never answers from stale data: it searches the newest generation (or the
in-memory matrix) and, by brute force on top, the vectors stored since it was built (the
*delta*: rows of the embedding table with a higher primary key than the highest one that
existed when the snapshot was read). Each process keeps what it has opened (a memory-mapped
view of the file, its ids, the delta so far) and reads only newer rows on the next query.

Callers hand in an owner key and an embedder key; this module knows nothing of projects.
Objects deleted since are the caller's to filter out (ask for a few more than you show).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import connection

from models_app.ml.ann import (
    ANN_MIN_ROWS,
    INDEX_FORMAT,
    AnnIndex,
    ExactIndex,
    merge_results,
    write_json_atomic,
)
from models_app.services.embeddings import TABLE, embedding_matrix, embedding_writes

if TYPE_CHECKING:
    from models_app.ml.ann import NeighbourIndex

logger = logging.getLogger(__name__)

# Rows inserted before a snapshot's high-water mark may commit after it was read (an embedding
# batch in another transaction); the delta looks this many primary keys further back and keeps
# the objects the snapshot does not hold.
DELTA_SLACK = 20_000
# Without an index file, up to this many vectors are held in memory and searched by brute
# force (about 300 MB at 384 dims); more wait for the index (``IndexNotReady``).
BRUTE_FORCE_MAX = 200_000
# A brute-force snapshot is read again once its delta passes this share of it (or 2,000 rows).
MEMORY_REFRESH_SHARE = 0.25
# Snapshots kept open per process (owner, embedder pairs).
MAX_OPEN = 8


class IndexNotReady(RuntimeError):
    """Too many vectors to search without an index, and none is built yet."""


@dataclass(frozen=True)
class IndexInfo:
    owner: str
    embedder: str
    generation: int
    size: int
    dim: int
    watermark: int
    build_seconds: float
    path: Path | None

    def as_json(self) -> dict[str, object]:
        return {
            "format": INDEX_FORMAT,
            "owner": self.owner,
            "embedder": self.embedder,
            "generation": self.generation,
            "size": self.size,
            "dim": self.dim,
            "watermark": self.watermark,
            "build_seconds": round(self.build_seconds, 3),
        }


def index_folder(*, owner: str, embedder: str) -> Path:
    """The folder of the (owner, embedder) pair's index files: a digest of both keys, so any
    characters in them are safe in a path."""
    digest = hashlib.sha256(f"{owner}\0{embedder}".encode()).hexdigest()[:32]
    return Path(settings.TANDEM_ANN_DIR) / digest


def _generation_paths(folder: Path, generation: int) -> tuple[Path, Path, Path]:
    stem = folder / f"gen-{generation:08d}"
    return stem.with_suffix(".usearch"), stem.with_suffix(".ids.npy"), stem.with_suffix(".json")


def _latest_meta(folder: Path) -> tuple[int, Path] | None:
    """The newest complete generation (its JSON is written last), or None."""
    best: tuple[int, Path] | None = None
    with contextlib.suppress(FileNotFoundError):
        for path in folder.glob("gen-*.json"):
            try:
                generation = int(path.name[4:12])
            except ValueError:
                continue
            if best is None or generation > best[0]:
                best = (generation, path)
    return best


def _high_water_mark() -> int:
    """The highest primary key of the embedding table (0 when empty): an index range ends."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {TABLE}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0] or 0)


def _count(owner: str, embedder: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {TABLE} WHERE owner = %s AND embedder = %s",  # noqa: S608
            [owner, embedder],
        )
        return int(cursor.fetchone()[0])


@contextlib.contextmanager
def _build_lock(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def neighbour_index_build(
    *, owner: str, embedder: str, min_rows: int = ANN_MIN_ROWS
) -> IndexInfo | None:
    """Build the next generation of the pair's index from every vector stored now, and remove
    the older generations (a process still reading one keeps its mapped pages). None, and no
    file, below ``min_rows`` vectors (brute force serves those). Builds of one pair run one at
    a time (a file lock); each reads the vectors afresh."""
    folder = index_folder(owner=owner, embedder=embedder)
    if _count(owner, embedder) < min_rows:
        if folder.is_dir():
            with _build_lock(folder):
                _remove_generations(folder, keep=None)
        return None
    with _build_lock(folder):
        latest = _latest_meta(folder)
        current = _current_info(folder, latest, owner=owner, embedder=embedder)
        if current is not None:
            # Requests queued while a long job embedded (and this build waited for the lock):
            # the index already holds every vector.
            return current
        started = time.monotonic()
        watermark = _high_water_mark()
        ids, matrix = embedding_matrix(owner=owner, embedder=embedder)
        index = AnnIndex.build(ids, matrix, threads=settings.TANDEM_ANN_BUILD_THREADS)
        del matrix
        generation = (latest[0] + 1) if latest else 1
        index_path, ids_path, meta_path = _generation_paths(folder, generation)
        index.save(index_path)
        np.save(ids_path, np.sort(ids))
        info = IndexInfo(
            owner=owner,
            embedder=embedder,
            generation=generation,
            size=len(ids),
            dim=index.dim,
            watermark=watermark,
            build_seconds=time.monotonic() - started,
            path=index_path,
        )
        write_json_atomic(meta_path, info.as_json())
        _remove_generations(folder, keep=generation)
    logger.info(
        "built neighbour index %s of %s %s: %d vectors in %.1f s",
        generation,
        owner,
        embedder,
        info.size,
        info.build_seconds,
    )
    return info


def _current_info(
    folder: Path, latest: tuple[int, Path] | None, *, owner: str, embedder: str
) -> IndexInfo | None:
    """The newest generation when it holds exactly the pair's vectors stored now (none added or
    removed since), else None."""
    if latest is None:
        return None
    generation, meta_path = latest
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("format") != INDEX_FORMAT or meta.get("size") != _count(owner, embedder):
        return None
    index_path, ids_path, _ = _generation_paths(folder, generation)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT object_id FROM {TABLE} WHERE id > %s AND owner = %s AND embedder = %s",  # noqa: S608
            [max(0, int(meta["watermark"]) - DELTA_SLACK), owner, embedder],
        )
        recent = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
    try:
        indexed = np.load(ids_path, mmap_mode="r")
    except (OSError, ValueError):
        return None
    if not _contains(indexed, recent).all():
        return None
    return IndexInfo(
        owner=owner,
        embedder=embedder,
        generation=generation,
        size=int(meta["size"]),
        dim=int(meta["dim"]),
        watermark=int(meta["watermark"]),
        build_seconds=0.0,
        path=index_path,
    )


def _remove_generations(folder: Path, *, keep: int | None) -> None:
    for path in folder.glob("gen-*"):
        if keep is None or not path.name.startswith(f"gen-{keep:08d}."):
            path.unlink(missing_ok=True)


def neighbour_index_request(*, owner: str, embedder: str) -> None:
    """Queue a build of the pair's index (embeddings queue) once the current transaction
    commits."""
    from core.tasks import enqueue_on_commit
    from models_app.tasks import ann_index_build_task

    enqueue_on_commit(ann_index_build_task, owner, embedder)


@dataclass
class _Snapshot:
    """What a process has opened for one pair: the main index (a generation's file, or a
    matrix in memory), the ids it holds, and the vectors stored since."""

    key: str
    index: NeighbourIndex
    ids: np.ndarray  # sorted
    watermark: int
    generation: int | None
    delta_seen: int = 0
    delta_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    delta_matrix: np.ndarray | None = None
    # The pair's write count (``embedding_writes``) when the delta was last read past the
    # slack; -1 before the first read.
    writes_seen: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.delta_seen = self.watermark


_open: OrderedDict[tuple[str, str], _Snapshot] = OrderedDict()
_open_lock = threading.Lock()


def _open_snapshot(owner: str, embedder: str) -> _Snapshot:
    folder = index_folder(owner=owner, embedder=embedder)
    latest = _latest_meta(folder)
    pair = (owner, embedder)
    with _open_lock:
        cached = _open.get(pair)
    if latest is not None:
        generation, meta_path = latest
        key = str(meta_path)
        if cached is not None and cached.key == key:
            return cached
        try:
            snapshot = _load_generation(folder, generation, meta_path)
        except (OSError, ValueError) as exc:
            # Replaced by a newer generation while opening it, or damaged: memory serves.
            logger.warning("cannot open neighbour index %s: %r", meta_path, exc)
            snapshot = None
        if snapshot is not None:
            return _remember(pair, snapshot)
    if cached is not None and cached.generation is None and not _memory_stale(cached):
        return cached
    return _remember(pair, _load_memory(owner, embedder))


def _remember(pair: tuple[str, str], snapshot: _Snapshot) -> _Snapshot:
    with _open_lock:
        _open[pair] = snapshot
        _open.move_to_end(pair)
        while len(_open) > MAX_OPEN:
            _open.popitem(last=False)
    return snapshot


def _load_generation(folder: Path, generation: int, meta_path: Path) -> _Snapshot:
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != INDEX_FORMAT:
        raise ValueError(f"index format {meta.get('format')!r}")
    index_path, ids_path, _ = _generation_paths(folder, generation)
    index = AnnIndex.load(index_path)
    ids = np.load(ids_path, mmap_mode="r")
    return _Snapshot(
        key=str(meta_path),
        index=index,
        ids=ids,
        watermark=int(meta["watermark"]),
        generation=generation,
    )


def _load_memory(owner: str, embedder: str) -> _Snapshot:
    if _count(owner, embedder) > BRUTE_FORCE_MAX:
        raise IndexNotReady(
            f"{owner} has more than {BRUTE_FORCE_MAX:,} vectors from {embedder} and their "
            "index is not built yet"
        )
    watermark = _high_water_mark()
    ids, matrix = embedding_matrix(owner=owner, embedder=embedder)
    return _Snapshot(
        key="memory",
        index=ExactIndex(ids, matrix if len(ids) else np.zeros((0, 0), dtype=np.float32)),
        ids=ids,
        watermark=watermark,
        generation=None,
    )


def _memory_stale(snapshot: _Snapshot) -> bool:
    delta = len(snapshot.delta_ids)
    return delta > max(2_000, MEMORY_REFRESH_SHARE * len(snapshot.ids))


def _read_delta(snapshot: _Snapshot, owner: str, embedder: str) -> None:
    """Add the pair's vectors stored since the snapshot (and not in it) to its delta.

    The rows ``DELTA_SLACK`` keys back (committed late) are read again only when the pair's
    write count moved since the last time they were: with the count unchanged no vector was
    stored through ``embedding_store`` since, and only rows with a higher key (stored some
    other way) are looked for. Reading the slack is most of a query's time at 200,000 vectors
    (each row carries its vector: thousands of pages)."""
    writes = embedding_writes(owner=owner, embedder=embedder)
    if writes == snapshot.writes_seen:
        start = snapshot.delta_seen
    else:
        start = max(0, snapshot.delta_seen - DELTA_SLACK)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, object_id FROM {TABLE} WHERE id > %s "  # noqa: S608
            "AND owner = %s AND embedder = %s ORDER BY id",
            [start, owner, embedder],
        )
        rows = cursor.fetchall()
    # Read before the rows: a write committed in between moves the count past it, and the
    # next query reads the slack again.
    snapshot.writes_seen = writes
    if not rows:
        return
    row_ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    object_ids = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    new = object_ids[~_contains(snapshot.ids, object_ids)]
    new = new[~np.isin(new, snapshot.delta_ids)]
    # Only keys the next read must look past: the slack covers rows committed late.
    snapshot.delta_seen = max(snapshot.delta_seen, int(row_ids.max()))
    if not len(new):
        return
    ids, matrix = embedding_matrix(owner=owner, embedder=embedder, object_ids=np.unique(new))
    if not len(ids):
        return
    if snapshot.delta_matrix is None or not len(snapshot.delta_ids):
        snapshot.delta_ids, snapshot.delta_matrix = ids, matrix
    else:
        snapshot.delta_ids = np.concatenate([snapshot.delta_ids, ids])
        snapshot.delta_matrix = np.concatenate([snapshot.delta_matrix, matrix])


def _contains(sorted_ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    if not len(sorted_ids):
        return np.zeros(len(values), dtype=bool)
    positions = np.searchsorted(sorted_ids, values).clip(max=len(sorted_ids) - 1)
    return np.asarray(sorted_ids[positions] == values)


@dataclass(frozen=True)
class Neighbours:
    ids: np.ndarray
    similarities: np.ndarray
    # Vectors searched: in the index (or memory matrix) and stored since.
    indexed: int
    delta: int
    # The index generation answered from; None: brute force over every vector.
    generation: int | None


def neighbours_query(
    *,
    owner: str,
    embedder: str,
    vector: np.ndarray,
    k: int,
    exclude: np.ndarray | list[int] | None = None,
) -> Neighbours:
    """The ``k`` objects of the owner whose ``embedder`` vectors are nearest ``vector`` (cosine),
    most similar first, leaving out ``exclude``. Raises ``IndexNotReady`` when there are too
    many vectors for brute force and no index yet (``neighbour_index_request`` builds one)."""
    excluded = np.asarray(exclude if exclude is not None else [], dtype=np.int64)
    snapshot = _open_snapshot(owner, embedder)
    with snapshot.lock:
        _read_delta(snapshot, owner, embedder)
        delta_ids, delta_matrix = snapshot.delta_ids, snapshot.delta_matrix
    main = snapshot.index.query(vector, k, exclude=excluded) if len(snapshot.index) else None
    parts = [main] if main is not None else []
    if delta_matrix is not None and len(delta_ids):
        parts.append(ExactIndex(delta_ids, delta_matrix).query(vector, k, exclude=excluded))
    ids, similarities = merge_results(*parts, k=k)
    return Neighbours(
        ids=ids,
        similarities=similarities,
        indexed=len(snapshot.index),
        delta=len(delta_ids),
        generation=snapshot.generation,
    )


def neighbours_forget_open() -> None:
    """Close every snapshot this process holds (tests; a process that wants its memory back)."""
    with _open_lock:
        _open.clear()
