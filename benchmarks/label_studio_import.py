"""Import a generated Label Studio JSON export of 100,000 tasks (real texts, one choices
annotation each by one of five annotators) into PostgreSQL.

Prints rows/s and the importing process's peak memory, and writes JSON
(``ls_import_rows_per_s``, the key the snapshot benchmark reports too). The import runs in a
child process, as in a Celery worker, so its peak RSS is measured alone.

    python benchmarks/label_studio_import.py [--tasks 100000] [--out PATH]
    DATABASE_URL=postgres://... picks the server (default: local PostgreSQL, tandem_bench;
    the database is dropped and created again)
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


def write_export(path: Path, tasks: int) -> None:
    """A Label Studio export as Label Studio writes it (an indented JSON array)."""
    texts = real_texts()
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for n in range(tasks):
            text = texts[n % len(texts)]
            cycle = n // len(texts)
            task = {
                "id": n + 1,
                "data": {"text": f"{text} #{cycle}" if cycle else text, "source": "sms"},
                "annotations": [
                    {
                        "id": 10_000_000 + n,
                        "completed_by": 1 + n % 5,
                        "was_cancelled": False,
                        "ground_truth": False,
                        "lead_time": 4.2,
                        "created_at": "2024-05-01T10:00:00.000000Z",
                        "result": [
                            {
                                "id": f"r{n}",
                                "from_name": "label",
                                "to_name": "text",
                                "type": "choices",
                                "origin": "manual",
                                "value": {"choices": ["spam" if n % 7 == 0 else "ham"]},
                            }
                        ],
                    }
                ],
                "predictions": [],
                "meta": {},
                "created_at": "2024-05-01T09:00:00.000000Z",
                "project": 1,
            }
            out.write(("  " if n == 0 else ",\n  ") + json.dumps(task, indent=None))
        out.write("\n]\n")


def child(args: argparse.Namespace) -> None:
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
            name="label studio benchmark",
            data_type="text",
            task_type="binary",
            label_classes=[{"name": "ham"}, {"name": "spam"}],
        )
        path = Path(args.file)
        job = ImportJob(
            project=project,
            created_by=user,
            original_name=path.name,
            format="label_studio",
            total_bytes=path.stat().st_size,
        )
        with path.open("rb") as fh:
            job.file.save(f"{project.pk}/{path.name}", File(fh), save=False)
        job.save()
        print(json.dumps({"job_id": job.pk}))
        return
    from labeling.services.imports.run import import_job_run

    start = time.perf_counter()
    job = import_job_run(job_id=args.job_id)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "status": job.status,
                "message": job.error_message,
                "rows": job.rows_seen,
                "items_created": job.items_created,
                "annotations": job.annotations_created,
                "errors": job.error_count,
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
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument(
        "--out", default=str(REPO / "benchmarks" / "results" / "label_studio_import.json")
    )
    parser.add_argument("--child", choices=["prepare", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--job-id", type=int, help=argparse.SUPPRESS)
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
            # Measured on its own: the embedding job an import requests is not part of it.
            "TANDEM_EMBED_AFTER_IMPORT": "false",
        }
        export = Path(tmp) / "project-1-at-2024-05-01.json"
        write_export(export, args.tasks)
        size_mb = export.stat().st_size / 1e6
        job = run_child("--child", "prepare", "--file", str(export), env=env)
        imported = run_child("--child", "import", "--job-id", str(job["job_id"]), env=env)

    if imported["status"] != "succeeded" or imported["errors"]:
        sys.exit(f"the import did not succeed cleanly: {imported}")
    results = {
        "tasks": args.tasks,
        "database": "postgresql",
        "file_mb": round(size_mb, 1),
        "ls_import_rows_per_s": round(imported["rows"] / imported["seconds"]),
        "ls_import_seconds": round(imported["seconds"], 2),
        "ls_import_peak_rss_mb": round(imported["peak_rss_mb"], 1),
        "ls_import_items_created": imported["items_created"],
        "ls_import_annotations_created": imported["annotations"],
        "targets": {"ls_import_rows_per_s": 20_000},
    }
    print(f"{'figure':<34}{'value':>12}{'target':>12}")
    for key, target in [
        ("file_mb", ""),
        ("ls_import_rows_per_s", ">= 20000"),
        ("ls_import_seconds", ""),
        ("ls_import_peak_rss_mb", ""),
        ("ls_import_items_created", ""),
        ("ls_import_annotations_created", ""),
    ]:
        print(f"{key:<34}{results[key]:>12}{target:>12}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
