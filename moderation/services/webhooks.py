"""Signed webhooks: decisions sent back to the platform, retried with backoff.

Only endpoints an admin configured receive anything, and only at addresses on the public
internet (or hosts listed in ``TANDEM_WEBHOOK_ALLOWED_HOSTS``): the check runs when the
endpoint is created and again before every attempt, against the addresses the connection then
uses, so a DNS change cannot turn an endpoint into a request to an internal service. IPv6
addresses that carry an IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible and IPv4-mapped)
are judged by the IPv4 address they lead to as well.

Deliveries are an outbox: ``webhook_event_send`` writes one row per endpoint in the caller's
transaction and queues a task after commit; ``webhook_send_due`` (beat, every 15 s) sends every
row that is due, so a message the broker never took, or a worker killed mid-attempt, delays a
delivery but never loses it. Each attempt first claims its row with one conditional UPDATE
(moving ``next_attempt_at`` past the longest a task may run), so two senders never send the
same attempt at once. Delivery is at least once: receivers drop repeats by the delivery id
(``X-Tandem-Delivery``, ``delivery_id`` in the body), the same on every attempt.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from core.tasks import enqueue_on_commit
from moderation.choices import DeliveryStatus
from moderation.models import Content, Platform, PolicyGrant, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
DEFAULT_BACKOFF_SECONDS = (10, 30, 120, 600, 1800)
# How long a sender holds a claimed delivery: longer than the webhook tasks' hard time limit
# (60 s), so a claim still held belongs to a sender that may still be working on it.
DEFAULT_CLAIM_SECONDS = 120
# Due rows one periodic run looks at, and how long it keeps starting new attempts.
DUE_BATCH = 500
DUE_BUDGET_SECONDS = 30.0
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


def claim_seconds() -> float:
    return float(getattr(settings, "TANDEM_WEBHOOK_CLAIM_SECONDS", None) or DEFAULT_CLAIM_SECONDS)


# IPv6 prefixes that carry an IPv4 address: RFC 6052 (well-known NAT64), RFC 8215 (local-use
# NAT64), RFC 3056 (6to4). Teredo and IPv4-mapped are decoded by ``ipaddress`` itself.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def _ipv4_at(packed: bytes, *spans: tuple[int, int]) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(b"".join(packed[start:end] for start, end in spans))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address leads to, with the name of the form:
    ``[("NAT64", IPv4Address("127.0.0.1"))]``; empty for a plain IPv6 address."""
    packed = ip.packed
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if ip.ipv4_mapped is not None:
        found.append(("IPv4-mapped", ip.ipv4_mapped))
    elif packed[:12] == bytes(12) and int(ip) > 1:
        # ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291); :: and ::1 are themselves.
        found.append(("IPv4-compatible", _ipv4_at(packed, (12, 16))))
    if ip in _NAT64:
        found.append(("NAT64", _ipv4_at(packed, (12, 16))))
    if ip in _NAT64_LOCAL:
        # The operator picks the prefix length (/96 to /48): the IPv4 address sits where RFC
        # 6052 puts it for each length (skipping bits 64-71), and every reading must be public
        # (in practice a local-use address is refused: some reading is 0.x.x.x).
        for spans in (((12, 16),), ((9, 13),), ((7, 8), (9, 12)), ((6, 8), (9, 11))):
            found.append(("NAT64", _ipv4_at(packed, *spans)))
    if ip in _SIX_TO_FOUR and ip.sixtofour is not None:
        found.append(("6to4", ip.sixtofour))
    if ip.teredo is not None:
        server, client = ip.teredo
        found += [("Teredo", server), ("Teredo", client)]
    return found


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def _refusal(host: str, address: str) -> str | None:
    """Why Tandem may not send to ``address`` (which ``host`` resolved to), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # Named first: "the NAT64 form of 127.0.0.1" says more than "not public".
        for form, ipv4 in embedded_ipv4(ip):
            if not _public(ipv4):
                return (
                    f"{host} resolves to {address}, the {form} form of {ipv4}, a private, "
                    "loopback or link-local address; webhooks go only to public addresses (an "
                    "operator can allow a host with TANDEM_WEBHOOK_ALLOWED_HOSTS)."
                )
    if not _public(ip):
        return (
            f"{host} resolves to {address}, a private, loopback or link-local address; "
            "webhooks go only to public addresses (an operator can allow a host with "
            "TANDEM_WEBHOOK_ALLOWED_HOSTS)."
        )
    return None


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
    not public (private, loopback, link-local, multicast, reserved) or that is an IPv6 form of
    such an IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible, IPv4-mapped), unless the host
    is listed in ``TANDEM_WEBHOOK_ALLOWED_HOSTS``.
    """
    scheme, host, port, path = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookRefused(f"The host {host} does not resolve.") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if host not in _allowed_hosts():
        for address in addresses:
            refusal = _refusal(host, address)
            if refusal is not None:
                raise WebhookRefused(refusal)
    return scheme, host, port, path, addresses[0]


