"""Signed webhooks: decisions sent back to the platform, retried with backoff.

Only endpoints an admin configured receive anything, and only at public addresses: the check
runs when the endpoint is created and again before every attempt (``webhook_destinations``).

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
import json
import logging
import secrets
import time
from datetime import timedelta
from typing import Any

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
from moderation.services.webhook_destinations import (
    WebhookRefused,
    webhook_destination,
    webhook_post,
)

logger = logging.getLogger(__name__)

DEFAULT_BACKOFF_SECONDS = (10, 30, 120, 600, 1800)
# How long a sender holds a claimed delivery: longer than the webhook tasks' hard time limit
# (60 s), so a claim still held belongs to a sender that may still be working on it.
DEFAULT_CLAIM_SECONDS = 120
# Due rows one periodic run looks at, and how long it keeps starting new attempts.
DUE_BATCH = 500
DUE_BUDGET_SECONDS = 30.0


def backoff_seconds() -> list[float]:
    """Waits between attempts; one attempt more than there are waits (6 by default)."""
    return [float(s) for s in getattr(settings, "TANDEM_WEBHOOK_BACKOFF_SECONDS", None)
            or DEFAULT_BACKOFF_SECONDS]  # fmt: skip


def claim_seconds() -> float:
    return float(getattr(settings, "TANDEM_WEBHOOK_CLAIM_SECONDS", None) or DEFAULT_CLAIM_SECONDS)


def webhook_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``, the X-Tandem-Signature value."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


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
            status_code, excerpt = webhook_post(endpoint.url, body, headers)
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
