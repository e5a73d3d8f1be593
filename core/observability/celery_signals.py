"""Celery's side of operability, connected by ``config.celery``:

- the worker logs through Django's ``LOGGING`` (JSON lines with the task's id and name), not
  Celery's own format;
- a task carries the id of the request that queued it, so its log lines name that request;
- each task run that ends counts in ``tandem_celery_tasks_total{task, outcome}``;
- with ``TANDEM_WORKER_METRICS_PORT`` set, the worker serves its host's metrics itself (for
  hosts that run a worker and no web server).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "tandem_request_id"
# Request-id context tokens of the tasks running now, by task id (reset when each ends).
_request_id_tokens: dict[str, Any] = {}
_tokens_lock = threading.Lock()


def _configure_logging(**kwargs: Any) -> None:
    """``setup_logging`` receiver: Celery leaves logging alone when one is connected."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    # Python warnings (Celery's own at start) become log lines of the same shape.
    logging.captureWarnings(True)


def _publish_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    from core.middleware import current_request_id

    request_id = current_request_id.get()
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


def _adopt_request_id(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    from core.middleware import current_request_id

    request_id = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
    if task_id and request_id:
        with _tokens_lock:
            _request_id_tokens[task_id] = current_request_id.set(str(request_id))


def _drop_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    from core.middleware import current_request_id

    with _tokens_lock:
        token = _request_id_tokens.pop(task_id or "", None)
    if token is not None:
        try:
            current_request_id.reset(token)
        except ValueError:  # set in another context (a thread pool); just clear it
            current_request_id.set("")


def _task_name(sender: Any, request: Any = None) -> str:
    name = getattr(sender, "name", None) or getattr(request, "task", None)
    return str(name) if name else "unknown"


def _count(task: str, outcome: str) -> None:
    from core.observability.metrics import celery_task_count

    try:
        celery_task_count(task=task, outcome=outcome)
    except Exception:  # metrics never fail a task
        logger.exception("metrics: could not count a task outcome")


def _on_success(sender: Any = None, **kwargs: Any) -> None:
    _count(_task_name(sender), "success")


def _on_failure(sender: Any = None, exception: BaseException | None = None, **kwargs: Any) -> None:
    from billiard.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded

    outcome = (
        "timeout" if isinstance(exception, SoftTimeLimitExceeded | TimeLimitExceeded) else "failure"
    )
    _count(_task_name(sender), outcome)


def _on_retry(sender: Any = None, request: Any = None, **kwargs: Any) -> None:
    _count(_task_name(sender, request), "retry")


def _on_revoked(sender: Any = None, request: Any = None, **kwargs: Any) -> None:
    _count(_task_name(sender, request), "revoked")


def _start_exporter(**kwargs: Any) -> None:
    """``worker_init`` receiver (the worker's main process, before its pool starts)."""
    from django.conf import settings

    port = settings.TANDEM_WORKER_METRICS_PORT
    if port:
        from core.observability.exporter import metrics_exporter_start

        metrics_exporter_start(address=settings.TANDEM_WORKER_METRICS_BIND, port=port)


def observability_connect() -> None:
    """Connect the receivers (``config.celery`` calls this once)."""
    from celery import signals

    uid = "tandem.observability"
    signals.setup_logging.connect(_configure_logging, weak=False, dispatch_uid=f"{uid}.logging")
    signals.before_task_publish.connect(
        _publish_request_id, weak=False, dispatch_uid=f"{uid}.publish"
    )
    signals.task_prerun.connect(_adopt_request_id, weak=False, dispatch_uid=f"{uid}.prerun")
    signals.task_postrun.connect(_drop_request_id, weak=False, dispatch_uid=f"{uid}.postrun")
    signals.task_success.connect(_on_success, weak=False, dispatch_uid=f"{uid}.success")
    signals.task_failure.connect(_on_failure, weak=False, dispatch_uid=f"{uid}.failure")
    signals.task_retry.connect(_on_retry, weak=False, dispatch_uid=f"{uid}.retry")
    signals.task_revoked.connect(_on_revoked, weak=False, dispatch_uid=f"{uid}.revoked")
    signals.worker_init.connect(_start_exporter, weak=False, dispatch_uid=f"{uid}.exporter")
