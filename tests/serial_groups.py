"""Run the serial tests (``pytest -m serial``) as two groups side by side: the browser tests
(``tests/e2e``) and the rest (real Celery workers, private servers of the fault tests).

Each group spends most of its time waiting on the processes it starts (Chromium and a live
server; workers, gunicorn, PostgreSQL and Redis of its own), so two of them share the machine
well. They must not share anything else: each group gets a test database of its own (its
``DATABASE_URL``'s name with ``_serial<n>`` added; pytest-django prefixes ``test_``) and, on
Redis, a broker database of its own (the configured number, then the next one), so no worker
of one group takes the other's tasks and no purge empties the other's queues. With another
broker (the embedded filesystem default) the groups run one after the other.

    python tests/serial_groups.py [extra pytest arguments]

Each group's output is written to a file and shown whole when the group ends; the exit status
is the first failing group's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
GROUPS = (
    ("workers and faults", ["--ignore=tests/e2e", "tests"]),
    ("browser", ["tests/e2e"]),
)
REDIS_DATABASES = 16


def _database_url(url: str, number: int) -> str:
    """``url`` naming a database of the group's own (PostgreSQL); other URLs as they are."""
    if not url.startswith(("postgres://", "postgresql://")):
        return url
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "tandem"
    return urlunsplit(parts._replace(path=f"/{name}_serial{number}"))


def _broker_url(url: str, number: int) -> str:
    """``url`` on the Redis database ``number`` places after the configured one."""
    parts = urlsplit(url)
    current = parts.path.lstrip("/")
    base = int(current) if current.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(base + number) % REDIS_DATABASES}"))


def _group_env(number: int) -> dict[str, str]:
    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = _database_url(env["DATABASE_URL"], number)
    env["CELERY_BROKER_URL"] = _broker_url(env["CELERY_BROKER_URL"], number)
    return env


def main(extra: list[str]) -> int:
    base = [sys.executable, "-m", "pytest", "-m", "serial", "-p", "no:cacheprovider", *extra]
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        # One broker folder (or none) for both: one group after the other.
        return subprocess.call([*base, "tests"], cwd=REPO)
    logs = Path(tempfile.mkdtemp(prefix="tandem-serial-"))
    running = []
    for number, (name, paths) in enumerate(GROUPS):
        log_path = logs / f"group-{number}.log"
        log = log_path.open("w")
        process = subprocess.Popen(
            [*base, *paths], cwd=REPO, env=_group_env(number), stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        running.append((name, process, log, log_path))
        print(f"serial tests, {name}: started (output in {log_path})", flush=True)
    status = 0
    started = time.monotonic()
    for name, process, log, log_path in running:
        code = process.wait()
        log.close()
        print(f"\n===== serial tests, {name}: exit {code} after "
              f"{time.monotonic() - started:.0f} s =====", flush=True)  # fmt: skip
        sys.stdout.write(log_path.read_text(encoding="utf-8", errors="replace"))
        sys.stdout.flush()
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
