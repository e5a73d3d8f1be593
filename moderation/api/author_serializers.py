"""Authors' records: live strike points, strikes with their expiry, actions taken."""

from rest_framework import serializers

from moderation.choices import SanctionKind, SanctionSource


class StrikeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    policy = serializers.IntegerField(source="policy_id")
    policy_name = serializers.CharField(source="policy.name")
    category = serializers.CharField(source="category.name", default=None, allow_null=True)
    reason_code = serializers.CharField()
    points = serializers.IntegerField()
    decision = serializers.IntegerField(
        source="decision_id", allow_null=True, help_text="The removal; null for a rule's strike."
    )
    rule = serializers.IntegerField(
        source="rule_id", allow_null=True, help_text="The live rule whose hit gave it, if one."
    )
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When it stops counting; null: never."
    )
    reversed_at = serializers.DateTimeField(
        allow_null=True, help_text="When an appeal overturned its removal."
    )
    state = serializers.ChoiceField(
        choices=["live", "expired", "reversed"], help_text="At the record's time (``at``)."
    )


class AuthorActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SanctionKind.choices)
    source = serializers.ChoiceField(choices=SanctionSource.choices)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    policy = serializers.IntegerField(source="policy_id")
    policy_name = serializers.CharField(source="policy.name")
    threshold_points = serializers.IntegerField(allow_null=True)
    live_points = serializers.IntegerField(help_text="The author's live points when taken.")
    suspend_days = serializers.IntegerField(allow_null=True)
    decision = serializers.IntegerField(source="decision_id", allow_null=True)
    actor_name = serializers.CharField()
    created_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True, help_text="null: until lifted.")
    lifted_at = serializers.DateTimeField(allow_null=True)
    lifted_reason = serializers.CharField()
    in_force = serializers.BooleanField(default=False)


class PolicyPointsSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    policy_name = serializers.CharField()
    live_points = serializers.IntegerField()


class AuthorRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    platform = serializers.CharField()
    at = serializers.DateTimeField(help_text="The time the figures are for (now).")
    live_points = serializers.IntegerField(
        help_text="Unexpired, unreversed strike points under the policies the reader may see."
    )
    policies = PolicyPointsSerializer(many=True)
    strikes = StrikeSerializer(many=True, help_text="The latest 100, newest first.")
    actions = AuthorActionSerializer(many=True, help_text="The latest 100, newest first.")
    current_action = AuthorActionSerializer(
        allow_null=True, help_text="The strongest action in force (ban > suspend > warn)."
    )
