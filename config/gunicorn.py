"""gunicorn settings for Tandem: ``gunicorn -c config/gunicorn.py config.wsgi --bind …``.

- Access and error logs go to the console; with ``TANDEM_LOG_FORMAT=json`` (the default here,
  as in production settings) every line is a JSON object in the shape of the app's own lines
  (``core.observability.gunicorn``).
- A worker that exits has its live Prometheus samples dropped from the multiprocess directory.
- Each worker imports the URLconf and loads intake's models (``moderation.services.warmup``)
  after it has loaded the app and before it takes a request, so no platform's first intake
  waits for a model to load (``TANDEM_WARM_INTAKE_MODELS_AT_START=false`` turns the models off).

Bind address, worker and thread counts stay on the command line.
"""

import os

accesslog = "-"
errorlog = "-"
if os.environ.get("TANDEM_LOG_FORMAT", "json") == "json":
    logger_class = "core.observability.gunicorn.JsonLogger"


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    from django.urls import get_resolver

    from moderation.services.warmup import intake_models_warm_at_start

    # The URLconf (and with it every view module) is imported at the first request otherwise.
    get_resolver().url_patterns  # noqa: B018
    intake_models_warm_at_start(heartbeat=worker.notify)
