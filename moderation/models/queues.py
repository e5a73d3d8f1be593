from django.conf import settings
from django.db import models
from django.db.models import Q

from moderation.choices import QueueKind


class ReviewQueue(models.Model):
    """A named line of a policy's open content that moderators work (by category, language,
    severity, a specialist team…). Routing rules (``Rule`` with action ``route``) send content
    here at intake; content no routing rule sends goes to the policy's default queue, and the
    content of an open appeal to its appeals queue.

    Access: an unrestricted queue is worked by every moderator of the policy; a restricted one
    only by its members and the policy's admins (``moderation.selectors.queues``).
    """

    policy = models.ForeignKey(
        "moderation.Policy", on_delete=models.CASCADE, related_name="review_queues"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=16, choices=QueueKind.choices, default=QueueKind.CUSTOM)
    # Where the queue is listed (moderators' picker, the policy page); not a priority.
    position = models.PositiveIntegerField(default=0)
    restricted = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "name"], name="review_queue_unique_name"),
            # One default and one appeals queue per policy.
            models.UniqueConstraint(
                fields=["policy", "kind"],
                condition=Q(kind__in=[QueueKind.DEFAULT, QueueKind.APPEALS]),
                name="review_queue_one_of_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewQueueMember(models.Model):
    """A moderator who may work a restricted queue."""

    queue = models.ForeignKey(ReviewQueue, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_queue_memberships"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "user"], name="review_queue_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.queue_id}"
