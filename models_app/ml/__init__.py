"""Pure ML code (no Django): embedders, classifiers, query strategies, metrics, auto-labeling.

Importing this package or its modules loads numpy only; heavy libraries are imported inside the
functions that need them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_controller: Any = None
_controller_lock = threading.Lock()


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with numpy's and scipy's OpenBLAS limited to one thread.

    Why: Tandem's numeric work is many small or memory-bound products (a logistic regression on
    a few thousand rows, matrix-vector passes over a pool). On a machine where other processes
    (web, other workers) also want the cores, OpenBLAS's spinning worker threads made these up
    to 40 times slower than one thread (measured: digits LR 7 s vs 0.18 s; cold start on 1M rows
    20 s vs 4 s). Limits apply to the whole process while the block runs.
    """
    global _controller
    if _controller is None:
        with _controller_lock:
            if _controller is None:
                import scipy.linalg  # noqa: F401  scipy ships its own OpenBLAS; load it to limit it
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield
