"""A platform's webhook endpoints and their deliveries."""

from django.db.models import QuerySet

from moderation.models import WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(*, platform_id: int) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(platform_id=platform_id).order_by("id")


def webhook_delivery_list(*, endpoint_id: int) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id).order_by("-created_at", "-id")
