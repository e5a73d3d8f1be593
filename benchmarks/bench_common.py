"""What the benchmarks share: Django set-up, real texts, a fresh PostgreSQL database, and the
app served by gunicorn on 127.0.0.1 (stopped by its own PID)."""

from __future__ import annotations

import csv
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets"


# Benchmarks run the laptop settings (loopback only) unless DJANGO_SETTINGS_MODULE says
# otherwise: Tandem's own default is production, which needs SECRET_KEY and ALLOWED_HOSTS.
SETTINGS_MODULE = "config.settings.local"


def setup_django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def real_texts() -> list[str]:
    """The SMS spam collection's and the Davidson tweets' texts (non-empty), in file order."""
    sms = DATASETS / "sms_spam_collection.tsv"
    davidson = DATASETS / "davidson_hate_offensive.csv"
    if not sms.is_file() or not davidson.is_file():
        sys.exit(f"The datasets are missing from {DATASETS}; this benchmark needs real texts.")
    with sms.open(encoding="utf-8") as fh:
        next(fh)
        texts = [line.split("\t", 1)[1].strip() for line in fh if "\t" in line]
    with davidson.open(encoding="utf-8") as fh:
        texts += [row["tweet"] for row in csv.DictReader(fh)]
    return [t for t in texts if t.strip()]


def ensure_database(url: str) -> None:
    """Drop and create the PostgreSQL database ``url`` names (a benchmark starts empty)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the app on 127.0.0.1 (as ``make run`` does), stopped by its PID."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, threads: int = 8) -> None:
        self.port = free_port()
        bin_dir = Path(sys.executable).parent
        self.process = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env={"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, **env},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/auth/csrf/")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        sys.exit("the server did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
