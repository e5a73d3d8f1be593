"""A whole Tandem of its own on 127.0.0.1, for fault injection and soak runs.

Private PostgreSQL and Redis servers (started here, on free ports, in temporary directories),
the web app under gunicorn and a real Celery worker, each with environment variables pointing
at them and a log file; every process is stopped (or killed) by its own PID, never by name.
The machine's own PostgreSQL and Redis are never touched.

Used by ``tests/faults/`` (as ``benchmarks.stack``) and by the benchmarks (as ``stack``:
``bench_common.Server`` is ``processes.Server``).
"""

from .client import Answer, Api, expect
from .common import REPO, StartError, free_port, log_tail, wait_until
from .processes import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    ALL_QUEUES,
    Server,
    Stack,
    Worker,
    base_env,
    manage,
    template_database,
)
from .receiver import WebhookReceiver
from .scenario import (
    USER_PASSWORD,
    Moderation,
    moderation_create,
    people,
    project_create,
    user_create,
)
from .services import PrivatePostgres, PrivateRedis, missing_services, postgres_bin_dir

__all__ = [
    "ADMIN_PASSWORD",
    "ADMIN_USERNAME",
    "ALL_QUEUES",
    "REPO",
    "USER_PASSWORD",
    "Answer",
    "Api",
    "Moderation",
    "PrivatePostgres",
    "PrivateRedis",
    "Server",
    "Stack",
    "StartError",
    "WebhookReceiver",
    "Worker",
    "base_env",
    "expect",
    "free_port",
    "log_tail",
    "manage",
    "missing_services",
    "moderation_create",
    "people",
    "postgres_bin_dir",
    "project_create",
    "template_database",
    "user_create",
    "wait_until",
]
