"""Limits on hostile input, shared by every app.

- **Request bodies**: each endpoint has a body limit (``body_limit`` on its view: ``"default"``,
  ``"intake"``, ``"intake_batch"``, ``"import"`` or ``"hash_import"``); ``BodyLimitMiddleware``
  refuses a larger ``Content-Length`` with 413 before anything reads the body, so an oversized
  upload never reaches memory or a temporary file.
- **Django's own request limits** (form fields, files, in-memory body) answer as JSON 4xx naming
  the limit (``django_limit_error``), never as an HTML page.
- **JSON nesting depth**: ``json_depth_exceeds`` walks a parsed value without recursion.
- **Text a database cannot keep**: NUL characters and lone surrogates (``text_problem``).
- **Rates**: ``rate_take`` counts in the cache (shared by every web worker when ``CACHE_URL``
  is Redis) and refuses with 429 and ``Retry-After``.

Every figure comes from settings read at call time (README, "Configuration").
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions

# --- request bodies -----------------------------------------------------------------------------

# What a multipart upload adds around its files: boundaries, part headers, the form fields.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
# Room in a single intake body for everything but the image and the text: ids, context, keys.
INTAKE_ENVELOPE_BYTES = 64 * 1024
# The most bytes one character of text can take in a JSON body: a character outside the Basic
# Multilingual Plane written as two escapes ("\ud83d\ude00"), as json.dumps does by default.
JSON_BYTES_PER_CHAR = 12


def base64_length(size: int) -> int:
    """Characters of the base64 text of ``size`` bytes (with padding)."""
    return 4 * math.ceil(size / 3)


def intake_body_limit() -> int:
    """Single intake promises an image of ``TANDEM_IMAGE_MAX_BYTES`` (sent base64) together
    with a text of ``TANDEM_TEXT_MAX_CHARS``, however the client escapes it."""
    return (
        base64_length(settings.TANDEM_IMAGE_MAX_BYTES)
        + JSON_BYTES_PER_CHAR * settings.TANDEM_TEXT_MAX_CHARS
        + INTAKE_ENVELOPE_BYTES
    )


def import_body_limit() -> int:
    return settings.TANDEM_IMPORT_MAX_BYTES + MULTIPART_OVERHEAD_BYTES


BODY_LIMITS: dict[str, Callable[[], int]] = {
    "default": lambda: settings.TANDEM_REQUEST_MAX_BYTES,
    "intake": intake_body_limit,
    "intake_batch": lambda: settings.TANDEM_INTAKE_BATCH_MAX_BYTES,
    "import": import_body_limit,
    "hash_import": lambda: settings.TANDEM_HASH_IMPORT_MAX_BYTES,
}


def body_limit_bytes(kind: str = "default") -> int:
    return BODY_LIMITS[kind]()


def in_memory_body_limit() -> int:
    """The largest body an endpoint reads into memory (everything but the import upload, whose
    files stream to disk). ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is set to it, so Django's own check
    never refuses what an endpoint's limit allows."""
    return max(BODY_LIMITS[kind]() for kind in BODY_LIMITS if kind != "import")


def view_body_limit(path: str) -> tuple[int, str]:
    """``(limit in bytes, kind)`` for the view that serves ``path`` (the default if none)."""
    try:
        match = resolve(path)
    except Resolver404:
        return body_limit_bytes(), "default"
    view_class = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    kind = getattr(view_class, "body_limit", "default")
    return body_limit_bytes(kind), kind


def is_api_path(path: str) -> bool:
    """``/api`` itself and everything under it: answered as the API, never as a page."""
    return path == "/api" or path.startswith("/api/")


def body_too_large_response(request: HttpRequest, *, limit: int, size: int) -> HttpResponse:
    from core.exceptions import error_response

    message = f"The request body is {size:,} bytes; the limit is {limit:,} bytes for this endpoint."
    if is_api_path(request.path_info):
        return error_response(
            message, status=413, extra={"limit_bytes": limit, "content_length": size}
        )
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class BodyLimitMiddleware:
    """Refuse, before reading it, a body whose ``Content-Length`` is over the endpoint's limit.

    Only the declared length is checked: Django reads at most ``Content-Length`` bytes of a
    body, so a client cannot send more than it declares.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(raw)
        except ValueError:
            size = 0  # Django treats an unreadable length as an empty body.
        if size > 0:
            limit, _kind = view_body_limit(request.path_info)
            if size > limit:
                return body_too_large_response(request, limit=limit, size=size)
        return self.get_response(request)


def django_limit_error(exc: BaseException) -> tuple[str, int, dict[str, Any]] | None:
    """``(message, status, extra)`` for Django's request-size refusals, else None."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return (
            f"The request's form fields are larger than the limit of {limit:,} bytes.",
            413,
            {"limit_bytes": limit},
        )
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return (
            f"The request has more than {limit:,} parameters (query string or form fields); "
            f"the limit is {limit:,}.",
            400,
            {"limit_fields": limit},
        )
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return (
            f"The request has more than {limit:,} files; the limit is {limit:,}. "
            "Send many images as one zip.",
            400,
            {"limit_files": limit},
        )
    return None


# --- text ---------------------------------------------------------------------------------------

# Longest password accepted anywhere (hashing and the similarity check read all of it).
PASSWORD_MAX_CHARS = 4096
# Longest free-text description (projects, policies).
DESCRIPTION_MAX_CHARS = 5000


# --- JSON -----------------------------------------------------------------------------------------


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects / arrays more than ``limit`` levels deep.

    ``{}`` and ``[]`` are one level, ``{"a": [1]}`` two. Iterative: a hostile value cannot
    exhaust the stack.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def json_too_deep_message(limit: int) -> str:
    return f"The JSON is nested more than {limit} levels deep; the limit is {limit}."


