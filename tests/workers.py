"""Start a real Celery worker process on the configured broker against the test database.

``start_worker`` is a fixture of the packages that import it into their ``conftest.py``
(integration and browser tests)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app


def test_database_url() -> str:
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


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def start_worker(settings, tmp_path) -> Iterator:
    """``start_worker(queues, **env)`` runs ``celery worker`` in its own process (one task at a
    time) and stops it, by its PID, when the test ends; the test's tasks stop running eagerly.

    ``pool="prefork"`` with ``concurrency`` runs tasks in child processes, as production does
    (time limits are enforced only there; the worker survives a task that kills its process);
    ``beat=True`` also runs the periodic tasks (``-B``); ``include`` names extra modules the
    worker imports.
    """
    started: list[tuple[subprocess.Popen, Path]] = []
    always_eager = celery_app.conf.task_always_eager

    def start(
        queues: list[str],
        *,
        pool: str = "solo",
        concurrency: int = 1,
        beat: bool = False,
        include: list[str] | None = None,
        **extra_env: str,
    ) -> subprocess.Popen:
        if not started:
            # Messages left on the broker by an earlier run name rows of a database that is gone.
            celery_app.control.purge()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": test_database_url(),
            "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **extra_env,
        }
        log_path = tmp_path / f"worker-{len(started)}.log"
        celery_bin = str(Path(sys.executable).with_name("celery"))
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [
                    celery_bin,
                    "-A",
                    "config",
                    "worker",
                    "-Q",
                    ",".join(queues),
                    "--concurrency",
                    str(concurrency),
                    "--pool",
                    pool,
                    *(["--include", ",".join(include)] if include else []),
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    *(["-B", "-s", str(tmp_path / "beat-schedule")] if beat else []),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        started.append((process, log_path))
        celery_app.conf.task_always_eager = False
        settings.CELERY_TASK_ALWAYS_EAGER = False
        return process

    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = always_eager
        for process, log_path in started:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            print(log_path.read_text()[-3000:])
