"""Warming a worker process for the dataset jobs (snapshot cuts and exports).

pyarrow imports pandas the first time it converts Python or NumPy values (``pa.array``,
``Array.to_numpy``), whether pandas is used or not: 0.5-0.7 s of imports, once per process.
The cut's Arrow connection to PostgreSQL (ADBC's driver manager) imports pyarrow.dataset and
pandas too. A Celery worker does both when it starts (``config.celery``), so a worker's first
snapshot or export job does not wait for them.
"""

from __future__ import annotations


def columnar_warm() -> None:
    """Make pyarrow load its pandas integration, and the cut its Arrow database driver, now
    (idempotent, cheap once done)."""
    import adbc_driver_postgresql.dbapi  # noqa: F401 - imported for its import time
    import pyarrow as pa

    pa.array([0]).to_numpy()
