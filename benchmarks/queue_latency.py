"""Annotation queue latency over HTTP: next → submit, by pool size and number of annotators.

A real server (gunicorn, as ``make run`` starts it) on 127.0.0.1 and real clients: each
client is an annotator with its own API token and keep-alive connection, labeling items for a
bounded number of labels (and at most ``--seconds`` per case), in one of two ways:

- ``separate``: ``POST queue/next/`` → ``POST queue/items/{id}/submit/`` (two requests a label);
- ``round-trip``: one ``queue/next/`` to start, then ``POST queue/items/{id}/submit/`` with
  ``"next": true``, whose answer carries the next leased item (one request a label, as the SPA
  works).

Projects are filled with real texts (SMS spam collection and Davidson tweets, cycled) and a
random queue priority per item, as a rescoring leaves them.

Cases (all run with no arguments):

- PostgreSQL, 1 client, pools of 10k, 100k and 1M items (latency must not grow with the pool),
  separate calls; on 1M also one request a label;
- PostgreSQL, 16 clients, 1M items, both ways (throughput, and no item handed to two clients);
- SQLite (the embedded default), 1 client, 100k items (``--no-sqlite`` leaves it out).

Prints p50/p95/p99 of both calls (``next`` is empty when it rides on the submit), labels per
second and duplicate assignments (an item handed to two clients, from the clients' own records,
plus items the database shows with more annotations than the project asks for). Writes JSON.

    python benchmarks/queue_latency.py [--pairs 400] [--seconds 60] [--out PATH]
    DATABASE_URL=postgres://... picks the server (default: local PostgreSQL, tandem_bench_queue)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
from bench_common import Server, ensure_database, real_texts, setup_django

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
DATASETS = REPO.parent / "shared" / "datasets"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tandem_bench_queue"
CLIENTS = 16
COPY_ROWS = 50_000
SEPARATE, ROUND_TRIP = "separate", "round-trip"
TARGETS = "1 client on 1M: next p95 ≤ 15 ms, submit p95 ≤ 20 ms; 16 clients, one request a "
TARGETS += "label: ≥ 180 labels/s, 0 duplicates; SQLite 100k: next p95 ≤ 20 ms"


# --- setting up (runs in a child process with the case's database settings) ------------------


def fill(size: int, clients: int) -> dict:
    """A project of ``size`` items with priorities and predictions, and ``clients`` annotators
    with API tokens. Returns the project id and the tokens."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from core.services.api_tokens import api_token_create
    from labeling.choices import Role
    from labeling.models import ProjectMembership
    from labeling.services.imports.item_rows import split_for
    from labeling.services.projects import project_create

    call_command("migrate", verbosity=0)
    texts = real_texts()
    users = get_user_model()
    owner, _ = users.objects.get_or_create(username="bench-owner", is_staff=True)
    project = project_create(
        created_by=owner,
        name=f"queue latency {size:,}",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ok"}, {"name": "flag"}],
    )
    project.retrain_every = 0  # the benchmark measures the queue, not training
    project.save(update_fields=["retrain_every"])
    rng = random.Random(size)
    now = timezone.now()
    vendor = connection.vendor
    for start in range(0, size, COPY_ROWS):
        rows = []
        for n in range(start, min(size, start + COPY_ROWS)):
            cycle, row = divmod(n, len(texts))
            external_id = f"row-{n}"
            text = texts[row] if not cycle else f"{texts[row]} #{cycle}"
            label = "flag" if rng.random() < 0.3 else "ok"
            rows.append(
                (
                    project.pk,
                    external_id,
                    text,
                    "{}",
                    f"h{n}",
                    split_for(external_id),
                    now,
                    label,
                    round(rng.uniform(0.5, 1.0), 4),
                    rng.random(),
                )
            )
        columns = (
            "project_id, external_id, text, metadata, content_hash, split, created_at, "
            "predicted_label, confidence, priority"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "postgresql":
                with cursor.cursor.copy(f"COPY labeling_item ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO labeling_item ({columns}) VALUES ({', '.join(['%s'] * 10)})",  # noqa: S608
                    rows,
                )
    # Measure the queue as it runs once a bulk load has settled: VACUUM now, or autovacuum would
    # wake for the new rows and scan the table during the first cases.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE labeling_item" if vendor == "postgresql" else "ANALYZE")
    tokens = []
    for n in range(clients):
        user, _ = users.objects.get_or_create(username=f"annotator-{project.pk}-{n}")
        ProjectMembership.objects.get_or_create(
            project=project, user=user, defaults={"role": Role.ANNOTATOR}
        )
        # The key is shown once (only its hash is stored): a fresh one per run.
        tokens.append(api_token_create(user=user).key)
    return {"project_id": project.pk, "tokens": tokens}


def count_overfilled(project_id: int) -> int:
    """Items with more people's annotations than the project asks for."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT a.item_id FROM labeling_annotation a "
            "JOIN labeling_item i ON i.id = a.item_id WHERE i.project_id = %s "
            "AND a.source = 'human' GROUP BY a.item_id HAVING COUNT(*) > 1) AS over",
            [project_id],
        )
        return int(cursor.fetchone()[0])


# --- the server ---------------------------------------------------------------------------------


# --- the clients --------------------------------------------------------------------------------


class Client(threading.Thread):
    def __init__(self, port, project_id, token, pairs, deadline, start_barrier, mode) -> None:
        super().__init__(daemon=True)
        self.port, self.project_id, self.token = port, project_id, token
        self.pairs, self.deadline, self.barrier = pairs, deadline, start_barrier
        self.mode = mode
        self.next_ms: list[float] = []
        self.submit_ms: list[float] = []
        self.held: list[tuple[int, float, float]] = []  # item, leased at, submitted at
        self.errors: list[str] = []

    def call(self, conn, path: str, body: dict) -> tuple[int, dict | None]:
        data = json.dumps(body)
        conn.request(
            "POST",
            f"/api/v1/projects/{self.project_id}/{path}",
            body=data,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.barrier.wait()
        round_trip = self.mode == ROUND_TRIP
        offered = None  # with round-trip, the item the last submit's answer leased
        for _ in range(self.pairs):
            if time.monotonic() > self.deadline:
                break
            if offered is None:
                start = time.perf_counter()
                status, body = self.call(conn, "queue/next/", {})
                leased = time.perf_counter()
                self.next_ms.append((leased - start) * 1000)
                if status != 200 or not body or not body.get("assignment"):
                    self.errors.append(f"next {status}: {str(body)[:200]}")
                    break
                assignment = body["assignment"]
            else:
                assignment, leased = offered
            item = assignment["item"]["id"]
            suggestion = assignment.get("suggestion") or {}
            labels = suggestion.get("labels") or ["ok"]
            request = {"labels": labels, "client_key": uuid.uuid4().hex, "time_on_item_ms": 900}
            start = time.perf_counter()
            status, body = self.call(
                conn, f"queue/items/{item}/submit/", {**request, "next": round_trip}
            )
            done = time.perf_counter()
            self.submit_ms.append((done - start) * 1000)
            if status not in (200, 201):
                self.errors.append(f"submit {status}: {str(body)[:200]}")
                break
            self.held.append((item, leased, start))
            following = (body or {}).get("next") or {}
            offered = (following["assignment"], done) if following.get("assignment") else None
            if round_trip and offered is None:
                self.errors.append(f"submit gave no next item: {str(following)[:200]}")
                break
        conn.close()


def duplicates(clients: list[Client]) -> int:
    """Items handed to more than one client (each item needs one annotation here, so any
    second hand-out, overlapping in time or not, is a duplicate assignment)."""
    holders: dict[int, int] = {}
    for client in clients:
        for item, _leased, _submitted in client.held:
            holders[item] = holders.get(item, 0) + 1
    return sum(1 for count in holders.values() if count > 1)


def run_case(env, setup, clients_n, pairs, seconds, mode) -> dict:
    server = Server(env)
    try:
        barrier = threading.Barrier(clients_n + 1)
        deadline = time.monotonic() + seconds
        clients = [
            Client(server.port, setup["project_id"], token, pairs, deadline, barrier, mode)
            for token in setup["tokens"][:clients_n]
        ]
        for client in clients:
            client.start()
        barrier.wait()
        start = time.perf_counter()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
    next_ms = np.array([v for c in clients for v in c.next_ms])
    submit_ms = np.array([v for c in clients for v in c.submit_ms])
    done = int(sum(len(c.held) for c in clients))
    errors = [e for c in clients for e in c.errors]

    def pct(values: np.ndarray, q: float) -> float | None:
        return round(float(np.percentile(values, q)), 2) if len(values) else None

    requests = len(next_ms) + len(submit_ms)
    return {
        "mode": mode,
        "clients": clients_n,
        "labels": done,
        "seconds": round(elapsed, 2),
        "labels_per_s": round(done / elapsed, 1) if elapsed else None,
        "requests_per_label": round(requests / done, 3) if done else None,
        "next_p50_ms": pct(next_ms, 50),
        "next_p95_ms": pct(next_ms, 95),
        "next_p99_ms": pct(next_ms, 99),
        "submit_p50_ms": pct(submit_ms, 50),
        "submit_p95_ms": pct(submit_ms, 95),
        "submit_p99_ms": pct(submit_ms, 99),
        "duplicate_assignments": duplicates(clients),
        "errors": errors[:5],
    }


def child(args: argparse.Namespace) -> None:
    setup_django()
    if args.child == "fill":
        print(json.dumps(fill(args.size, args.clients)))
    elif args.child == "overfilled":
        print(json.dumps({"overfilled": count_overfilled(args.project)}))


def run_child(env: dict[str, str], *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *extra], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode:
        sys.exit(f"setup failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=400, help="labels per client")
    parser.add_argument("--pairs-many", type=int, default=150, help="labels per client with 16")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per case")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--sqlite-size", type=int, default=100_000)
    parser.add_argument("--no-sqlite", action="store_true", help="leave the SQLite case out")
    parser.add_argument("--out", type=Path, default=RESULTS / "queue_latency.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--project", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a postgres:// URL (the SQLite case runs on its own).")
    base_env = {**os.environ, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    base_env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    cases = []
    sizes = [int(s) for s in args.sizes.split(",") if s]

    ensure_database(url)
    pg_env = {**base_env, "DATABASE_URL": url}
    with tempfile.TemporaryDirectory(prefix="tandem-queue-bench-") as data_dir:
        pg_env["TANDEM_DATA_DIR"] = data_dir
        for size in sizes:
            print(f"filling PostgreSQL with {size:,} items ...", flush=True)
            setup = run_child(pg_env, "--child", "fill", "--size", str(size))
            runs = [(1, args.pairs, SEPARATE)]
            if size == max(sizes):
                runs.append((1, args.pairs, ROUND_TRIP))
                runs.append((CLIENTS, args.pairs_many, SEPARATE))
                runs.append((CLIENTS, args.pairs_many, ROUND_TRIP))
            for clients_n, pairs, mode in runs:
                case = run_case(pg_env, setup, clients_n, pairs, args.seconds, mode)
                extra = ("--child", "overfilled", "--project", str(setup["project_id"]))
                case["overfilled_items"] = run_child(pg_env, *extra)["overfilled"]
                case.update(database="postgresql", items=size, load=load_average())
                cases.append(case)
                print_case(case)

    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="tandem-queue-sqlite-") as data_dir:
            env = {k: v for k, v in base_env.items() if k not in ("DATABASE_URL",)}
            env["TANDEM_DATA_DIR"] = data_dir
            print(f"filling SQLite with {args.sqlite_size:,} items ...", flush=True)
            size = str(args.sqlite_size)
            setup = run_child(env, "--child", "fill", "--size", size, "--clients", "1")
            case = run_case(env, setup, 1, args.pairs, args.seconds, SEPARATE)
            extra = ("--child", "overfilled", "--project", str(setup["project_id"]))
            case["overfilled_items"] = run_child(env, *extra)["overfilled"]
            case.update(database="sqlite", items=args.sqlite_size, load=load_average())
            cases.append(case)
            print_case(case)

    print(f"load while measuring (uptime): {load_average()}")
    print(f"\ntargets: {TARGETS}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cases": cases}, indent=2) + "\n")
    print(f"wrote {args.out}")


HEADER_PRINTED = False


def load_average() -> str:
    """The machine's load averages (1, 5, 15 min) and cores: the figures mean little without."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def print_case(case: dict) -> None:
    global HEADER_PRINTED
    if not HEADER_PRINTED:
        print(
            f"{'database':<11}{'items':>10}{'mode':>11}{'clients':>8}{'labels':>7}{'labels/s':>9}"
            f"{'next p50':>10}{'p95':>8}{'p99':>8}{'submit p50':>12}{'p95':>8}{'p99':>8}"
            f"{'dupes':>7}"
        )
        HEADER_PRINTED = True
    ms = {key: "-" if case[key] is None else case[key] for key in case if key.endswith("_ms")}
    print(
        f"{case['database']:<11}{case['items']:>10,}{case['mode']:>11}{case['clients']:>8}"
        f"{case['labels']:>7}{case['labels_per_s']:>9}{ms['next_p50_ms']:>10}"
        f"{ms['next_p95_ms']:>8}{ms['next_p99_ms']:>8}{ms['submit_p50_ms']:>12}"
        f"{ms['submit_p95_ms']:>8}{ms['submit_p99_ms']:>8}"
        f"{case['duplicate_assignments'] + case['overfilled_items']:>7}"
    )
    for error in case["errors"]:
        print(f"  error: {error}")


if __name__ == "__main__":
    main()
