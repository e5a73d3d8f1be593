"""Gives every request an id (kept in audit records and returned in ``X-Request-ID``)."""

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# The id of the request being served (empty outside requests: tasks, commands).
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")


class IdentifiedRequest(HttpRequest):
    """A request as :class:`RequestIdMiddleware` leaves it (an id on top of Django's)."""

    request_id: str


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: IdentifiedRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
