"""Strikes (points an author earns with each removal, which expire) and the actions taken on
authors (warn, suspend, ban), each kept as a record so live figures are computed with the clock,
never kept in a counter."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from moderation.choices import SanctionKind, SanctionSource


class Strike(models.Model):
    """Points a removal (``decision``) or a live rule's hit at intake (``rule`` and
    ``content``, no decision) gave its author under a policy, live from ``created_at`` until
    ``expires_at`` (never when null) unless an appeal reversed it."""

    author = models.ForeignKey(
        "moderation.Author", on_delete=models.CASCADE, related_name="strike_records"
    )
    policy = models.ForeignKey("moderation.Policy", on_delete=models.CASCADE, related_name="+")
    decision = models.OneToOneField(
        "moderation.Decision",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="strike",
    )
    # A rule's strike: the rule that held and the content it held for.
    rule = models.ForeignKey(
        "moderation.Rule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.ForeignKey(
        "moderation.Content", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "moderation.PolicyCategory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too: the policy may rename or drop the code later.
    reason_code = models.CharField(max_length=32, blank=True, default="")
    points = models.PositiveSmallIntegerField()
    # Not auto_now_add: the service passes the one clock reading it decided with.
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by_appeal = models.ForeignKey(
        "moderation.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Not columns: set by the author record's selector for ``at``.
    state: str

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Live points of an author under a policy: unreversed strikes by expiry.
            models.Index(
                fields=["author", "policy", "expires_at"],
                condition=Q(reversed_at__isnull=True),
                name="strike_live_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points} points to {self.author_id} ({self.reason_code})"

    def is_live_at(self, at: datetime) -> bool:
        """Counted at ``at``: given by then, not reversed, not expired."""
        return (
            self.created_at <= at
            and self.reversed_at is None
            and (self.expires_at is None or self.expires_at > at)
        )


class AuthorSanction(models.Model):
    """An action on an author: a warning, a suspension or a ban, in force from ``created_at``
    until ``ends_at`` (never when null) unless lifted (an appeal took its basis away)."""

    author = models.ForeignKey(
        "moderation.Author", on_delete=models.CASCADE, related_name="sanctions"
    )
    policy = models.ForeignKey("moderation.Policy", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SanctionKind.choices)
    source = models.CharField(max_length=16, choices=SanctionSource.choices)
    # Threshold actions: the threshold reached and the live points then.
    threshold_points = models.PositiveIntegerField(null=True, blank=True)
    live_points = models.PositiveIntegerField(default=0)
    suspend_days = models.PositiveIntegerField(null=True, blank=True)
    # The decision that brought it (its removal's strike, or the moderator's own choice).
    decision = models.ForeignKey(
        "moderation.Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reason = models.CharField(max_length=200, blank=True, default="")
    lifted_by_appeal = models.ForeignKey(
        "moderation.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    in_force: bool

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["author", "-created_at"], name="sanction_author_idx")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.author_id}"
