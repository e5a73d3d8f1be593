"""Review queues: the picker's figures, and a policy's queues as its admins manage them."""

from rest_framework import serializers

from core.limits import DESCRIPTION_MAX_CHARS
from moderation.choices import QueueKind, ReviewTier
from moderation.models import ReviewQueue

MAX_ID = 2**31 - 1


class ReviewQueueStatsFilterSerializer(serializers.Serializer):
    policy = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    tier = serializers.ChoiceField(choices=ReviewTier.choices, default=ReviewTier.STANDARD)


class ReviewQueueStatsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="queue.pk")
    policy = serializers.IntegerField(source="queue.policy_id")
    policy_name = serializers.CharField(source="queue.policy.name")
    name = serializers.CharField(source="queue.name")
    description = serializers.CharField(source="queue.description")
    kind = serializers.ChoiceField(source="queue.kind", choices=QueueKind.choices)
    restricted = serializers.BooleanField(source="queue.restricted")
    depth = serializers.IntegerField(help_text="Open contents of the tier waiting in it.")
    oldest_created_at = serializers.DateTimeField(
        allow_null=True, help_text="When its oldest open content came in (null: empty)."
    )
    sla_at_risk = serializers.IntegerField(
        help_text="Open contents due within the policy's warning window, or overdue."
    )
    overdue = serializers.IntegerField()
    sla_warning_minutes = serializers.IntegerField()


class QueueMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")


class PolicyQueueSerializer(serializers.ModelSerializer):
    # Declared: a PositiveIntegerField's schema maximum depends on the database.
    position = serializers.IntegerField(read_only=True)
    members = QueueMemberSerializer(many=True, read_only=True, source="members.all")
    routing_rules = serializers.IntegerField(
        source="routing_rule_count", read_only=True, default=0,
        help_text="Rules that route content here (a queue they name cannot be deleted).",
    )  # fmt: skip

    class Meta:
        model = ReviewQueue
        fields = [
            "id", "policy", "name", "description", "kind", "position", "restricted", "members",
            "routing_rules", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class QueueCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=DESCRIPTION_MAX_CHARS
    )
    restricted = serializers.BooleanField(required=False, default=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=100_000)


class QueueUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=DESCRIPTION_MAX_CHARS
    )
    restricted = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=100_000)


class QueueMemberInputSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
