"""Log lines as JSON objects (``TANDEM_LOG_FORMAT=json``) or plain text, both carrying the
request id, and in Celery tasks the task's id and name.

Every JSON line is one object: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
``request_id`` (null outside a request or a task a request queued), ``task_id`` and
``task_name`` inside a task, ``exception`` (the formatted traceback) when there is one, and
whatever a caller passed in ``extra``.

Nothing here needs Django set up: gunicorn's master uses these classes before it is.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

from core.middleware import current_request_id

# First in every line, in this order; the rest follows as the record carries it.
_LEADING_KEYS = ("time", "level", "logger", "message", "request_id")
# Record attributes not worth a field: objects that only have a repr (Django's request log
# passes the request itself; its path is in the message).
_DROPPED_KEYS = ("request", "server_time", "context", "color_message")


def _current_task() -> Any:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return None
    task = current_task._get_current_object() if current_task else None
    if task is None or getattr(task.request, "id", None) is None:
        return None
    return task


class ContextFilter(logging.Filter):
    """Adds ``request_id`` (and ``task_id`` / ``task_name`` inside a Celery task) to records.

    A value the caller already set (gunicorn's access log passes the response's request id)
    is kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = getattr(record, "request_id", None)
        if request_id is None:
            # Django logs 4xx/5xx answers ("Not Found: /x") after the middleware has returned,
            # outside the request's context, but passes the request along.
            request = getattr(record, "request", None)
            request_id = current_request_id.get() or getattr(request, "request_id", None) or None
            record.request_id = request_id
        task = _current_task()
        if task is not None and getattr(record, "task_id", None) is None:
            record.task_id = task.request.id
            record.task_name = task.name
        # What plain lines show between brackets: the request id, then the task.
        parts = [
            request_id,
            getattr(record, "task_name", None),
            getattr(record, "task_id", None),
        ]
        record.context = " ".join(str(part) for part in parts if part) or "-"
        return True


class JsonFormatter(_LibraryJsonFormatter):
    """python-json-logger's formatter with Tandem's field names and order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault(
            "rename_fields",
            {"levelname": "level", "name": "logger", "exc_info": "exception"},
        )
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        for key in _DROPPED_KEYS:
            log_data.pop(key, None)
        log_data.setdefault("request_id", None)
        ordered = {key: log_data.pop(key) for key in _LEADING_KEYS if key in log_data}
        ordered.update(log_data)
        return ordered
