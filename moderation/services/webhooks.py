"""Signed webhooks: decisions sent back to the platform, retried with backoff.

Only endpoints an admin configured receive anything, and only at addresses on the public
internet (or hosts listed in ``TANDEM_WEBHOOK_ALLOWED_HOSTS``): the check runs when the
endpoint is created and again before every attempt, against the addresses the connection then
uses, so a DNS change cannot turn an endpoint into a request to an internal service.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from moderation.choices import DeliveryStatus
from moderation.models import Content, Platform, WebhookDelivery, WebhookEndpoint

TIMEOUT_SECONDS = 5.0
DEFAULT_BACKOFF_SECONDS = (10, 30, 120, 600, 1800)
# Bytes of a receiver's answer kept in the log (the status code is what counts).
RESPONSE_EXCERPT = 200


class WebhookRefused(Exception):
    """The destination is not one Tandem may send to."""


def backoff_seconds() -> list[float]:
    """Waits between attempts; one attempt more than there are waits (6 by default)."""
    return [float(s) for s in getattr(settings, "TANDEM_WEBHOOK_BACKOFF_SECONDS", None)
            or DEFAULT_BACKOFF_SECONDS]  # fmt: skip


def _allowed_hosts() -> set[str]:
    return {h.lower() for h in getattr(settings, "TANDEM_WEBHOOK_ALLOWED_HOSTS", None) or []}


def webhook_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``, the X-Tandem-Signature value."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WebhookRefused("A webhook URL must be http:// or https:// with a host name.")
    if parts.username or parts.password:
        raise WebhookRefused("A webhook URL must not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise WebhookRefused("The webhook URL has an invalid port.") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname.lower(), port, path


def webhook_destination(url: str) -> tuple[str, str, int, str, str]:
    """``(scheme, host, port, path, address to connect to)`` for a URL Tandem may send to.

    Raises ``WebhookRefused`` when the host does not resolve, or resolves to any address that is
    not public (private, loopback, link-local, multicast, reserved), unless the host is listed
    in ``TANDEM_WEBHOOK_ALLOWED_HOSTS``.
    """
    scheme, host, port, path = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookRefused(f"The host {host} does not resolve.") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if host not in _allowed_hosts():
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise WebhookRefused(
                    f"{host} resolves to {address}, a private, loopback or link-local address; "
                    "webhooks go only to public addresses (an operator can allow a host with "
                    "TANDEM_WEBHOOK_ALLOWED_HOSTS)."
                )
    return scheme, host, port, path, addresses[0]


@transaction.atomic
def webhook_endpoint_create(
    *, platform: Platform, url: str, actor: AbstractBaseUser, secret: str = ""
) -> WebhookEndpoint:
    """Configure where a platform's decisions are sent. The secret signs every delivery; a
    random one is made when none is given (it is shown once, in the answer to this call).

    Refuses (400): a URL that is not http(s), that does not resolve, or that resolves to a
    private / loopback / link-local address (unless allowed by the operator); a URL the
    platform already has.
    Side effects: audit record ``webhook.create`` (the secret is not recorded).
    """
    try:
        webhook_destination(url)
    except WebhookRefused as exc:
        raise ApplicationError(str(exc), extra={"url": url}) from exc
    try:
        with transaction.atomic():
            endpoint = WebhookEndpoint.objects.create(
                platform=platform, url=url, secret=secret or secrets.token_urlsafe(32)
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "This platform already sends to that URL.", extra={"url": url}, status_code=409
        ) from exc
    audit_record(
        actor=actor,
        action="webhook.create",
        object_type="moderation.webhookendpoint",
        object_id=endpoint.pk,
        scope=f"moderation.platform:{platform.pk}",
        after={"url": url, "active": True},
    )
    return endpoint


def webhook_event_send(*, content: Content, event: str, payload: dict[str, Any]) -> list[int]:
    """Queue ``event`` about ``content`` to every active endpoint of its platform: one
    delivery each, sent by ``moderation.tasks.webhook_deliver`` on the ``webhooks`` queue
    after the caller's transaction commits. Returns the delivery ids.

    ``payload`` adds to ``{"event", "content": {"external_id", "state"}}``; ``sent_at`` is set
    at each attempt.
    """
    body = {
        "event": event,
        "content": {"external_id": content.external_id, "state": content.state},
        **payload,
    }
    endpoints = WebhookEndpoint.objects.filter(platform_id=content.platform_id, active=True)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                payload=body,
                status=DeliveryStatus.PENDING,
                next_attempt_at=timezone.now(),
            )
            for endpoint in endpoints
        ]
    )
    ids = [d.pk for d in deliveries]

    def enqueue() -> None:
        from moderation.tasks import webhook_deliver

        for delivery_id in ids:
            webhook_deliver.delay(delivery_id)

    if ids:
        transaction.on_commit(enqueue)
    return ids


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """One POST, no redirects followed; ``(status code, start of the answer)``."""
    scheme, host, port, path, address = webhook_destination(url)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
        return response.status, excerpt
    finally:
        connection.close()


def webhook_attempt(*, delivery_id: int) -> float | None:
    """Make one attempt at a pending delivery and log it. Returns the seconds to wait before
    the next attempt, or None when there is none (delivered, failed for good, or not pending).

    A 2xx answer delivers it; anything else (another status, a timeout, a refused connection,
    a destination no longer allowed) is retried after the next backoff wait, and after the
    last attempt the delivery is ``failed``. The log row of each attempt: ``{"attempt", "at",
    "status_code", "error", "duration_ms"}``.

    The request is made outside any transaction (a slow receiver must not hold a database
    lock for up to 5 s); delivery is at least once, and receivers tell repeats apart by
    ``X-Tandem-Delivery``.
    """
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None:
        return None  # delivered or given up already
    endpoint = delivery.endpoint
    sent_at = timezone.now()
    timestamp = int(sent_at.timestamp())
    body = json.dumps(
        {**delivery.payload, "sent_at": sent_at.isoformat()}, separators=(",", ":")
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Tandem-Webhooks/1",
        "X-Tandem-Event": delivery.event,
        "X-Tandem-Delivery": str(delivery.pk),
        "X-Tandem-Timestamp": str(timestamp),
        "X-Tandem-Signature": webhook_sign(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    if not endpoint.active:
        error = "The endpoint was deactivated."
    else:
        try:
            status_code, excerpt = _post(endpoint.url, body, headers)
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}: {excerpt}".strip()
        except WebhookRefused as exc:
            error = str(exc)
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    return _attempt_log(
        delivery_id=delivery.pk,
        entry={"at": sent_at.isoformat(), "status_code": status_code, "error": error,
               "duration_ms": duration_ms},
        give_up=not endpoint.active,
    )  # fmt: skip


@transaction.atomic
def _attempt_log(*, delivery_id: int, entry: dict[str, Any], give_up: bool) -> float | None:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return None
    delivery.attempts += 1
    delivery.log = [*delivery.log, {"attempt": delivery.attempts, **entry}]
    delivery.last_status_code = entry["status_code"]
    delivery.last_error = entry["error"]
    waits = backoff_seconds()
    wait: float | None = None
    if not entry["error"]:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif give_up or delivery.attempts > len(waits):
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        wait = waits[delivery.attempts - 1]
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
    delivery.save()
    return wait
