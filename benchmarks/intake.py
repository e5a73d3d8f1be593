"""Moderation intake over HTTP: single-item latency, batch throughput, hash-bank lookups.

A real server (gunicorn) on 127.0.0.1 with PostgreSQL, a production model trained on SMS spam
labels over the real MiniLM embedder, a policy in partial automation and a 10,000-entry hash
bank (pHashes, plus SHA-256 values). A platform client with an API key then:

- sends single items (``POST platform/intake/``, one keep-alive connection): p50 / p95 / p99;
- sends batches of 100 real texts (``POST platform/intake/batch/``): items per second;

and the same run measures the raw MiniLM encode throughput on the same batch texts (the
ceiling: the model is the bottleneck) and the hash-bank lookup time per item.

Targets: single p95 ≤ 60 ms; batch ≥ 70 % of the encode throughput; lookup ≤ 1 ms.

    python benchmarks/intake.py [--singles 300] [--batches 10] [--out PATH]
    DATABASE_URL=postgres://... picks the server (default: local PostgreSQL, tandem_bench_intake)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_common import Server, ensure_database, setup_django

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
DATASETS = REPO.parent / "shared" / "datasets"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tandem_bench_intake"
TRAIN_TEXTS = 1500
BATCH_SIZE = 100
HASH_ENTRIES = 10_000


def sms_rows() -> list[tuple[str, str]]:
    path = DATASETS / "sms_spam_collection.tsv"
    if not path.is_file():
        sys.exit(f"{path} is missing; this benchmark needs the real SMS texts.")
    rows, seen = [], set()
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            label, _, text = line.rstrip("\n").partition("\t")
            if text.strip() and text not in seen:
                seen.add(text)
                rows.append((label, text))
    return rows


# --- set-up (child process with the benchmark's database) --------------------------------------


def setup() -> dict:
    """Migrate, train a MiniLM production model on SMS labels, make the policy, key and bank."""
    setup_django()
    import random

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from labeling.choices import AnnotationSource
    from labeling.models import Annotation, Item, LabelClass, Project
    from labeling.services.imports.item_rows import split_for
    from labeling.services.imports.readers.rows import text_hash
    from labeling.services.learning_jobs import project_training_request
    from labeling.services.training import training_job_run
    from models_app.choices import JobTrigger, Stage
    from models_app.models import ModelVersion
    from models_app.services.registry import model_version_set_stage
    from moderation.models import HashEntry, Platform, Policy, PolicyCategory
    from moderation.services import hashbank
    from moderation.services.grants import policy_grant
    from moderation.services.platforms import api_key_create

    admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench")
    project = Project.objects.create(name="SMS moderation", embedder="minilm", retrain_every=0)
    for order, name in enumerate(["ham", "spam"]):
        LabelClass.objects.create(project=project, name=name, hotkey=str(order + 1), order=order)
    rows = sms_rows()[:TRAIN_TEXTS]
    items = Item.objects.bulk_create(
        Item(
            project=project,
            external_id=f"sms-{i}",
            text=text,
            content_hash=text_hash(text),
            split=split_for(f"sms-{i}"),
        )
        for i, (_, text) in enumerate(rows)
    )
    Annotation.objects.bulk_create(
        Annotation(item=item, labels=[label], source=AnnotationSource.HUMAN)
        for item, (label, _) in zip(items, rows, strict=True)
    )
    job = training_job_run(
        job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk
    )
    version = ModelVersion.objects.get(owner=project.owner_key)
    if version.stage != Stage.PRODUCTION:
        model_version_set_stage(version=version, stage=Stage.PRODUCTION)
    policy = Policy.objects.create(name="SMS rules", project=project, automation_level="partial")
    spam = PolicyCategory.objects.create(
        policy=policy, name="spam", label_class="spam", severity=3,
        remove_threshold=0.95, allow_threshold=0.05, rules=[r"\bwinner\b", "claim now"],
    )  # fmt: skip
    rng = random.Random(7)
    HashEntry.objects.bulk_create(
        [
            HashEntry(kind="phash", value=f"{rng.getrandbits(64):016x}", category=spam)
            for _ in range(HASH_ENTRIES)
        ]
        + [
            HashEntry(kind="sha256", value=f"{rng.getrandbits(256):064x}", category=spam)
            for _ in range(HASH_ENTRIES)
        ],
        batch_size=5000,
    )
    platform = Platform.objects.create(name="Bench platform")
    policy_grant(policy=policy, platform=platform, actor=admin)
    key = api_key_create(platform=platform, scopes=["intake"], created_by=admin).key

    # Hash-bank lookup per item (the bank is cached in the process after the first call).
    policy.refresh_from_db()
    probes = [(f"{rng.getrandbits(256):064x}", f"{rng.getrandbits(64):016x}") for _ in range(2000)]
    hashbank.hash_bank_match(policy=policy, sha256=probes[0][0], phash=probes[0][1])
    started = time.perf_counter()
    for sha, phash in probes:
        hashbank.hash_bank_match(policy=policy, sha256=sha, phash=phash)
    lookup_ms = (time.perf_counter() - started) / len(probes) * 1000
    return {
        "key": key,
        "policy": policy.pk,
        "train_status": job.status if job else "missing",
        "model_version": version.version,
        "roc_auc": version.metrics.get("roc_auc"),
        "hash_lookup_ms": lookup_ms,
    }


def encode_baseline(texts: list[str]) -> float:
    """Raw MiniLM throughput (items/s) on ``texts`` in batches of BATCH_SIZE."""
    sys.path.insert(0, str(REPO))
    from models_app.ml.embedders.registry import get_embedder

    embedder = get_embedder("minilm")
    embedder.embed(texts[:BATCH_SIZE])  # load the weights
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH_SIZE):
        embedder.embed(texts[start : start + BATCH_SIZE])
    return len(texts) / (time.perf_counter() - started)


# --- the server ---------------------------------------------------------------------------------


def post(conn: http.client.HTTPConnection, key: str, path: str, body: dict) -> tuple[int, dict]:
    conn.request(
        "POST",
        path,
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


# --- main ---------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--singles", type=int, default=300)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS / "intake.json")
    parser.add_argument("--child", choices=["setup"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        print(json.dumps(setup()))
        return

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        sys.exit("This benchmark measures PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    ensure_database(url)
    data_dir = tempfile.mkdtemp(prefix="tandem-bench-intake-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TANDEM_DATA_DIR": data_dir,
        "MEDIA_ROOT": str(Path(data_dir) / "media"),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    print("setting up: training the MiniLM model on SMS spam labels …", flush=True)
    out = subprocess.run(
        [sys.executable, __file__, "--child", "setup"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode:
        sys.exit(f"setup failed:\n{out.stderr[-3000:]}")
    state = json.loads(out.stdout.strip().splitlines()[-1])

    rows = sms_rows()[TRAIN_TEXTS:]
    singles = [text for _, text in rows[: args.singles]]
    batch_texts = [
        text for _, text in rows[args.singles : args.singles + args.batches * BATCH_SIZE]
    ]
    encode_per_s = encode_baseline(batch_texts)

    server = Server(env, workers=1, threads=4)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        base = {"policy": state["policy"], "author_id": "bench-author"}
        for i in range(10):  # warm up: model, embedder, hash bank, connections
            post(conn, state["key"], "/api/v1/platform/intake/",
                 {**base, "external_id": f"warm-{i}", "text": singles[i]})  # fmt: skip
        post(conn, state["key"], "/api/v1/platform/intake/batch/",
             {"items": [{**base, "external_id": f"warm-b{i}", "text": t}
                        for i, t in enumerate(batch_texts[:BATCH_SIZE])]})  # fmt: skip
        latencies, states = [], {}
        for i, text in enumerate(singles):
            started = time.perf_counter()
            code, answer = post(conn, state["key"], "/api/v1/platform/intake/",
                                {**base, "external_id": f"single-{i}", "text": text})  # fmt: skip
            latencies.append((time.perf_counter() - started) * 1000)
            if code != 201:
                sys.exit(f"single intake answered {code}: {answer}")
            states[answer["state"]] = states.get(answer["state"], 0) + 1
        started = time.perf_counter()
        accepted = 0
        for b in range(args.batches):
            chunk = batch_texts[b * BATCH_SIZE : (b + 1) * BATCH_SIZE]
            code, answer = post(conn, state["key"], "/api/v1/platform/intake/batch/",
                                {"items": [{**base, "external_id": f"batch-{b}-{i}", "text": t}
                                           for i, t in enumerate(chunk)]})  # fmt: skip
            if code != 200:
                sys.exit(f"batch intake answered {code}: {answer}")
            accepted += answer["accepted"]
        batch_per_s = accepted / (time.perf_counter() - started)
    finally:
        server.stop()

    result = {
        "database": "postgresql",
        "embedder": "minilm",
        "model_version": state["model_version"],
        "model_roc_auc": state["roc_auc"],
        "hash_bank_entries": HASH_ENTRIES,
        "single_requests": len(latencies),
        "single_p50_ms": pct(latencies, 50),
        "single_p95_ms": pct(latencies, 95),
        "single_p99_ms": pct(latencies, 99),
        "single_states": states,
        "batch_size": BATCH_SIZE,
        "batch_items": accepted,
        "batch_items_per_s": batch_per_s,
        "encode_baseline_items_per_s": encode_per_s,
        "batch_share_of_encode": batch_per_s / encode_per_s,
        "hash_lookup_ms": state["hash_lookup_ms"],
        "targets": {
            "single_p95_ms": 60,
            "batch_share_of_encode": 0.7,
            "hash_lookup_ms": 1.0,
        },
    }
    print()
    print(f"{'measure':<34}{'value':>12}  target")
    print(f"{'single intake p50 (ms)':<34}{result['single_p50_ms']:>12.1f}")
    print(f"{'single intake p95 (ms)':<34}{result['single_p95_ms']:>12.1f}  ≤ 60")
    print(f"{'single intake p99 (ms)':<34}{result['single_p99_ms']:>12.1f}")
    print(f"{'batch intake (items/s)':<34}{batch_per_s:>12.1f}")
    print(f"{'raw MiniLM encode (items/s)':<34}{encode_per_s:>12.1f}")
    print(f"{'batch / encode':<34}{result['batch_share_of_encode']:>12.0%}  ≥ 70 %")
    print(f"{'hash-bank lookup (ms/item)':<34}{result['hash_lookup_ms']:>12.4f}  ≤ 1")
    print(f"single-item outcomes: {states}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
