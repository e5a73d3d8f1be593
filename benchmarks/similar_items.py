"""Similar-item search at 100k and 1M items: the approximate index against brute force.

For each size: the index's build time and file size, then queries by random stored vectors
(the item asked about left out, as the API does), timed one at a time through a memory-mapped
load of the saved file: p50 / p95 latency, and recall@10 against an exact brute-force search
over the same vectors in the same run (whose latency is printed too).

Vectors: 384-d unit vectors derived from real texts. The SMS spam collection and the Davidson
tweets (about 30k texts) are embedded with the ``hashing`` embedder (384 dims, no model files);
each benchmark vector is a seeded mix of two of them plus a little noise,
``normalise(a + 0.35 b + 0.05 g)`` with ``g`` a unit Gaussian vector, so the set has the
neighbourhood structure of text embeddings (topics, near-duplicates) at any size.

    python benchmarks/similar_items.py                        # 100k and 1M
    python benchmarks/similar_items.py --sizes 100000 --queries 500
    python benchmarks/similar_items.py --budget-seconds 540   # stop adding sizes after this

Writes benchmarks/results/similar_items.json. Bounded: sizes are skipped once the predicted
build time of the next one would pass ``--budget-seconds`` (default 540 s).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_common import real_texts  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
DIM = 384


def derived_vectors(base: np.ndarray, n: int, *, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors, each a seeded mix of two real-text vectors plus a little noise."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        size = min(step, n - start)
        a = base[rng.integers(0, len(base), size)]
        b = base[rng.integers(0, len(base), size)]
        noise = rng.standard_normal((size, base.shape[1])).astype(np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        block = a + 0.35 * b + 0.05 * noise
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + size] = block
    return out


def measure(
    size: int, vectors: np.ndarray, *, queries: int, folder: Path, threads: int
) -> dict[str, object]:
    from models_app.ml.ann import (
        CONNECTIVITY,
        EXPANSION_ADD,
        EXPANSION_SEARCH,
        STORAGE_DTYPE,
        AnnIndex,
        ExactIndex,
    )

    ids = np.arange(1, size + 1, dtype=np.int64)
    matrix = vectors[:size]
    started = time.perf_counter()
    index = AnnIndex.build(ids, matrix, threads=threads)
    build_seconds = time.perf_counter() - started
    path = folder / f"bench-{size}.usearch"
    index.save(path)
    del index
    size_bytes = path.stat().st_size
    loaded_at = time.perf_counter()
    view = AnnIndex.load(path)
    load_seconds = time.perf_counter() - loaded_at
    exact = ExactIndex(ids, matrix)
    rng = np.random.default_rng(size)
    rows = rng.choice(size, queries, replace=False)
    ann_ms: list[float] = []
    exact_ms: list[float] = []
    recalls: list[float] = []
    for row in rows:
        vector = matrix[row]
        exclude = [int(ids[row])]
        t = time.perf_counter()
        found, _ = view.query(vector, 10, exclude=exclude)
        ann_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        truth, _ = exact.query(vector, 10, exclude=exclude)
        exact_ms.append((time.perf_counter() - t) * 1000)
        recalls.append(len(set(found.tolist()) & set(truth.tolist())) / 10)
    path.unlink()
    return {
        "size": size,
        "dim": int(matrix.shape[1]),
        "build_seconds": round(build_seconds, 1),
        "build_vectors_per_second": round(size / build_seconds),
        "index_bytes": size_bytes,
        "index_mb": round(size_bytes / 1e6, 1),
        "load_seconds": round(load_seconds, 3),
        "queries": queries,
        "query_ms_p50": round(float(np.percentile(ann_ms, 50)), 2),
        "query_ms_p95": round(float(np.percentile(ann_ms, 95)), 2),
        "brute_force_ms_p50": round(float(np.percentile(exact_ms, 50)), 1),
        "brute_force_ms_p95": round(float(np.percentile(exact_ms, 95)), 1),
        "recall_at_10": round(float(np.mean(recalls)), 4),
        "recall_at_10_min": round(float(np.min(recalls)), 2),
        "parameters": {
            "connectivity": CONNECTIVITY,
            "expansion_add": EXPANSION_ADD,
            "expansion_search": EXPANSION_SEARCH,
            "storage": STORAGE_DTYPE,
            "build_threads": threads or os.cpu_count(),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=0, help="build threads (0: all cores)")
    parser.add_argument("--budget-seconds", type=float, default=540.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "similar_items.json")
    args = parser.parse_args()
    started = time.perf_counter()
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())

    from models_app.ml.embedders.registry import get_embedder

    texts = real_texts()
    t = time.perf_counter()
    base = get_embedder("hashing").embed(texts)
    embed_seconds = time.perf_counter() - t
    vectors = derived_vectors(base, max(sizes))
    print(
        f"{len(texts):,} real texts embedded with hashing in {embed_seconds:.1f} s; "
        f"{len(vectors):,} derived {vectors.shape[1]}-d vectors"
    )

    rows: list[dict[str, object]] = []
    skipped: list[int] = []
    with tempfile.TemporaryDirectory(prefix="similar-bench-") as folder:
        for size in sizes:
            spent = time.perf_counter() - started
            if rows:
                last = rows[-1]
                # HNSW builds grow a little faster than linearly: predict with n log n.
                predicted = (
                    float(last["build_seconds"])
                    * (size / int(last["size"]))
                    * (np.log(size) / np.log(int(last["size"])))
                )
                if spent + predicted * 1.1 > args.budget_seconds:
                    print(f"skipping {size:,}: predicted build {predicted:.0f} s past the budget")
                    skipped.append(size)
                    continue
            row = measure(
                size, vectors, queries=args.queries, folder=Path(folder), threads=args.threads
            )
            rows.append(row)
            print(json.dumps(row))

    header = (
        f"{'vectors':>10} {'build s':>8} {'index MB':>9} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'recall@10':>9} {'brute p50 ms':>12}"
    )
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['size']:>10,} {row['build_seconds']:>8} {row['index_mb']:>9} "
            f"{row['query_ms_p50']:>7} {row['query_ms_p95']:>7} {row['recall_at_10']:>9} "
            f"{row['brute_force_ms_p50']:>12}"
        )
    result = {
        "benchmark": "similar_items",
        "vectors": "hashing embeddings of SMS + Davidson texts, mixed in pairs plus 5 % noise",
        "real_texts": len(texts),
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "rows": rows,
        "skipped_sizes": skipped,
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
