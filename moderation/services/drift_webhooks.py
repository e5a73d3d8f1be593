"""Drift alarms to platforms: a signed ``drift.alarm`` webhook for each policy linked to the
project that alarmed, to every active endpoint of each platform granted that policy."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.tasks import enqueue_on_commit
from moderation.choices import DeliveryStatus
from moderation.models import PolicyGrant, WebhookDelivery, WebhookEndpoint

EVENT = "drift.alarm"


def _window(window: Any) -> dict[str, Any]:
    return {
        "window": window.number,
        "started_at": window.started_at.isoformat(),
        "ended_at": window.ended_at.isoformat(),
        "items": window.items,
        "alarms": list(window.alarms),
        "score_psi": window.score_psi,
        "label_mix_psi": window.label_mix_psi,
        "domain_auc": window.domain_auc,
        "overturn_share": window.overturn_share,
        "thresholds": window.thresholds,
        "model_version": window.model_version.version if window.model_version else None,
    }


def drift_alarm_webhooks(window: Any) -> list[int]:
    """Write one outbox row per (granted policy of the window's project, active endpoint of the
    platform granted it), in the caller's transaction (``window`` is a labeling DriftWindow,
    which moderation may not import); each is sent after commit by
    ``moderation.tasks.webhook_deliver`` (signed, retried like every delivery). Returns the
    delivery ids. A platform learns only of policies granted to it."""
    from moderation.tasks import webhook_deliver

    grants = list(
        PolicyGrant.objects.filter(policy__project_id=window.project_id).values_list(
            "policy_id", "platform_id"
        )
    )
    if not grants:
        return []
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        platform_id__in={platform for _, platform in grants}, active=True
    ):
        endpoints.setdefault(endpoint.platform_id, []).append(endpoint)
    drift = _window(window)
    now = timezone.now()
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            event=EVENT,
            payload={"event": EVENT, "policy": {"id": policy_id}, "drift": drift},
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
        )
        for policy_id, platform_id in sorted(grants)
        for endpoint in endpoints.get(platform_id, [])
    ]
    ids = [delivery.pk for delivery in WebhookDelivery.objects.bulk_create(rows)]
    for delivery_id in ids:
        enqueue_on_commit(webhook_deliver, delivery_id)
    return ids