@transaction.atomic
def webhook_endpoint_create(
    *, platform: Platform, url: str, actor: User, secret: str = ""
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
    delivery row each, written in the caller's transaction (the outbox), and sent by
    ``moderation.tasks.webhook_deliver`` on the ``webhooks`` queue after commit. A broker that
    cannot take the message changes nothing for the caller: the periodic
    ``webhook_send_due`` sends the row. Returns the delivery ids.

    Nothing is queued for content whose policy is no longer granted to its platform (the
    platform may not read it any more).

    ``payload`` adds to ``{"event", "content": {"external_id", "state"}}``; ``delivery_id``
    and ``sent_at`` are added at each attempt.
    """
    from moderation.tasks import webhook_deliver

    endpoints = list(WebhookEndpoint.objects.filter(platform_id=content.platform_id, active=True))
    if not endpoints:
        return []
    if not PolicyGrant.objects.filter(
        policy_id=content.policy_id, platform_id=content.platform_id
    ).exists():
        return []
    body = {
        "event": event,
        "content": {"external_id": content.external_id, "state": content.state},
        **payload,
    }
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                payload=body,
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    ids = [d.pk for d in deliveries]
    for delivery_id in ids:
        enqueue_on_commit(webhook_deliver, delivery_id)
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
        # HTTPSConnection.__init__ sets _context (the TLS settings); typeshed omits it.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


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


def webhook_claim(*, delivery_id: int) -> bool:
    """Take a pending, due delivery for one attempt: one conditional UPDATE moves its
    ``next_attempt_at`` past the claim lease (``TANDEM_WEBHOOK_CLAIM_SECONDS``), so no other
    sender sees it due until this attempt is logged, or, if the sender died, the lease ran out.
    False when it is not pending, not due, or claimed by someone else."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + timedelta(seconds=claim_seconds()))
    )


def webhook_attempt(*, delivery_id: int) -> float | None:
    """Claim a due delivery, make one attempt and log it. Returns the seconds to wait before
    the next attempt, or None when there is none (delivered, failed for good, or not ours to
    send: not pending, not due, or claimed by another sender).

    A 2xx answer delivers it; anything else (another status, a timeout, a refused connection,
    a destination no longer allowed) is retried after the next backoff wait, and after the
    last attempt the delivery is ``failed``. The log row of each attempt: ``{"attempt", "at",
    "status_code", "error", "duration_ms"}``.

    A receiver that drips its answer slower than the socket timeout is cut off by the task's
    soft time limit: that attempt is logged as timed out and rescheduled like any failure,
    then ``SoftTimeLimitExceeded`` is raised again for the task to stop.

    The request is made outside any transaction (a slow receiver must not hold a database
    lock for up to 5 s); delivery is at least once, and receivers tell repeats apart by the
    delivery id (``X-Tandem-Delivery``, ``delivery_id`` in the body), the same on every attempt.
    """
    if not webhook_claim(delivery_id=delivery_id):
        return None
    return _attempt_claimed(delivery_id)


def _attempt_claimed(delivery_id: int) -> float | None:
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    sent_at = timezone.now()
    timestamp = int(sent_at.timestamp())
    body = json.dumps(
        {**delivery.payload, "delivery_id": str(delivery.uuid), "sent_at": sent_at.isoformat()},
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Tandem-Webhooks/1",
        "X-Tandem-Event": delivery.event,
        "X-Tandem-Delivery": str(delivery.uuid),
        "X-Tandem-Timestamp": str(timestamp),
        "X-Tandem-Signature": webhook_sign(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    out_of_time: SoftTimeLimitExceeded | None = None
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
        except SoftTimeLimitExceeded as exc:
            error = "Timed out: the receiver had not answered when the task's time ran out."
            out_of_time = exc
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    wait = _attempt_log(
        delivery_id=delivery.pk,
        entry={"at": sent_at.isoformat(), "status_code": status_code, "error": error,
               "duration_ms": duration_ms},
        give_up=not endpoint.active,
    )  # fmt: skip
    if out_of_time is not None:
        raise out_of_time
    return wait


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


def webhook_send_due(*, limit: int = DUE_BATCH, budget_seconds: float = DUE_BUDGET_SECONDS) -> int:
    """Send every pending delivery that is due, oldest due first: the periodic sweep that
    makes the outbox whole (messages the broker never took, retries whose task was lost, rows
    a killed worker left claimed until the claim ran out). Each row is claimed before its
    attempt, so running beside the per-delivery tasks (or another sweep) sends nothing twice.

    Starts no new attempt after ``budget_seconds``; the next run goes on. Returns the number
    of attempts made.
    """
    started = time.monotonic()
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    attempts = 0
    for delivery_id in due:
        if time.monotonic() - started > budget_seconds:
            break
        if not webhook_claim(delivery_id=delivery_id):
            continue  # sent meanwhile, or being sent by another sender
        attempts += 1
        _attempt_claimed(delivery_id)
    return attempts
