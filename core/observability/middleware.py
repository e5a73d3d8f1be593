"""Middleware: probes, request latency per route, and a database outage answered as 503."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from core.exceptions import error_response
from core.observability.metrics import request_observe

logger = logging.getLogger("tandem.database")

# Seconds a client is asked to wait after a database outage answer (PostgreSQL restarting
# typically takes a few).
DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)


class ProbeMiddleware:
    """Answers ``/healthz``, ``/readyz`` and ``/metrics`` before any other middleware (see
    ``core.observability.views`` for why); GET and HEAD only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        from core.observability.views import PROBES

        self.get_response = get_response
        self.probes = PROBES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.probes.get(request.path_info.rstrip("/") or "/")
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return error_response(
                f"Method {request.method} is not allowed here.",
                status=405,
                headers={"Allow": "GET, HEAD"},
            )
        return view(request)


def route_label(request: HttpRequest) -> str:
    """The URL pattern that served the request (``/api/v1/projects/<int:project_id>/``), never
    the path: ids in paths would make a new time series per object."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"  # 404 before routing, or answered by middleware
    route = match.route or ""
    if route.startswith("^"):
        # A regular expression (re_path): its view name reads better (the SPA's catch-all).
        return match.view_name or route
    return "/" + route


class RequestMetricsMiddleware:
    """Observes ``tandem_http_request_duration_seconds`` for every request it wraps."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            request_observe(
                route=route_label(request),
                method=request.method or "",
                status_code=response.status_code,
                seconds=time.perf_counter() - started,
            )
        except Exception:  # metrics never fail a request
            logger.exception("metrics: could not record the request")
        return response


def _database_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.warning(
        "database unavailable during %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )
    return error_response(
        "The database is unavailable; try again shortly.",
        status=503,
        extra={"retry_after_seconds": DATABASE_RETRY_AFTER_SECONDS},
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


class DatabaseUnavailableMiddleware:
    """A request that meets ``OperationalError`` / ``InterfaceError`` (PostgreSQL restarting,
    the network to it down, SQLite locked past its busy timeout) answers 503 JSON with
    ``Retry-After`` instead of a 500 page.

    Django closes a connection that failed at the end of the request, and checks reused ones
    before the next (``CONN_HEALTH_CHECKS``), so the first request after the database is back
    works without restarting the process.

    Errors raised in a view come to ``process_exception``. Those raised in middleware below this
    one (a session saved after the view) are turned into a 500 by Django before they get here:
    ``database_error_mark`` (a ``got_request_exception`` receiver) marks the request, and the
    500 is replaced here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exc = getattr(request, "_tandem_database_error", None)
        if exc is not None and response.status_code == 500:
            return _database_unavailable(request, exc)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, DATABASE_ERRORS):
            return _database_unavailable(request, exc)
        return None


def database_error_mark(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception`` receiver: remember a database error on the request."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, DATABASE_ERRORS):
        request._tandem_database_error = exc  # type: ignore[attr-defined]
