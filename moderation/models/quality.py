"""Quality of moderation: gold items (content with a known correct decision) mixed into the
review queue, independent second reviews of decided content, and the answers to both.

Neither ever acts: an answer changes nothing of the content, sends no webhook and makes no
training label; it only measures the moderator (``moderation.services.quality``)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from moderation.choices import DecisionAction, QualityTaskKind

# Up to all of it: a calibration session (a new moderator, a changed policy) may be all gold.
GOLD_RATE_MAX = 1.0


class QualitySettings(models.Model):
    """How much of a policy's queue is quality work (absent row: none)."""

    policy = models.OneToOneField(
        "moderation.Policy", on_delete=models.CASCADE, related_name="quality_settings"
    )
    # Share of the items handed out by the standard queue that are gold items (0 to 0.5).
    gold_rate = models.FloatField(
        default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(GOLD_RATE_MAX)]
    )
    # Share of final human decisions sent to another moderator for an independent review.
    double_review_rate = models.FloatField(
        default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"quality settings of policy {self.policy_id}"


class GoldItem(models.Model):
    """A decided content whose correct decision a policy admin vouches for."""

    policy = models.ForeignKey(
        "moderation.Policy", on_delete=models.CASCADE, related_name="gold_items"
    )
    content = models.OneToOneField(
        "moderation.Content", on_delete=models.CASCADE, related_name="gold_item"
    )
    expected_action = models.CharField(
        max_length=16,
        choices=[(DecisionAction.APPROVE, "Approve"), (DecisionAction.REMOVE, "Remove")],
    )
    note = models.CharField(max_length=500, blank=True, default="")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"gold {self.expected_action} on {self.content_id}"


class QualityTask(models.Model):
    """One moderator's blind look at a content for measuring only: a gold item served to them,
    or the second review of a decision. Held on a lease like queue content until answered."""

    kind = models.CharField(max_length=8, choices=QualityTaskKind.choices)
    content = models.ForeignKey(
        "moderation.Content", on_delete=models.CASCADE, related_name="quality_tasks"
    )
    gold_item = models.ForeignKey(
        GoldItem, null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    # The decision a second review is compared with (never shown to the reviewer).
    first_decision = models.ForeignKey(
        "moderation.Decision",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="second_reviews",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=DecisionAction.choices, blank=True, default="")
    reason_code = models.ForeignKey(
        "moderation.ReasonCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    time_spent_ms = models.PositiveIntegerField(null=True, blank=True)
    # Gold: the answer is the expected action; second review: it is the first decision's.
    matches = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gold_item", "reviewer"],
                condition=Q(kind=QualityTaskKind.GOLD),
                name="quality_gold_once_per_reviewer",
            ),
            models.UniqueConstraint(
                fields=["first_decision"],
                condition=Q(kind=QualityTaskKind.DOUBLE),
                name="quality_one_second_review",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "id"],
                condition=Q(answered_at__isnull=True),
                name="quality_task_open_idx",
            ),
            models.Index(fields=["reviewer", "answered_at"], name="quality_task_reviewer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} review of {self.content_id}"
