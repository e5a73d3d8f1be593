from django.conf import settings
from django.db import models
from django.db.models import Q

from labeling.choices import AssignmentState


class QueueAssignment(models.Model):
    """One person's turn at one item: the lease while they hold it, then what they did.

    At most one per (item, user): an annotator is never handed the same item twice, and with
    overlap each annotator works blind to the others (nothing here is shown across users).
    """

    project = models.ForeignKey(
        "labeling.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    item = models.ForeignKey(
        "labeling.Item", on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    state = models.CharField(
        max_length=16, choices=AssignmentState.choices, default=AssignmentState.LEASED
    )
    # The proposal shown with the item when it was handed out (so the outcome is measured
    # against what the annotator saw, even if a new model rescored the item meanwhile).
    suggested_labels = models.JSONField(default=list, blank=True)
    suggested_confidence = models.FloatField(null=True, blank=True)
    suggested_by = models.ForeignKey(
        "models_app.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    skip_reason = models.CharField(max_length=500, blank=True, default="")
    leased_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="assignment_unique_item_user"),
        ]
        indexes = [
            # A user's open leases in a project (resume, lease limit, renew).
            models.Index(
                fields=["project", "user"],
                condition=Q(state=AssignmentState.LEASED),
                name="assignment_open_user_idx",
            ),
            # Expired leases, found by the periodic sweep.
            models.Index(
                fields=["expires_at"],
                condition=Q(state=AssignmentState.LEASED),
                name="assignment_open_expiry_idx",
            ),
            # Progress and throughput: what a user finished, by time.
            models.Index(fields=["project", "user", "finished_at"], name="assignment_done_idx"),
            # Skipped items, newest first, where a project's data people review the reasons.
            models.Index(
                fields=["project", "-finished_at"],
                condition=Q(state=AssignmentState.SKIPPED),
                name="assignment_skipped_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.user_id} ({self.state})"


class ItemFlag(models.Model):
    """An annotator marks an item as unclear: it goes to the project's review list."""

    item = models.ForeignKey("labeling.Item", on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="flag_unique_item_user"),
        ]

    def __str__(self) -> str:
        return f"flag on {self.item_id}"


class Adjudication(models.Model):
    """The resolved gold label of an item whose annotators disagreed; training uses it."""

    item = models.OneToOneField(
        "labeling.Item", on_delete=models.CASCADE, related_name="adjudication"
    )
    labels = models.JSONField(default=list)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"gold for {self.item_id}: {self.labels}"
