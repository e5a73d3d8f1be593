"""The per-platform intake rate holds across web processes: gunicorn with two workers, each
replaced after every request (--max-requests 1), so no count can live in a process; the
cache (Redis when the broker is Redis, as the README asks for several hosts) carries it."""

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories.intake import platform_with_key
from tests.factories.moderation import IntakePolicyFactory
from tests.workers import test_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
REPO = Path(__file__).resolve().parents[2]


def cache_url(tmp_path: Path) -> str:
    """Redis (the test's own database number) when the broker is Redis, else a file cache."""
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        return settings.CELERY_BROKER_URL
    return f"filecache://{tmp_path / 'cache'}"


def forget_counts(url: str, platform_id: int) -> None:
    """A test database starts its ids at 1 again: drop counts an earlier run left in Redis."""
    if url.startswith("redis://"):
        import redis

        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"*tandem:rate:intake:platform:{platform_id}:*"):
            client.delete(key)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": test_database_url(),
        "CACHE_URL": cache_url(tmp_path),
        "TANDEM_INTAKE_RATE": "3/min",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--max-requests",
            "1",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield port, env["CACHE_URL"]
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        print((tmp_path / "gunicorn.log").read_text()[-2000:])


def test_the_intake_rate_is_shared_by_every_web_process(gunicorn):
    port, url = gunicorn
    platform, key = platform_with_key()
    policy = IntakePolicyFactory(automation_level="human_only", granted_to=platform)
    forget_counts(url, platform.pk)
    statuses = []
    for n in range(4):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = {"policy": policy.pk, "external_id": f"p-{n}", "author_id": "a", "text": f"hi {n}"}
        connection.request(
            "POST",
            "/api/v1/platform/intake/",
            body=json.dumps(body),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        response = connection.getresponse()
        statuses.append((response.status, response.getheader("Retry-After")))
        response.read()
        connection.close()

    assert [status for status, _ in statuses] == [201, 201, 201, 429]
    assert statuses[-1][1] is not None
