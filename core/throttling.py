"""Login throttling: per client address and per username, before any password is checked.

Two counters guard every way to prove who one is (the API login, accepting an invitation, the
Django admin's login form):

- **per client address** (``TANDEM_LOGIN_RATE``): every attempt from one address counts. The
  address is ``core.net.client_ip``, so a forged ``X-Forwarded-For`` changes nothing.
- **per username** (``TANDEM_LOGIN_USERNAME_RATE``): attempts for one username, from any
  address, case-insensitively. A right password starts the count again, so the counter holds
  the failures since the last success (and a storm spread over many addresses still stops).

Each attempt is counted *before* the password is checked, and over either limit the answer is
429 without checking it: a right password inside a storm is refused too, so a storm cannot
learn anything from the answers. Counting first (an atomic increment) also means that many
attempts sent at once cannot all slip under the limit.

A counter's window starts at its first attempt and lasts the rate's period; when it ends, the
count starts from zero. The counters live in Django's cache (``CACHE_URL``): with several web
hosts it must be a shared one (Redis), and Redis or local memory count atomically.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from rest_framework.exceptions import Throttled

from core.exceptions import error_response
from core.net import client_ip

_RATE = re.compile(
    r"^\s*(?P<count>\d+)\s*/\s*(?P<multiple>\d*)\s*"
    r"(?P<unit>s|sec|second|m|min|minute|h|hr|hour|d|day)s?\s*$",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"10/min"``, ``"20/hour"``, ``"5/15m"``, ``"100/day"`` → :class:`Rate`."""
    match = _RATE.match(text or "")
    if match is None or int(match["count"]) < 1:
        raise ValueError(
            f"{text!r} is not a rate: write ATTEMPTS/PERIOD, e.g. 10/min, 20/hour or 5/15m."
        )
    multiple = int(match["multiple"] or 1)
    return Rate(
        count=int(match["count"]), seconds=multiple * _UNIT_SECONDS[match["unit"][0].lower()]
    )


class FixedWindow:
    """A counter in the cache that starts with its first hit and lasts ``rate.seconds``."""

    def __init__(self, *, name: str, ident: str, rate: Rate):
        digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()
        self.key = f"tandem:throttle:{name}:{digest}"
        self.started_key = f"{self.key}:started"
        self.rate = rate

    def hit(self, now: float) -> int:
        """Count one attempt; returns the count including it."""
        period = self.rate.seconds
        if cache.add(self.key, 1, timeout=period):
            cache.set(self.started_key, now, timeout=period)
            return 1
        try:
            count = cache.incr(self.key)
        except ValueError:  # the window ended between add() and incr(): start a new one
            cache.set(self.key, 1, timeout=period)
            cache.set(self.started_key, now, timeout=period)
            return 1
        # Some caches (files, database) reset a key's expiry on incr(); put the window's end back.
        cache.touch(self.key, timeout=max(1, math.ceil(self.window_end(now) - now)))
        return count

    def window_end(self, now: float) -> float:
        started = cache.get(self.started_key)
        return (started if started is not None else now) + self.rate.seconds

    def wait(self, now: float) -> int:
        """Whole seconds until the window ends (at least 1)."""
        return max(1, math.ceil(self.window_end(now) - now))

    def reset(self) -> None:
        cache.delete_many([self.key, self.started_key])


def normalise_username(username: str) -> str:
    """How usernames are compared for throttling: Unicode-normalised and case-folded."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


class LoginThrottled(Throttled):
    """429 with ``Retry-After``; DRF views raise it, other views send :meth:`as_response`."""

    def __init__(self, *, wait: int, message: str):
        super().__init__(wait=wait, detail=message)
        self.message = message
        self.retry_after_seconds = wait

    def as_response(self) -> JsonResponse:
        seconds = self.retry_after_seconds
        return error_response(
            self.message,
            status=429,
            extra={"retry_after_seconds": seconds},
            headers={"Retry-After": str(seconds)},
        )


def _address_window(request: HttpRequest) -> FixedWindow:
    return FixedWindow(
        name="login-address",
        ident=client_ip(request),
        rate=parse_rate(settings.TANDEM_LOGIN_RATE),
    )


def _username_window(username: str) -> FixedWindow:
    return FixedWindow(
        name="login-username",
        ident=normalise_username(username),
        rate=parse_rate(settings.TANDEM_LOGIN_USERNAME_RATE),
    )


def login_attempt_check(request: HttpRequest, *, username: str) -> None:
    """Count a login attempt from ``request``'s client for ``username``; raise
    :class:`LoginThrottled` when it goes over either limit. Call it before checking the
    password, and :func:`login_attempt_succeeded` when the password was right.

    ``username`` is whatever identifies the account tried (for an invitation: its uid); empty
    means none (the address limit still applies).
    """
    now = time.time()
    by_address = _address_window(request)
    if by_address.hit(now) > by_address.rate.count:
        seconds = by_address.wait(now)
        raise LoginThrottled(
            wait=seconds,
            message=f"Too many login attempts from your address. Try again in {seconds} s.",
        )
    if not normalise_username(username):
        return
    by_username = _username_window(username)
    if by_username.hit(now) > by_username.rate.count:
        seconds = by_username.wait(now)
        raise LoginThrottled(
            wait=seconds,
            message=f"Too many failed logins for this username. Try again in {seconds} s.",
        )


def login_attempt_succeeded(*, username: str) -> None:
    """The password was right: the username's count of failures starts again."""
    if normalise_username(username):
        _username_window(username).reset()
