"""Dataset snapshots on PostgreSQL: N items with one label each, bulk-created with SQL, then
the snapshot cut (its stored Parquet file), its Parquet, Hugging Face and JSONL exports, and a
100,000-task Label Studio JSON import.

Prints rows/s and the peak RSS of each phase's process (each runs in its own child process, as
in a Celery worker) and writes JSON (keys parquet_rows_per_s, hf_rows_per_s, jsonl_rows_per_s,
peak_rss_mb, ls_import_rows_per_s).

    python benchmarks/snapshots.py [--items 1000000] [--ls-tasks 100000] [--out PATH]
    DATABASE_URL=postgres://... picks the server (default: local PostgreSQL, tandem_bench);
    the database is dropped and created again, unless ``--reuse`` finds the items of an
    earlier run of the same size there (seeding 1,000,000 items takes minutes).
    ``--formats parquet`` exports only those formats; ``--ls-tasks 0`` skips the import.
    Each job's process is first prepared as a Celery worker is when it starts
    (``config.celery.worker_process_prepare``: pyarrow's one-time pandas import, the jobs'
    modules, the objects it holds frozen out of the garbage collector's passes); ``--cold``
    counts it in every job instead. The import is also run in a process not prepared so
    (``baseline_ls_import_unprepared_rows_per_s``, into a project of its own, first).

``parquet_rows_per_s`` is cut + Parquet export when the snapshot cut
(``labeling.services.datasets.cut``) is present: the time from cutting until the Parquet export
is ready (a text project's cut writes it, so asking for it finds it written:
``parquet_written_by_cut``). Without the cut the stored file is built here by a plain SQL
reader (not measured as the cut) and the figure is the Parquet export alone.
``parquet_export_rows_per_s`` is the Parquet export written anew from the stored file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import ensure_database, real_texts, setup_django

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tandem_bench"
CLASSES = ["ham", "spam"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(items: int) -> dict:
    """Migrate, make a project and bulk-create ``items`` items and as many human labels."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from labeling.services.projects import project_create

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench", is_staff=True)
    project = project_create(
        created_by=user, name="snapshots", data_type="text", task_type="binary",
        label_classes=[{"name": name} for name in CLASSES],
    )  # fmt: skip
    texts = real_texts()
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO labeling_item (project_id, external_id, text, metadata, content_hash,
                split, created_at, media_restricted, predicted_label, priority, is_audit,
                queue_annotations, queue_leases, queue_done)
            SELECT %s, 'row-' || n, (%s::text[])[1 + n %% %s] || ' #' || n,
                   jsonb_build_object('source', CASE WHEN n %% 2 = 0 THEN 'sms' ELSE 'web' END),
                   md5(n::text) || md5(n::text),
                   CASE WHEN n %% 10 = 0 THEN 'test' WHEN n %% 10 = 1 THEN 'dev' ELSE 'train' END,
                   now(), false, '', 0, false, 1, 0, true
            FROM generate_series(1, %s) AS n
            """,
            [project.pk, texts, len(texts), items],
        )
        cursor.execute(
            """
            INSERT INTO labeling_annotation (item_id, annotator_id, labels, source,
                import_annotator, suggested_labels, outcome, client, client_key, created_at,
                updated_at)
            SELECT i.id, %s, CASE WHEN i.id %% 7 = 0 THEN '["spam"]'::jsonb
                                  ELSE '["ham"]'::jsonb END,
                   'human', '', '[]'::jsonb, 'no_suggestion', 'web', '', now(), now()
            FROM labeling_item i WHERE i.project_id = %s
            """,
            [user.pk, project.pk],
        )
        # As autovacuum leaves tables that are not brand new: hint bits set and the visibility
        # map written, so the first cut after seeding does not do that work (the runs after it
        # would not).
        cursor.execute("VACUUM ANALYZE labeling_item, labeling_annotation")
    return {"project_id": project.pk, "seconds": time.perf_counter() - start}


def seeded_project(items: int) -> dict | None:
    """The project an earlier run seeded with ``items`` items and labels, if there is one."""
    from django.db import connection

    from labeling.models import Project

    try:
        project = Project.objects.filter(name="snapshots").order_by("pk").first()
    except Exception:  # no tables yet: a fresh database
        connection.close()
        return None
    if project is None or project.items.count() != items:
        return None
    return {"project_id": project.pk, "seconds": 0.0, "reused": True}


def _snapcore_cut():
    """The snapshot cut (``labeling.services.datasets.cut``) when this branch has it."""
    try:
        from labeling.services.datasets import cut as snapshot_cut_module
    except ImportError:
        return None
    return snapshot_cut_module


def stored_file_by_sql(project_id: int) -> dict:
    """Without the cut: the stored file built here from SQL (latest label per item), so the
    writers have a file of the real shape to read."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.db import connection

    from core.files import file_store
    from labeling.choices import JobState
    from labeling.models import DatasetSnapshot, Project
    from labeling.services.datasets.schema import SNAPSHOT_SCHEMA

    project = Project.objects.get(pk=project_id)
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".parquet") as handle:
        writer = pq.ParquetWriter(handle.name, SNAPSHOT_SCHEMA, compression="zstd")
        last, rows = 0, 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    """
                    SELECT i.id, i.external_id, i.text, i.split, a.labels::text, a.created_at,
                           i.metadata::text, i.content_hash
                    FROM labeling_item i JOIN labeling_annotation a ON a.item_id = i.id
                    WHERE i.project_id = %s AND i.id > %s ORDER BY i.id LIMIT 50000
                    """,
                    [project_id, last],
                )
                page = cursor.fetchall()
                if not page:
                    break
                last = page[-1][0]
                rows += len(page)
                columns = list(zip(*page, strict=True))
                n = len(page)
                table = pa.table(
                    {
                        "id": columns[0], "external_id": columns[1], "text": columns[2],
                        "image_name": [None] * n, "split": columns[3],
                        "labels": [json.loads(v) for v in columns[4]],
                        "label_source": ["human"] * n, "resolution": ["latest"] * n,
                        "is_automatic": [False] * n, "n_human": [1] * n, "n_import": [0] * n,
                        "n_moderation": [0] * n, "n_appeal": [0] * n, "n_auto": [0] * n,
                        "annotators": [["annotator-1"]] * n, "proposal_accepted": [None] * n,
                        "proposed_by": [None] * n, "labeled_at": columns[5],
                        "metadata": columns[6], "content_hash": columns[7],
                        "is_audit": [False] * n,
                    },
                    schema=SNAPSHOT_SCHEMA,
                )  # fmt: skip
                writer.write_table(table)
        writer.close()
        content = Path(handle.name).read_bytes()
    name = file_store(folder=f"snapshots/{project_id}", extension="parquet", content=content)
    manifest = {"project": project_id, "snapshot": 1, "counts": {"items": rows}}
    snapshot = DatasetSnapshot.objects.create(
        project=project, number=1, state=JobState.SUCCEEDED, file=name,
        file_sha256=hashlib.sha256(content).hexdigest(), manifest=manifest,
        manifest_sha256=hashlib.sha256(json.dumps(manifest).encode()).hexdigest(),
        rows_total=rows, rows_done=rows,
    )  # fmt: skip
    return {"snapshot_id": snapshot.pk, "rows": rows, "seconds": time.perf_counter() - start,
            "cut": "sql-in-benchmark", "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def cut(project_id: int) -> dict:
    module = _snapcore_cut()
    if module is None:
        return stored_file_by_sql(project_id)
    from labeling.models import Project
    from labeling.services.datasets.filters import snapshot_filters_parse

    project = Project.objects.get(pk=project_id)
    start = time.perf_counter()
    filters = snapshot_filters_parse(raw={}, class_names=CLASSES)
    snapshot = module.snapshot_create(
        project=project, created_by=None, filters=filters, enqueue=False
    )
    snapshot = module.snapshot_run(snapshot_id=snapshot.pk)
    seconds = time.perf_counter() - start
    if snapshot is None or snapshot.state != "succeeded":
        sys.exit(f"the cut failed: {snapshot.error_message if snapshot else 'no snapshot'}")
    return {"snapshot_id": snapshot.pk, "rows": snapshot.counts.get("items", snapshot.rows_total),
            "cut": "snapcore", "seconds": seconds, "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def export(snapshot_id: int, fmt: str, *, again: bool = False) -> dict:
    """Ask for the ``fmt`` export and wait until it is ready (the cut may have written it:
    ``written_by_cut``). ``again``: write it anew from the stored file, as for a snapshot cut
    before the cut wrote exports."""
    from labeling.models import DatasetExport, DatasetSnapshot
    from labeling.services.datasets.exports import dataset_export_request, dataset_export_run

    snapshot = DatasetSnapshot.objects.select_related("project").get(pk=snapshot_id)
    if again:  # a failed export is written again when asked for
        DatasetExport.objects.filter(snapshot=snapshot, format=fmt).update(state="failed")
    start = time.perf_counter()
    requested, queued = dataset_export_request(snapshot=snapshot, fmt=fmt, user=None, enqueue=False)
    done = dataset_export_run(export_id=requested.pk)
    seconds = time.perf_counter() - start
    if done.state != "succeeded":
        sys.exit(f"{fmt} export failed: {done.error_message}")
    return {"rows": done.rows_total, "seconds": seconds, "bytes": done.size_bytes,
            "written_by_cut": not queued, "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def label_studio_file(path: Path, tasks: int) -> None:
    """A Label Studio JSON export as its documentation describes it: an array of tasks with
    ``data.text`` and ``annotations[].result[]`` of type ``choices``."""
    texts = real_texts()
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for n in range(tasks):
            label = "spam" if n % 7 == 0 else "ham"
            task = {
                "id": n + 1,
                "data": {"text": f"{texts[n % len(texts)]} #{n}"},
                "annotations": [{
                    "id": n + 1, "completed_by": 1 + n % 3, "was_cancelled": False,
                    "result": [{"from_name": "label", "to_name": "text", "type": "choices",
                                "value": {"choices": [label]}}],
                }],
                "predictions": [],
            }  # fmt: skip
            out.write(("," if n else "") + json.dumps(task))
        out.write("]")


def ls_import(path: Path) -> dict:
    import inspect

    from django.contrib.auth import get_user_model
    from django.core.files import File

    from labeling.choices import ImportFormat
    from labeling.services.imports import run
    from labeling.services.imports.jobs import import_job_create
    from labeling.services.projects import project_create

    if "LABEL_STUDIO" not in inspect.getsource(run):
        return {"skipped": "importer not present"}
    user = get_user_model().objects.get(username="bench")
    project = project_create(
        created_by=user, name="label studio", data_type="text", task_type="binary",
        label_classes=[{"name": name} for name in CLASSES],
    )  # fmt: skip
    with path.open("rb") as handle:
        job = import_job_create(
            project=project, created_by=user, uploads=[File(handle, name=path.name)],
            fmt=ImportFormat.LABEL_STUDIO, enqueue=False,
        )  # fmt: skip
    start = time.perf_counter()
    job = run.import_job_run(job_id=job.pk)
    seconds = time.perf_counter() - start
    return {"rows": job.rows_seen, "status": job.status, "seconds": seconds,
            "items_created": job.items_created, "errors": job.error_count,
            "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def worker_warm(cold: bool) -> bool:
    """What a Celery worker does when it starts (``config.celery.worker_process_prepare``:
    pyarrow's one-time pandas import, the jobs' modules, the objects it holds frozen out of
    the garbage collector's passes), so it is not counted in a job. False when skipped
    (``--cold``) or when this code has no such step."""
    if cold:
        return False
    try:
        from config.celery import worker_process_prepare
    except ImportError:
        try:
            from labeling.services.datasets.warm import columnar_warm
        except ImportError:
            return False
        columnar_warm()
        return True
    worker_process_prepare()
    return True


def child(args: argparse.Namespace) -> None:
    setup_django()
    warm = worker_warm(args.cold) if args.child in ("cut", "export", "ls") else False
    if args.child == "prepare":
        result = (args.reuse and seeded_project(args.items)) or prepare(args.items)
    elif args.child == "cut":
        result = cut(args.project_id)
    elif args.child == "export":
        result = export(args.snapshot_id, args.format, again=args.again)
    else:
        result = ls_import(Path(args.file))
    print(json.dumps({**result, "warm": warm}))


def run_child(*extra: str, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *extra], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        sys.exit(f"child {extra} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--ls-tasks", type=int, default=100_000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database when it holds --items items"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="count pyarrow's one-time pandas import in each job (a worker does it at start)",
    )
    parser.add_argument(
        "--formats", default="parquet,hf,jsonl", help="exports to measure (comma-separated)"
    )
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "snapshots.json"))
    parser.add_argument(
        "--child", choices=["prepare", "cut", "export", "ls"], help=argparse.SUPPRESS
    )
    parser.add_argument("--project-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--snapshot-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--again", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        sys.exit("This benchmark measures PostgreSQL; set DATABASE_URL=postgres://…")
    if not args.reuse:
        ensure_database(url)
    else:
        ensure_database(url, keep=True)
    formats = [fmt for fmt in args.formats.split(",") if fmt]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": url, "TANDEM_DATA_DIR": tmp,
               "DJANGO_SETTINGS_MODULE": "config.settings.local", "LOG_LEVEL": "WARNING",
               "TANDEM_EMBED_AFTER_IMPORT": "false"}  # fmt: skip
        reuse = ["--reuse"] if args.reuse else []
        prepared = run_child("--child", "prepare", "--items", str(args.items), *reuse, env=env)
        project = str(prepared["project_id"])
        cold = ["--cold"] if args.cold else []
        cut_result = run_child("--child", "cut", "--project-id", project, *cold, env=env)
        snapshot = str(cut_result["snapshot_id"])
        exports = {
            fmt: run_child(
                "--child", "export", "--snapshot-id", snapshot, "--format", fmt, *cold, env=env
            )
            for fmt in formats
        }
        # The Parquet export written anew from the stored file (when the cut wrote it).
        parquet_again = exports["parquet"]
        if parquet_again.get("written_by_cut"):
            parquet_again = run_child(
                "--child", "export", "--snapshot-id", snapshot, "--format", "parquet",
                "--again", *cold, env=env,
            )  # fmt: skip
        ls: dict = {"skipped": "--ls-tasks 0"}
        ls_cold: dict = {}
        if args.ls_tasks:
            ls_path = Path(tmp) / "label-studio.json"
            label_studio_file(ls_path, args.ls_tasks)
            # The baseline first (the import measured then meets the larger table): the same
            # import in a process not prepared as a worker is.
            ls_cold = run_child("--child", "ls", "--file", str(ls_path), "--cold", env=env)
            ls = run_child("--child", "ls", "--file", str(ls_path), *cold, env=env)

    rows = cut_result["rows"]
    with_cut = cut_result["cut"] == "snapcore"
    parquet_seconds = exports["parquet"]["seconds"] + (cut_result["seconds"] if with_cut else 0)
    results = {
        "items": args.items,
        "annotations": args.items,
        "database": "postgresql",
        "cut": cut_result["cut"],
        # Each job's process warmed as a worker is when it starts (pyarrow's pandas import).
        "warm_worker": cut_result["warm"],
        "cut_rows_per_s": round(rows / cut_result["seconds"]) if with_cut else None,
        "parquet_rows_per_s": round(rows / parquet_seconds),
        "parquet_includes_cut": with_cut,
        "parquet_written_by_cut": bool(exports["parquet"].get("written_by_cut")),
        # The Parquet export written from the stored file (asked for again, or by older code).
        "parquet_export_rows_per_s": round(rows / parquet_again["seconds"]),
        **{
            f"{fmt}_rows_per_s": round(rows / exports[fmt]["seconds"]) if fmt in exports else None
            for fmt in ("hf", "jsonl")
        },
        "export_mb": {fmt: round(r["bytes"] / 1e6, 1) for fmt, r in exports.items()},
        "peak_rss_mb": round(
            max(r["peak_rss_mb"] for r in [cut_result, parquet_again, *exports.values()]), 1
        ),
        "peak_rss_mb_by_phase": {
            "cut": round(cut_result["peak_rss_mb"], 1),
            **{fmt: round(r["peak_rss_mb"], 1) for fmt, r in exports.items()},
            "parquet_again": round(parquet_again["peak_rss_mb"], 1),
        },
        "ls_tasks": args.ls_tasks,
        "ls_import_rows_per_s": (
            round(ls["rows"] / ls["seconds"]) if "skipped" not in ls else None
        ),
        "ls_import": ls,
        "baseline_ls_import_unprepared_rows_per_s": (
            round(ls_cold["rows"] / ls_cold["seconds"]) if "rows" in ls_cold else None
        ),
        "ls_import_unprepared": ls_cold,
        "targets": {
            "parquet_rows_per_s": 150_000,
            "peak_rss_mb": 500,
            "ls_import_rows_per_s": 20_000,
        },
    }
    print(f"{'figure':<41}{'value':>14}{'target':>14}")
    for key, target in [
        ("parquet_rows_per_s", ">= 150000"), ("cut_rows_per_s", ""),
        ("parquet_export_rows_per_s", ""), ("hf_rows_per_s", ""), ("jsonl_rows_per_s", ""),
        ("peak_rss_mb", "< 500"), ("ls_import_rows_per_s", ">= 20000"),
        ("baseline_ls_import_unprepared_rows_per_s", ""),
    ]:  # fmt: skip
        value = results[key]
        shown = value if value is not None else "-"
        print(f"{key:<41}{shown!s:>14}{target:>14}")
    print(
        f"({rows:,} rows; stored file by {cut_result['cut']}; export sizes "
        f"{results['export_mb']} MB; peak RSS by phase {results['peak_rss_mb_by_phase']}; "
        f"worker warmed before the jobs: {results['warm_worker']}; Parquet export written by "
        f"the cut: {results['parquet_written_by_cut']})"
    )
    if "skipped" in ls:
        print(f"Label Studio import skipped: {ls['skipped']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
