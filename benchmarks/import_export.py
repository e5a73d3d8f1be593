"""Import 100,000 real text rows into PostgreSQL, then export them as JSONL.

Prints rows/s and the peak memory of the process doing the work, and writes JSON.
Each phase runs in its own child process (as it would in a Celery worker or a web process),
so its peak RSS is measured alone.

    python benchmarks/import_export.py [--rows 100000] [--out PATH]
    DATABASE_URL=postgres://... picks the server (default: local PostgreSQL, tandem_bench)
"""

from __future__ import annotations

import argparse
import csv
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
DATASETS = REPO.parent / "shared" / "datasets"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tandem_bench"


def write_file(path: Path, rows: int, *, labeled: bool) -> None:
    """Real texts cycled with a ``#n`` suffix; with ``labeled`` also a label column."""
    texts = real_texts()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text", "source", *(["label"] if labeled else [])])
        for n in range(rows):
            text = texts[n % len(texts)]
            cycle = n // len(texts)
            row = [
                f"row-{n}",
                f"{text} #{cycle}" if cycle else text,
                "sms" if n % len(texts) < 5574 else "davidson",
            ]
            if labeled:
                row.append("spam" if n % 7 == 0 else "ham")
            writer.writerow(row)


def child(args: argparse.Namespace) -> None:
    """Runs in the child process: one phase, then prints its figures as JSON."""
    setup_django()
    if args.child == "prepare":
        from django.contrib.auth import get_user_model
        from django.core.files import File
        from django.core.management import call_command

        from labeling.models import ImportJob
        from labeling.services.projects import project_create

        call_command("migrate", verbosity=0)
        user, _ = get_user_model().objects.get_or_create(username="bench", is_staff=True)
        project = project_create(
            created_by=user,
            name="benchmark",
            data_type="text",
            task_type="binary",
            label_classes=[{"name": "ham"}, {"name": "spam"}],
        )
        path = Path(args.file)
        job = ImportJob(
            project=project,
            created_by=user,
            original_name=path.name,
            format="csv",
            total_bytes=path.stat().st_size,
        )
        with path.open("rb") as fh:
            job.file.save(f"{project.pk}/{path.name}", File(fh), save=False)
        job.save()
        print(json.dumps({"job_id": job.pk, "project_id": project.pk}))
    elif args.child == "import":
        from labeling.services.imports.run import import_job_run

        start = time.perf_counter()
        job = import_job_run(job_id=args.job_id)
        seconds = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "seconds": seconds,
                    "status": job.status,
                    "rows": job.rows_seen,
                    "items_created": job.items_created,
                    "annotations": job.annotations_created,
                    "errors": job.error_count,
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                }
            )
        )
    elif args.child == "export":
        from labeling.models import Project
        from labeling.services.exports import export_stream

        project = Project.objects.get(pk=args.project_id)
        start = time.perf_counter()
        lines = 0
        size = 0
        with open(args.file, "wb") as out:
            for chunk in export_stream(project=project, fmt="jsonl"):
                out.write(chunk)
                lines += chunk.count(b"\n")
                size += len(chunk)
        seconds = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "seconds": seconds,
                    "rows": lines,
                    "bytes": size,
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                }
            )
        )


def run_child(*extra: str, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *extra], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        sys.exit(f"child {extra} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--out", default=str(REPO / "benchmarks" / "results" / "import_export.json")
    )
    parser.add_argument("--child", choices=["prepare", "import", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--job-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--project-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        sys.exit("This benchmark measures PostgreSQL; set DATABASE_URL=postgres://…")
    ensure_database(url)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TANDEM_DATA_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "LOG_LEVEL": "WARNING",
        }
        texts_file = Path(tmp) / "texts.csv"
        labeled_file = Path(tmp) / "labeled.csv"
        write_file(texts_file, args.rows, labeled=False)
        write_file(labeled_file, args.rows, labeled=True)
        # The figure the targets speak of: text rows. Then the same rows with a label column,
        # which also stores one annotation per row, and the export of that labeled project.
        texts = run_child("--child", "prepare", "--file", str(texts_file), env=env)
        imported = run_child("--child", "import", "--job-id", str(texts["job_id"]), env=env)
        labeled = run_child("--child", "prepare", "--file", str(labeled_file), env=env)
        imported_labeled = run_child(
            "--child", "import", "--job-id", str(labeled["job_id"]), env=env
        )
        reimported = run_child("--child", "import", "--job-id", str(labeled["job_id"]), env=env)
        exported = run_child(
            "--child", "export", "--project-id", str(texts["project_id"]),
            "--file", str(Path(tmp) / "export.jsonl"), env=env,
        )  # fmt: skip
        exported_labeled = run_child(
            "--child", "export", "--project-id", str(labeled["project_id"]),
            "--file", str(Path(tmp) / "export-labeled.jsonl"), env=env,
        )  # fmt: skip

    results = {
        "rows": args.rows,
        "database": "postgresql",
        "import_rows_per_s": round(imported["rows"] / imported["seconds"]),
        "import_seconds": round(imported["seconds"], 2),
        "import_peak_rss_mb": round(imported["peak_rss_mb"], 1),
        "import_items_created": imported["items_created"],
        "import_annotations_created": imported["annotations"],
        "import_errors": imported["errors"],
        "import_labeled_rows_per_s": round(imported_labeled["rows"] / imported_labeled["seconds"]),
        "import_labeled_peak_rss_mb": round(imported_labeled["peak_rss_mb"], 1),
        "import_labeled_annotations_created": imported_labeled["annotations"],
        "reimport_items_created": reimported["items_created"],
        "reimport_rows_per_s": round(reimported["rows"] / reimported["seconds"]),
        "export_rows_per_s": round(exported["rows"] / exported["seconds"]),
        "export_seconds": round(exported["seconds"], 2),
        "export_rows": exported["rows"],
        "export_mb": round(exported["bytes"] / 1e6, 1),
        "export_peak_rss_mb": round(exported["peak_rss_mb"], 1),
        "export_labeled_rows_per_s": round(exported_labeled["rows"] / exported_labeled["seconds"]),
        "export_labeled_peak_rss_mb": round(exported_labeled["peak_rss_mb"], 1),
        "targets": {"import_rows_per_s": 25_000, "export_rows_per_s": 100_000, "peak_rss_mb": 400},
    }
    print(f"{'figure':<34}{'value':>12}{'target':>12}")
    for key, target in [
        ("import_rows_per_s", ">= 25000"),
        ("import_peak_rss_mb", "< 400"),
        ("import_labeled_rows_per_s", ""),
        ("import_labeled_peak_rss_mb", "< 400"),
        ("reimport_items_created", "0"),
        ("export_rows_per_s", ">= 100000"),
        ("export_peak_rss_mb", "< 400"),
        ("export_labeled_rows_per_s", ""),
        ("export_labeled_peak_rss_mb", "< 400"),
    ]:
        print(f"{key:<34}{results[key]:>12}{target:>12}")
    print(
        f"(text import {results['import_seconds']} s for {args.rows:,} rows; labeled import "
        f"stored {results['import_labeled_annotations_created']:,} annotations; export of the "
        f"text project {results['export_seconds']} s, {results['export_mb']} MB)"
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
