from django.conf import settings
from django.db import models
from django.db.models import Q

from moderation.choices import AppealState, AuthorAction, DecisionAction, HashKind


class Decision(models.Model):
    """What was decided about content, by whom (or automatically), and why.

    A content has at most one final decision (approve or remove) that is not superseded;
    escalations are decisions too, but not final. An overturned appeal supersedes the decision.
    """

    content = models.ForeignKey(
        "moderation.Content", on_delete=models.CASCADE, related_name="decisions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept when the user is deleted: who decided stays readable.
    moderator_name = models.CharField(max_length=150, blank=True, default="")
    automated = models.BooleanField(default=False)
    action = models.CharField(max_length=16, choices=DecisionAction.choices)
    reason_code = models.ForeignKey(
        "moderation.ReasonCode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    author_action = models.CharField(
        max_length=16, choices=AuthorAction.choices, default=AuthorAction.NONE
    )
    suspend_days = models.PositiveIntegerField(null=True, blank=True)
    # What the moderator was shown: {"category", "score", "model_version", "level"} or {}.
    model_suggestion = models.JSONField(default=dict, blank=True)
    time_spent_ms = models.PositiveIntegerField(null=True, blank=True)
    is_final = models.BooleanField(default=False)
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Deciding content already decided is a conflict, not a second decision.
            models.UniqueConstraint(
                fields=["content"],
                condition=Q(is_final=True, superseded=False),
                name="decision_one_final",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.content_id}"


class Appeal(models.Model):
    """An author asks for a final decision to be looked at again, by someone else."""

    content = models.ForeignKey(
        "moderation.Content", on_delete=models.CASCADE, related_name="appeals"
    )
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="appeals")
    statement = models.TextField(blank=True, default="")
    state = models.CharField(max_length=16, choices=AppealState.choices, default=AppealState.OPEN)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewer_name = models.CharField(max_length=150, blank=True, default="")
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"], condition=Q(state="open"), name="appeal_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"appeal of {self.decision_id} ({self.state})"


class HashEntry(models.Model):
    """A known-bad hash in the bank: exact (SHA-256) or perceptual (image pHash)."""

    kind = models.CharField(max_length=8, choices=HashKind.choices)
    value = models.CharField(max_length=64)  # hex
    category = models.ForeignKey(
        "moderation.PolicyCategory", on_delete=models.CASCADE, related_name="hashes"
    )
    note = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value", "category"], name="hash_unique_value"),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="hash_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value[:12]}…"
