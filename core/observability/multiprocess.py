"""prometheus-client's multiprocess mode: each process (gunicorn workers, Celery's pool) writes its
samples to files in one directory, and a scrape adds up the files of every process.

prometheus-client chooses between in-memory and file-backed values from the environment
(``PROMETHEUS_MULTIPROC_DIR``) when the first metric is built, so the variable is set from the
settings in ``CoreConfig.ready``, before any metric exists; processes started from this one (the
web server and worker ``runtandem`` starts, a test's worker) inherit it.
"""

import os
import sys
from pathlib import Path

ENV_NAME = "PROMETHEUS_MULTIPROC_DIR"


def metrics_dir_prepare() -> Path:
    """Create the settings' metrics directory, point prometheus-client at it, and return it."""
    from django.conf import settings

    path = Path(settings.PROMETHEUS_MULTIPROC_DIR)
    path.mkdir(parents=True, exist_ok=True)
    os.environ[ENV_NAME] = str(path)
    # A library that imported prometheus-client before the variable was set chose in-memory
    # values; metrics built from now on use the files.
    if "prometheus_client.values" in sys.modules:
        from prometheus_client import values

        values.ValueClass = values.get_value_class()
    return path


def metrics_dir_clean(path: Path) -> int:
    """Delete the sample files of earlier runs (counters would otherwise carry on across
    restarts, and files of dead processes pile up); the number of files removed.

    Only before any process of this deployment writes there: ``runtandem`` calls it before it
    starts the web server and the worker.
    """
    removed = 0
    if path.is_dir():
        for file in path.glob("*.db"):
            file.unlink(missing_ok=True)
            removed += 1
    return removed
