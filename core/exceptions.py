"""One error type for domain refusals and one error body for every API failure."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.limits import django_limit_error


class ApplicationError(Exception):
    """A request the domain refuses. ``status_code`` picks the HTTP status (400 by default)."""

    def __init__(
        self, message: str, *, extra: dict[str, Any] | None = None, status_code: int = 400
    ):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        self.status_code = status_code


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
        return "Invalid input."
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Shape every error as ``{"message": str, "extra": {...}}``; never leak a traceback."""
    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=exc.status_code)
    if (limit_error := django_limit_error(exc)) is not None:
        message, code, extra = limit_error
        return Response({"message": message, "extra": extra}, status=code)
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": _first_message(exc.detail), "extra": {"fields": exc.detail}}
    else:
        detail = getattr(exc, "detail", str(exc))
        extra = {}
        # DRF sets Throttled.wait in __init__; djangorestframework-stubs do not declare it.
        wait = exc.wait if isinstance(exc, exceptions.Throttled) else None  # type: ignore[attr-defined]
        if wait is not None:
            extra["retry_after_seconds"] = int(wait)
        extra.update(getattr(exc, "extra", None) or {})
        response.data = {"message": str(detail), "extra": extra}
    return response


def payload_too_large(message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(
        message, extra=extra, status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    )


def error_response(
    message: str,
    *,
    status: int,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """The API's error body, ``{"message", "extra"}``, for code that answers outside DRF
    (middleware, Django's error handlers, file views)."""
    return JsonResponse({"message": message, "extra": extra or {}}, status=status, headers=headers)
