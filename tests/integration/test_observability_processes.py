"""Operability with real processes: a Celery worker counting and logging its tasks, its own
metrics port, and gunicorn started the way ``runtandem`` starts it (JSON logs, health-checked
database connections)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from core.middleware import current_request_id
from labeling.choices import Role
from moderation.tasks import review_priorities_refresh
from tests.core.observability.scrape import parse, scrape, value
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.workers import test_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TASK = "moderation.tasks.review_priorities_refresh"
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - 127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def _json_lines(path: Path) -> list[dict]:
    """The log lines of a process's output (its startup banner is not a log line)."""
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))  # a line that starts as JSON must be JSON
    return lines


def _wait_for(predicate, seconds: float, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None:
            assert process.poll() is None, "the process died"
        if predicate():
            return True
        time.sleep(0.25)
    return False


# --- the Celery worker --------------------------------------------------------------------------


def _queue_task_from_request(request_id: str):
    """Queue the task as a view would: inside a request whose id is ``request_id``."""
    token = current_request_id.set(request_id)
    try:
        return review_priorities_refresh.delay()
    finally:
        current_request_id.reset(token)


def test_a_worker_counts_its_task_runs_and_logs_json_with_task_and_request_ids(
    start_worker, tmp_path
):
    worker = start_worker(["default"])
    client = Client()
    _, before = scrape(client)

    result = _queue_task_from_request("req-queued-the-task")

    def counted() -> bool:
        _, now = scrape(client)
        return value(now, "tandem_celery_tasks_total", task=TASK, outcome="success") > value(
            before, "tandem_celery_tasks_total", task=TASK, outcome="success"
        )

    # The worker writes to the web's metrics directory: this process's /metrics sees it.
    assert _wait_for(counted, 60, worker), "the task run never showed in /metrics"
    log = tmp_path / "worker-0.log"
    assert _wait_for(lambda: result.id in log.read_text(), 10, worker)
    lines = _json_lines(log)
    task_lines = [line for line in lines if line.get("task_id") == result.id]
    assert task_lines, log.read_text()[-2000:]
    for line in task_lines:
        assert line["task_name"] == TASK
        assert line["request_id"] == "req-queued-the-task"
        assert {"time", "level", "logger", "message"} <= set(line)
    assert any("succeeded" in line["message"] for line in task_lines)
    # Worker lines outside tasks are JSON too, without a request id.
    assert any(line["request_id"] is None for line in lines)


def test_a_worker_serves_its_hosts_metrics_on_its_own_port_with_the_token(start_worker):
    port = _free_port()
    worker = start_worker(
        ["default"], TANDEM_WORKER_METRICS_PORT=str(port), TANDEM_METRICS_TOKEN="worker-tok-1"
    )
    url = f"http://127.0.0.1:{port}/metrics"

    def answering() -> bool:
        try:
            return _get(url)[0] in (200, 403)
        except OSError:
            return False

    assert _wait_for(answering, 60, worker), "the worker's metrics port never answered"
    _queue_task_from_request("req-exporter")

    def counted() -> bool:
        status, body, _ = _get(url, {"Authorization": "Bearer worker-tok-1"})
        assert status == 200
        _, samples = parse(body)
        return value(samples, "tandem_celery_tasks_total", task=TASK, outcome="success") >= 1

    assert _wait_for(counted, 60, worker)
    refused, body, headers = _get(url)
    assert refused == 403
    assert headers["Content-Type"] == "application/json"
    assert b"tandem_" not in body
    assert _get(url, {"Authorization": "Bearer not-the-token"})[0] == 403
    # The database gauges come from the web's /metrics only (not once per host twice).
    _, body, _ = _get(url, {"Authorization": "Bearer worker-tok-1"})
    assert b"tandem_review_queue_open" not in body


# --- gunicorn -----------------------------------------------------------------------------------


@pytest.fixture
def gunicorn(tmp_path) -> Iterator:
    """``gunicorn(**env)`` serves the test database with Tandem's gunicorn config (one worker,
    one thread, so every request reuses one database connection); stopped by its PID."""
    started: list[subprocess.Popen] = []

    def start(**extra_env: str) -> tuple[str, Path]:
        port = _free_port()
        log_path = tmp_path / f"gunicorn-{len(started)}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": test_database_url(),
            "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "TANDEM_LOG_FORMAT": "json",
            **extra_env,
        }
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "config.wsgi",
                    "--config",
                    str(REPO / "config" / "gunicorn.py"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--threads",
                    "1",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                return _get(f"{base}/healthz")[0] == 200
            except OSError:
                return False

        assert _wait_for(healthy, 60, process), log_path.read_text()[-3000:]
        return base, log_path

    try:
        yield start
    finally:
        for process in started:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _session_cookie() -> tuple[str, int]:
    """A logged-in member's session cookie, and their project's id."""
    user = UserFactory()
    project = ProjectFactory()
    MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}", (
        project.pk
    )


def test_gunicorn_writes_access_and_app_lines_as_json_with_the_request_id(gunicorn):
    base, log_path = gunicorn()
    cookie, project_id = _session_cookie()

    ok = _get(
        f"{base}/api/v1/projects/{project_id}/?secret=x",
        {"Cookie": cookie, "X-Request-ID": "req-gu-1"},
    )
    missing = _get(
        f"{base}/api/v1/projects/999999/", {"Cookie": cookie, "X-Request-ID": "req-gu-2"}
    )

    assert ok[0] == 200
    assert ok[2]["X-Request-ID"] == "req-gu-1"
    assert missing[0] == 404

    def access_lines() -> dict[str, dict]:
        return {
            line["request_id"]: line
            for line in _json_lines(log_path)
            if line["logger"] == "gunicorn.access"
        }

    # gunicorn writes the access line once the answer is sent.
    assert _wait_for(lambda: {"req-gu-1", "req-gu-2"} <= set(access_lines()), 10)
    lines = _json_lines(log_path)
    text_lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    assert len(lines) == len(text_lines), "every line gunicorn and the app write is JSON"
    access = access_lines()
    assert access["req-gu-1"]["status"] == 200
    assert access["req-gu-1"]["method"] == "GET"
    assert access["req-gu-1"]["path"] == f"/api/v1/projects/{project_id}/"
    assert "secret" not in json.dumps(access["req-gu-1"])  # no query strings in the log
    assert access["req-gu-1"]["message"] == f"GET /api/v1/projects/{project_id}/ 200"
    assert access["req-gu-2"]["status"] == 404
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert [line["request_id"] for line in not_found] == ["req-gu-2"]
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # "Booting worker …"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="terminating backends needs PostgreSQL"
)
def test_the_next_request_after_postgresql_drops_the_connections_succeeds(gunicorn):
    application_name = f"tandem-ops-{uuid.uuid4().hex[:12]}"
    url = test_database_url()
    base, log_path = gunicorn(DATABASE_URL=f"{url}?application_name={application_name}")
    cookie, project_id = _session_cookie()
    assert _get(f"{base}/api/v1/projects/{project_id}/", {"Cookie": cookie})[0] == 200

    def backends() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name]
            )
            return [row[0] for row in cursor.fetchall()]

    # The web worker keeps its connection between requests (CONN_MAX_AGE) ...
    (kept,) = backends()
    # ... and PostgreSQL drops it, as on a restart or a failover.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [kept])
        assert cursor.fetchone()[0] is True
    assert _wait_for(lambda: kept not in backends(), 10)

    response = _get(f"{base}/api/v1/projects/{project_id}/", {"Cookie": cookie})

    assert response[0] == 200, response[1][:500]
    assert json.loads(response[1])["id"] == project_id
    (replacement,) = backends()
    assert replacement != kept
    assert "database unavailable" not in log_path.read_text()
