"""Readiness: the database answers, the broker answers, and what the apps add (moderation: the
intake models are loaded in this process). Each check is short and bounded: a probe that hangs
is worse than one that says no."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection

logger = logging.getLogger(__name__)


@dataclass
class CheckResult:
    ok: bool
    # "ok", or why not: "unreachable", "timeout", "loading", "failed", …
    status: str = "ok"
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "status": self.status, **self.detail}


ReadinessCheck = Callable[[], CheckResult]
_checks: dict[str, ReadinessCheck] = {}


def readiness_check_register(name: str, check: ReadinessCheck) -> None:
    """Add a readiness check run after the database check passes. It must answer at once (no
    model loading, no network waits): start slow work in the background and say "loading"."""
    _checks[name] = check


def database_check() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readiness: the database does not answer: %s", exc)
        # A half-open connection must not be reused by the next request of this thread.
        with contextlib.suppress(DatabaseError):
            connection.close()
        return CheckResult(False, "unreachable")
    return CheckResult(True)


def _redis_ping(url: str, timeout: float) -> None:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),  # one try: the probe asks again in a few seconds
    )
    try:
        client.ping()
    finally:
        client.close()


def _filesystem_broker_check() -> None:
    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
    if (
        not isinstance(folder, str)
        or not folder
        or not Path(folder).is_dir()
        or not os.access(folder, os.W_OK)
    ):
        raise OSError(f"the broker folder {folder!r} is missing or not writable")


def _kombu_connect(url: str, timeout: float) -> None:
    from kombu import Connection

    with Connection(
        url,
        connect_timeout=timeout,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    ) as conn:
        conn.connect()


def broker_check() -> CheckResult:
    """The Celery broker accepts a connection (Redis: answers PING) within the timeout."""
    url = settings.CELERY_BROKER_URL.split(";", 1)[0].strip()
    scheme = url.split("://", 1)[0].lower()
    timeout = settings.TANDEM_READYZ_TIMEOUT
    try:
        if scheme in ("redis", "rediss"):
            _redis_ping(url, timeout)
        elif scheme == "filesystem":
            _filesystem_broker_check()
        else:
            _kombu_connect(url, timeout)
    except Exception as exc:
        # The builtin TimeoutError (socket timeouts), redis' and kombu's own timeout types.
        timed_out = isinstance(exc, TimeoutError) or "Timeout" in type(exc).__name__
        logger.warning("readiness: the broker does not answer: %s", exc)
        return CheckResult(False, "timeout" if timed_out else "unreachable")
    return CheckResult(True)


def readiness() -> tuple[bool, dict[str, CheckResult]]:
    """Every check's result; ready when all pass. The apps' checks read the database, so they
    run only when it answers."""
    results: dict[str, CheckResult] = {"database": database_check(), "broker": broker_check()}
    for name, check in _checks.items():
        if not results["database"].ok:
            results[name] = CheckResult(False, "waiting for the database")
            continue
        try:
            results[name] = check()
        except Exception:
            logger.exception("readiness: the %s check failed", name)
            results[name] = CheckResult(False, "failed")
    return all(result.ok for result in results.values()), results
