"""gunicorn's logs in Tandem's JSON line shape (``config/gunicorn.py`` picks this class when
``TANDEM_LOG_FORMAT=json``).

An access line is ``{"time", "level", "logger": "gunicorn.access", "message": "GET /path 200",
"request_id", "method", "path", "status", "duration_ms", "bytes", "remote_addr",
"user_agent"}``. The request id is the one the app answered in ``X-Request-ID``; the path is
logged without its query string (it may hold tokens).
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.glogging import Logger

from core.observability.logging import ContextFilter, JsonFormatter


class JsonLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(JsonFormatter())
                    if not any(isinstance(f, ContextFilter) for f in handler.filters):
                        handler.addFilter(ContextFilter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not getattr(self, "access_log_enabled", self.cfg.accesslog is not None):
            return
        try:
            status = resp.status
            status_code = int(str(status).split(None, 1)[0])
            headers = resp.headers.items() if hasattr(resp.headers, "items") else resp.headers
            request_id = next(
                (value for name, value in headers if name.lower() == "x-request-id"), None
            )
            method = environ.get("REQUEST_METHOD", "")
            path = environ.get("PATH_INFO", "")
            self.access_log.info(
                "%s %s %s",
                method,
                path,
                status_code,
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": path,
                    "status": status_code,
                    "duration_ms": round(request_time.total_seconds() * 1000, 1),
                    "bytes": getattr(resp, "sent", None),
                    "remote_addr": environ.get("REMOTE_ADDR"),
                    "user_agent": environ.get("HTTP_USER_AGENT"),
                },
            )
        except Exception:
            logging.getLogger("gunicorn.error").exception("could not write the access log")
