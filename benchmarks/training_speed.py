"""Retrain + rescore + re-prioritise a pool of 10k, 100k and 1M items, embeddings cached.

For each pool size a fresh project is filled with real texts (SMS spam collection and the
Davidson tweets, cycled) and their real MiniLM vectors (a little noise added to the copies, so
no two are identical), 800 human labels on the train split and 200 on the held-out splits.
Then two training jobs run through ``training_job_run``, exactly as the Celery worker runs
them: the first one (no model yet) and the one that matters, a retrain while a production
model serves (snapshot → fit → evaluate → compare with production → rescore the whole pool →
write the head of the queue). Prints the wall time of each run, the time of each step, and
the peak memory of the process; writes JSON.

Each pool size runs in its own child process, so its peak RSS is its own.

    python benchmarks/training_speed.py [--sizes 10000,100000,1000000] [--out PATH]
    DATABASE_URL=postgres://... picks the server (default: local PostgreSQL, tandem_bench_train)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from bench_common import ensure_database, setup_django

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tandem_bench_train"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
TARGETS = {100_000: 5.0, 1_000_000: 30.0}
TRAIN_LABELS = 800
HELD_OUT_LABELS = 200
COPY_ROWS = 50_000


def real_data() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, their MiniLM vectors (cached on disk by benchmarks/active_learning.py's helper)
    and whether each is the positive class (spam / abusive)."""
    import active_learning

    texts, positive, vectors = [], [], []
    for dataset in (active_learning.load_sms(), active_learning.load_davidson()):
        matrix, _rate = active_learning.embed(dataset.texts)
        texts += dataset.texts
        positive.append(dataset.positive)
        vectors.append(matrix)
    return texts, np.concatenate(vectors), np.concatenate(positive)


def _fill(size: int, seed: int = 0):
    """A project with ``size`` items, their vectors and 1,000 human labels."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from labeling.choices import AnnotationSource, Split
    from labeling.models import Annotation, Item
    from labeling.selectors.embedders import project_embedder
    from labeling.services.imports.item_rows import split_for
    from labeling.services.projects import project_create
    from models_app.services.embeddings import embedding_store

    texts, vectors, positive = real_data()
    user, _ = get_user_model().objects.get_or_create(username="bench", is_staff=True)
    project = project_create(
        created_by=user,
        name=f"training speed {size:,}",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ok"}, {"name": "flag"}],
    )
    project.retrain_every = 0
    project.save(update_fields=["retrain_every"])
    embedder = project_embedder(project=project)
    rng = np.random.default_rng(seed)
    now = timezone.now()
    n_real = len(texts)
    with connection.cursor() as cursor:
        for start in range(0, size, COPY_ROWS):
            stop = min(size, start + COPY_ROWS)
            with (
                transaction.atomic(),
                cursor.cursor.copy(
                    "COPY labeling_item (project_id, external_id, text, metadata, content_hash, "
                    "split, created_at) FROM STDIN"
                ) as copy,
            ):
                for n in range(start, stop):
                    cycle, row = divmod(n, n_real)
                    external_id = f"row-{n}"
                    text = texts[row] if not cycle else f"{texts[row]} #{cycle}"
                    copy.write_row(
                        (
                            project.pk,
                            external_id,
                            text,
                            "{}",
                            f"h{n}",
                            split_for(external_id),
                            now,
                        )
                    )
    ids = np.asarray(
        Item.objects.filter(project=project).order_by("id").values_list("id", flat=True),
        dtype=np.int64,
    )
    for start in range(0, size, COPY_ROWS):
        rows = np.arange(start, min(size, start + COPY_ROWS))
        block = vectors[rows % n_real].astype(np.float32)
        copies = rows >= n_real
        if copies.any():
            block[copies] += rng.normal(0, 0.01, size=(int(copies.sum()), block.shape[1])).astype(
                np.float32
            )
            block[copies] /= np.linalg.norm(block[copies], axis=1, keepdims=True)
        embedding_store(
            owner=project.owner_key, embedder=embedder.key, object_ids=ids[rows], vectors=block
        )
    # People's labels: the true label of a random sample of each split.
    splits = dict(Item.objects.filter(project=project).values_list("id", "split"))
    order = rng.permutation(size)
    train = [i for i in order if splits[int(ids[i])] == Split.TRAIN][:TRAIN_LABELS]
    held = [i for i in order if splits[int(ids[i])] != Split.TRAIN][:HELD_OUT_LABELS]
    chosen = train + held
    Annotation.objects.bulk_create(
        Annotation(
            item_id=int(ids[i]),
            annotator=user,
            labels=["flag" if positive[i % n_real] else "ok"],
            source=AnnotationSource.HUMAN,
        )
        for i in chosen
    )
    Item.objects.filter(id__in=[int(ids[i]) for i in chosen]).update(
        queue_annotations=1, queue_done=True
    )
    return project


def child(size: int) -> None:
    """One pool size: fill a project, train twice, print the figures as JSON."""
    setup_django()
    from django.core.management import call_command

    from labeling.models import Item
    from labeling.services.learning_jobs import project_training_request
    from labeling.services.training import training_job_run
    from models_app.choices import JobStatus, JobTrigger

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    project = _fill(size)
    fill_seconds = time.perf_counter() - start
    runs = []
    for _ in range(2):
        job = project_training_request(project=project, trigger=JobTrigger.MANUAL)
        start = time.perf_counter()
        job = training_job_run(job_id=job.pk)
        seconds = time.perf_counter() - start
        if job is None or job.status != JobStatus.SUCCEEDED:
            sys.exit(f"training failed: {job and (job.error or job.message)}")
        runs.append(
            {
                "seconds": round(seconds, 2),
                "steps": job.result.get("timings", {}),
                "pool": job.result.get("pool"),
                "written": job.result.get("scored"),
                "roc_auc": (job.model_version.metrics or {}).get("roc_auc"),
            }
        )
    head = Item.objects.filter(project=project, priority__gt=0).count()
    print(
        json.dumps(
            {
                "items": size,
                "fill_seconds": round(fill_seconds, 1),
                "first_run": runs[0],
                "retrain": runs[1],
                "queue_head_items": head,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


def label(size: int) -> str:
    return {10_000: "10k", 100_000: "100k", 1_000_000: "1m"}.get(size, str(size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="pool sizes, comma-separated"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "training_speed.json")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        sys.exit("This benchmark measures PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url}
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results: dict = {"database": "postgresql", "cases": []}
    print(f"{'items':>10} {'retrain s':>10} {'first s':>8} {'target':>7} {'RSS MB':>7}  steps")
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            sys.exit(f"{size:,} items failed:\n{out.stderr[-3000:]}")
        case = json.loads(out.stdout.strip().splitlines()[-1])
        results["cases"].append(case)
        results[f"retrain_seconds_{label(size)}"] = case["retrain"]["seconds"]
        target = TARGETS.get(size)
        steps = ", ".join(f"{k} {v:.2f}" for k, v in case["retrain"]["steps"].items())
        print(
            f"{size:>10,} {case['retrain']['seconds']:>10.2f} {case['first_run']['seconds']:>8.2f} "
            f"{f'≤{target:.0f}' if target else '':>7} {case['peak_rss_mb']:>7}  {steps}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
