"""A platform's webhook endpoints and their deliveries (site staff)."""

from rest_framework import serializers

from moderation.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=128,
        help_text="Signs every delivery; a random one is made when left out (shown once).",
    )


class WebhookEndpointSerializer(serializers.ModelSerializer):
    secret_hint = serializers.SerializerMethodField(help_text="The secret's first characters.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "platform", "url", "active", "secret_hint", "created_at"]

    def get_secret_hint(self, endpoint: WebhookEndpoint) -> str:
        return endpoint.secret[:4] + "…"


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    # Declared: a PositiveIntegerField's schema maximum depends on the database.
    attempts = serializers.IntegerField(read_only=True)
    last_status_code = serializers.IntegerField(read_only=True, allow_null=True)
    delivery_id = serializers.UUIDField(
        source="uuid",
        read_only=True,
        help_text="Sent as X-Tandem-Delivery and delivery_id, the same on every attempt.",
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "delivery_id",
            "event",
            "payload",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "log",
            "next_attempt_at",
            "created_at",
            "delivered_at",
        ]
