"""JSON, never HTML, for every error under ``/api/``; the SPA's paths keep Django's pages.

Django answers some errors before any API view runs (an unknown URL, a body it will not parse,
an exception outside DRF) and, with ``DEBUG`` on, renders its debug pages for them. The
handlers below (``handler400`` … ``handler500`` in ``config/urls.py``) and
``ApiJsonErrorsMiddleware`` (which also covers the ``DEBUG`` pages) give API clients the API's
error body instead: ``{"message": str, "extra": {...}}``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from core.exceptions import error_response
from core.limits import django_limit_error, is_api_path

MESSAGES = {
    400: "Bad request: the request could not be read.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    500: "Server error. It has been logged; the request id identifies it.",
}
# Headers of the replaced page that still mean something to the client.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Connection")


def _message(status: int) -> str:
    if status in MESSAGES:
        return MESSAGES[status]
    return "Server error." if status >= 500 else "The request was refused."


def _extra(request: HttpRequest, status: int) -> dict:
    request_id = getattr(request, "request_id", "")
    return {"request_id": request_id} if status >= 500 and request_id else {}


def api_error_response(request: HttpRequest, status: int, exception=None) -> HttpResponse:
    limit_error = django_limit_error(exception) if exception is not None else None
    if limit_error is not None:
        message, status, extra = limit_error
        return error_response(message, status=status, extra=extra)
    return error_response(_message(status), status=status, extra=_extra(request, status))


def bad_request(request: HttpRequest, exception, template_name: str = "400.html"):
    if is_api_path(request.path_info):
        return api_error_response(request, 400, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception, template_name: str = "403.html"):
    if is_api_path(request.path_info):
        return api_error_response(request, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception, template_name: str = "404.html"):
    if is_api_path(request.path_info):
        return api_error_response(request, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest, template_name: str = "500.html"):
    if is_api_path(request.path_info):
        return api_error_response(request, 500)
    return defaults.server_error(request)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


class ApiJsonErrorsMiddleware:
    """An error page under ``/api/`` (Django's, the debug pages, a 405 of a plain view) is
    replaced by the JSON error body with the same status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api_path(request.path_info)
            or _is_json(response)
            or response.streaming
        ):
            return response
        replacement = api_error_response(request, response.status_code)
        for header in KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement
