import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Platform(models.Model):
    """A site or app that sends content to Tandem and receives decisions back."""

    name = models.CharField(max_length=200, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlatformApiKey(models.Model):
    """A secret a platform sends as ``Authorization: Bearer <key>``; only its hash is kept."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, default="")
    # The first characters of the key, shown to admins to tell keys apart.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)  # SHA-256 hex of the whole key
    # What the key may do: a subset of ["intake", "reports", "appeals"].
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Never stored: the whole key, set on the new instance only so that the answer to its
    # creation can show it once.
    key: str

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.platform} key {self.prefix}…"


class WebhookEndpoint(models.Model):
    """Where decisions about a platform's content are sent, signed with ``secret``."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "url"], name="webhook_unique_url"),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one endpoint, with its attempts.

    An outbox row: written in the transaction of the change it reports, sent afterwards by a
    task, and found again by the periodic sender when that task never ran. ``next_attempt_at``
    is when it is due; a sender claims a row by moving it past its own time limit first.
    """

    # Sent as X-Tandem-Delivery and ``delivery_id``: the same on every attempt, so a receiver
    # that saw it already can drop the repeat.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=64)  # e.g. content.decided, appeal.decided
    payload = models.JSONField()
    status = models.CharField(max_length=16, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    # Every attempt: [{"at", "status_code", "error", "duration_ms"}].
    log = models.JSONField(default=list)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
