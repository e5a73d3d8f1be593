"""The Celery application: queues default, embeddings, training and webhooks; JSON only."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init
from kombu import Queue

from core.observability.celery_signals import observability_connect

# Production unless told otherwise, like manage.py and config.wsgi (this module is imported
# first, by config/__init__.py, so its default is the one every process gets).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
# JSON logs with the task's id, the request id carried into tasks, task outcome counters, and
# the worker's metrics port.
observability_connect()
app.conf.task_queues = [Queue(name) for name in ("default", "embeddings", "training", "webhooks")]
app.conf.task_routes = {
    "labeling.tasks.embed_*": {"queue": "embeddings"},
    "labeling.tasks.train_*": {"queue": "training"},
    "labeling.tasks.evaluate_*": {"queue": "training"},
    # Nearest-neighbour index builds: CPU-heavy, beside the embedding work they follow.
    "models_app.tasks.ann_*": {"queue": "embeddings"},
    "moderation.tasks.webhook_*": {"queue": "webhooks"},
}
app.conf.beat_schedule = {
    # Projects with labels newer than their last training run get one (the label-count trigger
    # covers busy projects; this catches the rest, e.g. labels that came with an import).
    "retrain-scheduled": {
        "task": "labeling.tasks.retrain_scheduled",
        "schedule": crontab(minute=17),
    },
    # Abandoned items (a closed tab, a lost connection) go back to the annotation queue. The
    # next-item call also expires its project's leases; this catches projects nobody is in.
    "queue-leases-expire": {
        "task": "labeling.tasks.queue_leases_expire_task",
        "schedule": 30.0,
        "options": {"expires": 25},  # a late run is replaced by the next one, not stacked
    },
    # The webhook outbox: deliveries that are due (new ones whose task never reached the
    # broker, retries whose task was lost, rows a killed worker held until its claim ran out).
    # Its period is TANDEM_WEBHOOK_SEND_DUE_SECONDS, set once the settings are read (below).
    "webhook-send-due": {
        "task": "moderation.tasks.webhook_send_due",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
    # Import, embedding and training jobs whose task never reached the broker.
    "jobs-resend-unsent": {
        "task": "labeling.tasks.jobs_resend_unsent",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Waiting content rises in the review queue as it ages (priority = ... * age factor).
    # Drift windows: a project's window closes at the end of its day or once it holds
    # window_max_items new items; the check queues a drift job for each project with one due.
    "drift-check": {
        "task": "labeling.tasks.drift_check",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "review-priorities-refresh": {
        "task": "moderation.tasks.review_priorities_refresh",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}


@app.on_after_configure.connect
def _webhook_send_due_period(sender: Celery, **kwargs: object) -> None:
    """The outbox's period from the settings; a late run is replaced by the next one."""
    from django.conf import settings

    period = float(settings.TANDEM_WEBHOOK_SEND_DUE_SECONDS)
    sender.conf.beat_schedule["webhook-send-due"].update(
        schedule=period, options={"expires": period * 14 / 15}
    )


app.autodiscover_tasks()


# The jobs that go through many rows: imported when a worker starts, so their first run does
# not import them and their modules are frozen with the rest (``worker_process_prepare``).
JOB_MODULES = (
    "labeling.services.imports.run",
    "labeling.services.datasets.cut",
    "labeling.services.datasets.exports",
    "moderation.services.backtests",
    "moderation.services.bulk_actions",
)


def worker_process_prepare() -> None:
    """What a worker does once it has started, before its pool takes jobs (forked pool
    processes inherit it):

    - pyarrow's one-time pandas import (0.5-0.7 s) and the cut's database driver, not in the
      first snapshot or export job;
    - the row-heavy jobs' modules imported;
    - every object it then holds (Django, the apps, their libraries: about 100,000) frozen out
      of the garbage collector's passes (``gc.freeze``). A job that makes many objects (an
      import, a cut, a backtest) triggers a full collection every few thousand rows, and each
      one walked all of them again: a third of a Label Studio import's time. Forked processes
      also keep sharing those pages with the parent instead of copying them when a pass
      touches them.
    """
    import gc
    import importlib

    from labeling.services.datasets.warm import columnar_warm

    columnar_warm()
    for name in JOB_MODULES:
        importlib.import_module(name)
    gc.collect()  # nothing left to collect is frozen with the rest
    gc.freeze()


@worker_init.connect
def _worker_prepare(**kwargs: object) -> None:
    worker_process_prepare()
