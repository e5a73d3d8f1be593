"""What the benchmarks share: Django set-up, real texts, a fresh PostgreSQL database, and the
app served by gunicorn on 127.0.0.1 (stopped by its own PID; ``stack.Server``, which the soak
benchmark and the fault-injection tests use too)."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import stack
from stack import free_port

__all__ = ["Server", "ensure_database", "free_port", "real_texts", "setup_django"]

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


def ensure_database(url: str, *, keep: bool = False) -> None:
    """Drop and create the PostgreSQL database ``url`` names (a benchmark starts empty); with
    ``keep``, only create it when it is missing."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if keep:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if found.fetchone():
                return
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


class Server(stack.Server):
    """``stack.Server`` with the benchmarks' settings module unless ``env`` names one."""

    def __init__(self, env: dict[str, str], **kwargs) -> None:
        super().__init__({"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, **env}, **kwargs)
