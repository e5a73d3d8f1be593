"""Fault injection with real processes: each test gets a Tandem of its own (gunicorn and a
Celery worker on private PostgreSQL and Redis servers, see ``benchmarks/stack``), breaks a
part of it, and checks what the API and the database show afterwards.

The private servers are started once per session; each test gets a fresh copy of a migrated
database and an empty Redis. The machine's own PostgreSQL and Redis are never touched. Without
PostgreSQL's server binaries or redis-server these tests are skipped, unless
``TANDEM_REQUIRE_FAULTS=1`` (CI), where that is a failure.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.stack import (
    PrivatePostgres,
    PrivateRedis,
    Stack,
    StartError,
    missing_services,
    template_database,
)
from tests.skips import require

# Redis hands a dead worker's task to another worker after this many seconds: each recovery
# from a killed worker waits this long. Every task of these scenarios must run well under it
# (a running task must never be handed out twice): the longest, a first training run on
# 10,000 items, took 8-12 s on an overloaded two-core machine (embedding 12,000 items: 5-9 s).
VISIBILITY_TIMEOUT_SECONDS = 25


def _require_services() -> None:
    missing = missing_services()
    require(
        not missing,
        "fault-injection tests need " + ", ".join(missing),
        switch="TANDEM_REQUIRE_FAULTS",
    )


@pytest.fixture(scope="session")
def private_services() -> Iterator[tuple[PrivatePostgres, PrivateRedis, str]]:
    """A PostgreSQL cluster and a Redis server of this session's own, and the name of a
    migrated template database (with the site admin) to copy per test."""
    _require_services()
    postgres = PrivatePostgres()
    redis = PrivateRedis()
    try:
        postgres.start()
        redis.start()
        template = template_database(postgres)
        yield postgres, redis, template
    finally:
        redis.destroy()
        postgres.destroy()


@pytest.fixture
def stack(private_services, tmp_path: Path) -> Iterator[Stack]:
    """A deployment for one test: a fresh database, an empty broker; ``start_web()`` and
    ``start_worker()`` start the app's processes (stopped by PID when the test ends, their
    logs printed, so a failing test shows them)."""
    postgres, redis, template = private_services
    # A test that failed half-way may have left a server stopped.
    try:
        postgres.ensure_running()
        redis.ensure_running()
    except StartError as exc:
        pytest.fail(str(exc))
    redis.flush()
    dbname = f"faults_{uuid.uuid4().hex[:12]}"
    postgres.create_database(dbname, template=template)
    deployment = Stack(
        postgres=postgres,
        redis=redis,
        dbname=dbname,
        work_dir=tmp_path,
        env_overrides={
            "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
            "TANDEM_EMBED_AFTER_IMPORT": "false",
            "TANDEM_WEBHOOK_BACKOFF_SECONDS": "1,1,2,2,3",
            # A delivery a killed worker held is sent again after this (above the 5 s timeout
            # of one attempt).
            "TANDEM_WEBHOOK_CLAIM_SECONDS": "15",
            # The outbox's periodic sender finds such a delivery this soon after (15 s in
            # production).
            "TANDEM_WEBHOOK_SEND_DUE_SECONDS": "3",
            # A chunk of items a killed worker was embedding is taken over this soon after its
            # last batch (90 s in production; the hashing embedder's batches take milliseconds).
            "TANDEM_EMBED_CLAIM_SECONDS": "10",
        },
    )
    try:
        yield deployment
    finally:
        deployment.close()
        print(deployment.logs())
        postgres.ensure_running()
        redis.ensure_running()
        postgres.drop_database(dbname)
