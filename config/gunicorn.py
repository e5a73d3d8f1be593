"""gunicorn settings for Tandem: ``gunicorn -c config/gunicorn.py config.wsgi --bind …``.

- Access and error logs go to the console; with ``TANDEM_LOG_FORMAT=json`` (the default here,
  as in production settings) every line is a JSON object in the shape of the app's own lines
  (``core.observability.gunicorn``).
- A worker that exits has its live Prometheus samples dropped from the multiprocess directory.

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
