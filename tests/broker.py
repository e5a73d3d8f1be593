"""Point this process's Celery app at a broker that is not there (a closed port), as when
Redis is down or unreachable while requests commit."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from config.celery import app as celery_app

# Port 1 on loopback: nothing listens, connections are refused at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _reset_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_unreachable(url: str = UNREACHABLE_BROKER) -> Iterator[None]:
    """Tasks are published (not run eagerly) to ``url`` inside the block; afterwards the app
    goes back to its broker and eager setting."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    conf.broker_url, conf.task_always_eager = url, False
    _reset_pools()
    try:
        target = urlsplit(url)
        connection = celery_app.connection_for_write()
        assert (connection.hostname, connection.port) == (target.hostname, target.port)
        yield
    finally:
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        conf.broker_url, conf.task_always_eager = saved
        _reset_pools()
