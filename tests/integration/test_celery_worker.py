"""A real Celery worker process (on the configured broker: Redis in CI) runs an import."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.result import AsyncResult
from django.db import connection

from config.celery import app as celery_app
from labeling.choices import ImportStatus, Role
from labeling.models import ImportJob

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    """The URL of the database this test runs on (the test database, not the configured one)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{params.get('HOST') or '127.0.0.1'}:"
        f"{params.get('PORT') or 5432}/{params['NAME']}"
    )


@pytest.fixture
def worker(settings, tmp_path):
    """Start ``celery worker`` in its own process and stop it (by its PID) afterwards."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # Small batches so a 28k-row file reports progress many times.
        "TANDEM_IMPORT_BATCH_SIZE": "500",
    }
    log = (tmp_path / "worker.log").open("w")
    celery_bin = str(Path(sys.executable).with_name("celery"))
    process = subprocess.Popen(
        [
            celery_bin,
            "-A",
            "config",
            "worker",
            "-Q",
            "default",
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    always_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield process
    finally:
        celery_app.conf.task_always_eager = always_eager
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])


def test_worker_runs_import_and_reports_progress(worker, api, make_member, dataset_path, tmp_path):
    sms = dataset_path("sms_spam_collection.tsv").read_text(encoding="utf-8").splitlines()
    header, rows = sms[0], [line for line in sms[1:] if line.strip()]
    # Five copies with distinct ids: 27,870 rows, enough for many progress reports.
    big = tmp_path / "sms-x5.tsv"
    with big.open("w", encoding="utf-8") as out:
        out.write(f"id\t{header}\n")
        for copy in range(5):
            for n, line in enumerate(rows):
                out.write(f"{copy}-{n}\t{line}\n")
    admin = make_member(Role.ADMIN)
    client = api.as_user(admin)
    project_id = admin.project_memberships.get().project_id
    with big.open("rb") as fh:
        response = client.post(
            f"/api/v1/projects/{project_id}/imports/", {"file": fh}, format="multipart"
        )
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]

    seen_progress: list[float] = []
    deadline = time.monotonic() + 180
    status = ""
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        body = client.get(f"/api/v1/projects/{project_id}/imports/{job_id}/").json()
        status = body["status"]
        seen_progress.append(body["progress"])
        if status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            break
        time.sleep(0.05)

    assert status == ImportStatus.SUCCEEDED, body
    assert body["rows_seen"] == 5 * len(rows)
    assert body["items_created"] == 5 * len(rows)
    assert body["annotations_created"] == 5 * len(rows)
    assert body["error_count"] == 0
    partial = [p for p in seen_progress if 0 < p < 1]
    assert partial, f"no intermediate progress was visible: {seen_progress[:5]}…"
    assert partial == sorted(partial), "progress went backwards"

    # Task state is visible through the result backend too.
    job = ImportJob.objects.get(pk=job_id)
    result = AsyncResult(job.task_id, app=celery_app)
    for _ in range(100):
        if result.state == "SUCCESS":
            break
        time.sleep(0.1)
    assert result.state == "SUCCESS"
    assert result.result["items_created"] == 5 * len(rows)
