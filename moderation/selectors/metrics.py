"""Moderation's gauges for ``/metrics``, read at scrape time: the review queue and its SLA, and
the webhook backlog. Each is one grouped query over an index that holds only the open or
pending rows (never the whole content table)."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from core.observability.metrics import GaugeFamily
from moderation.choices import DeliveryStatus, ReviewTier
from moderation.models import Content, Policy, WebhookDelivery
from moderation.selectors.review import OPEN_STATES

# Open content due within this window (or overdue) is "at risk".
SLA_RISK_WINDOW = timedelta(hours=1)


def review_queue_gauges() -> list[GaugeFamily]:
    """Open contents, those at SLA risk and those overdue, by policy and tier (zeros too)."""
    now = timezone.now()
    labels = ("policy", "tier")
    open_contents = GaugeFamily(
        "tandem_review_queue_open",
        "Contents waiting for a moderator (pending or escalated), by policy and review tier.",
        labels,
    )
    at_risk = GaugeFamily(
        "tandem_review_sla_at_risk",
        "Open contents past their SLA deadline or due within the hour, by policy and tier.",
        labels,
    )
    overdue = GaugeFamily(
        "tandem_review_sla_overdue",
        "Open contents past their SLA deadline, by policy and tier.",
        labels,
    )
    rows = (
        Content.objects.filter(state__in=OPEN_STATES)
        .values("policy_id", "tier")
        .annotate(
            open=Count("*"),
            at_risk=Count("sla_due_at", filter=Q(sla_due_at__lt=now + SLA_RISK_WINDOW)),
            overdue=Count("sla_due_at", filter=Q(sla_due_at__lt=now)),
        )
        .order_by()
    )
    counts = {(row["policy_id"], row["tier"]): row for row in rows}
    for policy_id in Policy.objects.order_by("id").values_list("id", flat=True):
        for tier in ReviewTier.values:
            row: Mapping[str, Any] = counts.get((policy_id, tier), {})
            open_contents.add(row.get("open", 0), policy_id, tier)
            at_risk.add(row.get("at_risk", 0), policy_id, tier)
            overdue.add(row.get("overdue", 0), policy_id, tier)
    return [open_contents, at_risk, overdue]


def webhook_backlog_gauges() -> list[GaugeFamily]:
    """Pending deliveries, and how long the most overdue one has been due."""
    now = timezone.now()
    pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
    oldest_due = pending.filter(next_attempt_at__lte=now).aggregate(at=Min("next_attempt_at"))
    count = GaugeFamily(
        "tandem_webhook_deliveries_pending",
        "Webhook deliveries not delivered yet and not given up on (waiting or due).",
    )
    count.add(pending.count())
    age = GaugeFamily(
        "tandem_webhook_oldest_due_seconds",
        "Seconds since the most overdue pending webhook delivery was due (0: none is due).",
    )
    age.add((now - oldest_due["at"]).total_seconds() if oldest_due["at"] else 0.0)
    return [count, age]