# --- text ---------------------------------------------------------------------------------------

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (PostgreSQL refuses NUL; a lone surrogate is not
    a character and cannot be encoded as UTF-8), or None."""
    if "\x00" in value:
        return "NUL characters (\\u0000) are not allowed"
    found = _LONE_SURROGATE.search(value)
    if found:
        return f"lone surrogate U+{ord(found.group()):04X} is not a character"
    return None


# What an ISO 8601 date and time is made of. Python's and Django's parsers stop reading at the
# first character they do not expect, so "2026-01-31T00:00:00Z\x00tail" parses: the whole text
# is checked against this first.
_ISO_DATETIME_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+)?(Z|[+-][0-9:]+)?")


def iso_datetime_text(value: str) -> bool:
    """Whether ``value`` is made only of what an ISO 8601 date and time holds."""
    return len(value) <= 40 and _ISO_DATETIME_TEXT.fullmatch(value) is not None


def json_text_problem(value: Any) -> tuple[str, str] | None:
    """The first string (key or value) in a JSON value that cannot be stored:
    ``(path, problem)``, e.g. ``("metadata.tags[2]", "NUL characters ...")``."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        current, path = stack.pop()
        if isinstance(current, str):
            problem = text_problem(current)
            if problem:
                return path, problem
        elif isinstance(current, dict):
            for key, child in current.items():
                child_path = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (problem := text_problem(key)):
                    return f"{path} (a key)" if path else "(a key)", problem
                stack.append((child, child_path))
        elif isinstance(current, list):
            stack.extend((child, f"{path}[{n}]") for n, child in enumerate(current))
    return None


# --- tasks that kill their worker ------------------------------------------------------------


def task_attempts_exhausted(attempts: int) -> bool:
    """Whether a job whose runs have started ``attempts`` times (this one included) should
    stop: each earlier run ended with its worker (killed, out of memory), since a run that
    ends normally finishes the job."""
    return attempts > settings.TANDEM_TASK_MAX_ATTEMPTS


def worker_lost_message(*, what: str, attempts: int, retry: str) -> str:
    times = attempts - 1
    return (
        f"The worker stopped while running {what} {times} time{'s' if times != 1 else ''} "
        f"(killed or out of memory); not retried again. {retry}"
    )


# --- rates ----------------------------------------------------------------------------------------

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600}
_PERIODS |= {"hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"6000/min"`` → ``(6000, 60)``: how many per how many seconds."""
    count, _, period = rate.partition("/")
    try:
        return int(count), _PERIODS[period.strip().lower()]
    except (KeyError, ValueError) as exc:
        raise ValueError(
            f"A rate is written like '6000/min' (per s, min, hour, day): {rate!r}"
        ) from exc


class RateLimited(exceptions.Throttled):
    """429 with ``Retry-After``; ``extra`` goes into the error body."""

    def __init__(self, message: str, *, wait: int, extra: dict[str, Any]):
        super().__init__(wait=wait, detail=message)
        self.extra = extra


def _sliding_wait(*, limit: int, amount: int, previous: int, current: int, share: float) -> float:
    """Share of a period to wait until ``amount`` more fits: the estimate
    ``previous * (1 - share) + current`` must leave room for it."""
    if current + amount <= limit:
        # Fits once enough of the previous window has slid out of view.
        needed = 1 - (limit - current - amount) / previous if previous else share
        return max(0.0, needed - share)
    # Only in the next window, where this window's count becomes the previous one.
    needed = 1 - (limit - amount) / current if current else 0.0
    return (1 - share) + max(0.0, needed)


def rate_take(*, key: str, amount: int, rate: str, what: str, unit: str) -> None:
    """Count ``amount`` against ``key``'s allowance of ``rate``; raise ``RateLimited`` (counting
    nothing) when it would go over.

    A sliding window (the standard approximation): the count of the current fixed window plus
    the previous window's count weighted by how much of it still lies within one period. Unlike
    fixed windows it never lets twice the rate through around a window's edge. Counts live in
    Django's cache: with Redis as ``CACHE_URL`` they are shared by every web worker and host
    (``incr`` is atomic there).
    """
    from django.core.cache import cache

    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    share = (now - window * period) / period  # of the current window gone by
    current_key = f"tandem:rate:{key}:{window}"
    previous = int(cache.get(f"tandem:rate:{key}:{window - 1}") or 0)
    allowance = f"{what} is limited to {limit:,} {unit} per {_period_name(period)}"

    def refuse(message: str, current: int) -> RateLimited:
        wait = _sliding_wait(
            limit=limit, amount=amount, previous=previous, current=current, share=share
        )
        retry_after = max(1, math.ceil(wait * period))
        extra = {
            "limit": limit,
            "rate": rate,
            "period_seconds": period,
            "retry_after_seconds": retry_after,
        }
        return RateLimited(message.format(retry_after=retry_after), wait=retry_after, extra=extra)

    if amount > limit:
        raise refuse(f"{allowance}; {amount:,} at once can never pass: send fewer at a time.", 0)
    timeout = 2 * period + 5  # the next window still reads this one
    cache.add(current_key, 0, timeout=timeout)
    try:
        current = cache.incr(current_key, amount)
    except ValueError:  # expired between add and incr
        cache.add(current_key, 0, timeout=timeout)
        current = cache.incr(current_key, amount)
    if previous * (1 - share) + current > limit:
        cache.decr(current_key, amount)
        raise refuse(f"{allowance}; try again in {{retry_after}} s.", current - amount)


def _period_name(seconds: int) -> str:
    return {1: "second", 60: "minute", 3600: "hour", 86400: "day"}.get(seconds, f"{seconds} s")
