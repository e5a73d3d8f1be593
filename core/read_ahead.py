"""Reading the next part of a long job on a thread of its own while the caller works on the
part before (a backtest's chunks, a snapshot cut's pages): the database's time and Python's
overlap. The reading thread has its own database connection, so it runs only outside a
transaction (another connection would not see uncommitted rows): callers check."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")
_DONE = object()


def put_until_stopped(target: queue.Queue[Any], value: Any, stop: threading.Event) -> bool:
    """Put ``value`` on the bounded queue ``target``, waiting for room until ``stop`` is set
    (the consumer gave up); whether it was put."""
    while not stop.is_set():
        try:
            target.put(value, timeout=0.5)
            return True
        except queue.Full:
            continue
    return False


def read_ahead(produce: Callable[[], Iterable[T]], *, name: str, depth: int = 2) -> Iterator[T]:
    """``produce()``'s values in order, produced by a thread called ``name`` at most ``depth``
    values ahead of the caller. What the thread raises is raised here; a caller that stops
    early stops the thread. The thread's database connection is closed when it ends."""
    values: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for value in produce():
                if not put_until_stopped(values, value, stop):
                    return
            put_until_stopped(values, _DONE, stop)
        except BaseException as exc:  # raised in the consuming thread
            put_until_stopped(values, exc, stop)
        finally:
            connection.close()

    reader = threading.Thread(target=read, name=name, daemon=True)
    reader.start()
    try:
        while (value := values.get()) is not _DONE:
            if isinstance(value, BaseException):
                raise value
            yield value
    finally:
        stop.set()
        reader.join()
