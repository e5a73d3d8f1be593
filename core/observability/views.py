"""``/healthz``, ``/readyz`` and ``/metrics``: no login, outside the API, cheap.

They are answered by ``ProbeMiddleware`` (first in ``MIDDLEWARE``), not by URL patterns: load
balancers and Prometheus call the app's port directly, by IP address and over plain HTTP, so
these answers must come before the host check (``ALLOWED_HOSTS``) and the HTTPS redirect.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.exceptions import error_response
from core.observability.access import metrics_access_allowed
from core.observability.health import readiness
from core.observability.metrics import metrics_exposition


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Django would log every 503 / 403 probe answer at ERROR / WARNING, several times a minute
    # per process during an outage; the checks log their causes once per probe themselves.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and serving (no database, no broker)."""
    return _no_store(JsonResponse({"status": "ok"}))


def readyz(request: HttpRequest) -> HttpResponse:
    """200 when this process can serve: the database and the broker answer, and the intake
    models are loaded (when configured); 503 naming what is not ready otherwise."""
    ready, results = readiness()
    checks = {name: result.as_dict() for name, result in results.items()}
    if ready:
        return _no_store(JsonResponse({"status": "ready", "checks": checks}))
    failing = ", ".join(
        f"{name} ({result.status})" for name, result in results.items() if not result.ok
    )
    return _no_store(
        JsonResponse(
            {"status": "not_ready", "message": f"Not ready: {failing}.", "checks": checks},
            status=503,
        )
    )


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition of every process on this host plus the database gauges."""
    if not metrics_access_allowed(meta=request.META, token=settings.TANDEM_METRICS_TOKEN):
        return _no_store(
            error_response(
                "Metrics are served with the metrics token (Authorization: Bearer …), or "
                "without one to clients on this host only.",
                status=403,
            )
        )
    body, content_type = metrics_exposition(accept=request.headers.get("Accept", ""))
    return _no_store(HttpResponse(body, content_type=content_type))


PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}
