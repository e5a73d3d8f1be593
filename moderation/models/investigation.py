from django.conf import settings
from django.db import models

from labeling.choices import JobState
from moderation.choices import BulkActionKind, BulkItemOutcome


class BulkAction(models.Model):
    """One action over many contents (a search result or a selection), run as a job.

    The contents are fixed when it is requested (the ``BulkActionItem`` rows): what runs is what
    the moderator confirmed, whatever arrives later. Each content is handled in its own
    transaction together with its item row, so a retried job skips what is done and sends no
    webhook twice.
    """

    kind = models.CharField(max_length=16, choices=BulkActionKind.choices)
    # What selected the contents: {"query", "filters"} or {"ids": n}; kept for the record.
    selection = models.JSONField(default=dict, blank=True)
    # For remove / approve: the reason code (the same code in every policy covered).
    reason_code = models.CharField(max_length=50, blank=True, default="")
    note = models.TextField(blank=True, default="")
    # For hash_bank: the category whose bank the hashes go to; for text_bank: the bank.
    hash_category = models.ForeignKey(
        "moderation.PolicyCategory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text_bank = models.ForeignKey(
        "moderation.TextBank", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the user is deleted: who asked stays readable.
    created_by_name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"bulk {self.kind} {self.pk} ({self.total} contents)"


class BulkActionItem(models.Model):
    """One content of a bulk action and how it came out."""

    bulk_action = models.ForeignKey(BulkAction, on_delete=models.CASCADE, related_name="items")
    content = models.ForeignKey(
        "moderation.Content", on_delete=models.CASCADE, related_name="bulk_items"
    )
    outcome = models.CharField(
        max_length=16, choices=BulkItemOutcome.choices, default=BulkItemOutcome.PENDING
    )
    message = models.CharField(max_length=500, blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["bulk_action", "content"], name="bulk_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} content {self.content_id} of bulk {self.bulk_action_id}"
