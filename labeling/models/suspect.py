from django.conf import settings
from django.db import models
from django.db.models import Q

from labeling.choices import SuspectStatus

PENDING_SUSPECT_STATUSES = (SuspectStatus.OPEN, SuspectStatus.SENT)


class SuspectLabel(models.Model):
    """A person's label that confident learning judged probably wrong, ranked, and what a
    second opinion said about it.

    Written by a suspects job (``labeling.services.suspects``): each run replaces the project's
    open rows; rows sent for a second opinion, and answered ones, are kept as history.
    """

    project = models.ForeignKey(
        "labeling.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    item = models.ForeignKey("labeling.Item", on_delete=models.CASCADE, related_name="+")
    # The run that found it (a models_app job of kind ``suspects``).
    job = models.ForeignKey(
        "models_app.TrainingJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Who gave the judged label (the latest person whose label it is; None for imported ones).
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    given_label = models.CharField(max_length=100)
    suggested_label = models.CharField(max_length=100)
    # Out-of-sample probability of the given label (lower = more likely wrong): the rank key.
    score = models.FloatField()
    suggested_probability = models.FloatField()
    rank = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=SuspectStatus.choices, default=SuspectStatus.OPEN
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The second opinion: who gave it, their labels, when.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    review_labels = models.JSONField(default=list, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            # One pending row per item: a new run does not list again what is out for review.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["open", "sent"]),
                name="suspect_one_pending_per_item",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "rank"], name="suspect_project_idx"),
            # The queue's look for items out for a second opinion.
            models.Index(
                fields=["project", "sent_at"],
                condition=Q(status="sent"),
                name="suspect_sent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"suspect {self.item_id}: {self.given_label} → {self.suggested_label}"
