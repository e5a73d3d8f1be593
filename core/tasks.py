"""Sending Celery tasks from request code without letting the broker fail the request.

Work that a request starts in the background is queued after its transaction commits. By then
the request's data is saved, so a broker that is down, full or unreachable must not turn the
answer into a 500: the failure is logged, and every such task has a periodic task that finds
the work it left undone (the row that asked for it is the record, not the message):

- webhook deliveries: ``moderation.tasks.webhook_send_due`` (every 15 s) sends due rows;
- import, embedding and training jobs still queued without a task:
  ``labeling.tasks.jobs_resend_unsent`` (every minute) queues them again;
- retraining after new labels: ``labeling.tasks.retrain_scheduled`` (hourly) requests it for
  every project with labels newer than its last training job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

# Publishing gives up quickly: the caller's data is saved, and a periodic task re-sends.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                        "interval_max": 0.5}  # fmt: skip


def _eager(task: Any) -> bool:
    return bool(task.app.conf.task_always_eager)


def enqueue(task: Any, *args: Any, **options: Any) -> Any | None:
    """Send ``task(*args)`` now (``options`` as for ``apply_async``). Returns the
    ``AsyncResult``, or None when the broker could not take the message (logged).

    With ``CELERY_TASK_ALWAYS_EAGER`` (tests, debugging) there is no broker: the task runs
    here and its errors propagate as they always did.
    """
    if _eager(task):
        return task.apply_async(args, **options)
    try:
        return task.apply_async(args, retry_policy=PUBLISH_RETRY_POLICY, **options)
    except Exception:  # any broker or connection error: the work stays recorded in its row
        logger.warning(
            "Could not queue %s%r: the broker did not take the message; the periodic task "
            "that looks for unsent work will queue it again.",
            getattr(task, "name", task),
            args,
            exc_info=True,
        )
        return None


def enqueue_on_commit(
    task: Any,
    *args: Any,
    on_sent: Callable[[str], object] | None = None,
    **options: Any,
) -> None:
    """After the current transaction commits, send ``task(*args)``; ``on_sent(task_id)``
    runs once the broker took it (e.g. to record the task id on the job row).

    Nothing raised here reaches the request: a broker failure is logged (see ``enqueue``) and
    the callback is registered ``robust`` so no other error escapes either (eager mode aside).
    Outside a transaction the task is sent at once.
    """

    def send() -> None:
        result = enqueue(task, *args, **options)
        if result is not None and on_sent is not None:
            on_sent(result.id or "")

    transaction.on_commit(send, robust=not _eager(task))
