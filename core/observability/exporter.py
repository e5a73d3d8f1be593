"""A small metrics server inside the Celery worker (``TANDEM_WORKER_METRICS_PORT``).

On a host that runs the web server too, the web's ``/metrics`` already includes the worker (they
share the multiprocess directory); a host with only a worker has no web server to ask, so the
worker's main process serves the host's counters itself, under the same access rule.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings

from core.observability.access import metrics_access_allowed
from core.observability.metrics import metrics_exposition

logger = logging.getLogger(__name__)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _metrics_app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    if environ.get("PATH_INFO", "/") not in ("/", "/metrics"):
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"message": "Not found.", "extra": {}}']
    if not metrics_access_allowed(meta=environ, token=settings.TANDEM_METRICS_TOKEN):
        start_response("403 Forbidden", [("Content-Type", "application/json")])
        return [b'{"message": "Metrics need the metrics token.", "extra": {}}']
    body, content_type = metrics_exposition(
        accept=environ.get("HTTP_ACCEPT", ""), include_database=False
    )
    start_response("200 OK", [("Content-Type", content_type), ("Cache-Control", "no-store")])
    return [body]


def metrics_exporter_start(*, address: str, port: int) -> WSGIServer:
    """Serve ``/metrics`` on ``address:port`` from a daemon thread; returns the server."""
    server = make_server(
        address, port, _metrics_app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, name="tandem-metrics-exporter", daemon=True
    )
    thread.start()
    logger.info("worker metrics on http://%s:%s/metrics", address, server.server_port)
    if not settings.TANDEM_METRICS_TOKEN and address not in ("127.0.0.1", "::1", "localhost"):
        logger.warning(
            "TANDEM_METRICS_TOKEN is not set: the worker's metrics answer loopback clients only"
        )
    return server
