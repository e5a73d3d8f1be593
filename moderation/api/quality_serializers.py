"""Quality of moderation: settings per policy, gold items, and the dashboard."""

from rest_framework import serializers

from core.fields import StrictDateTimeField
from moderation.models.quality import GOLD_RATE_MAX


class QualitySettingsSerializer(serializers.Serializer):
    policy = serializers.IntegerField(source="policy_id")
    gold_rate = serializers.FloatField(
        help_text="Share of the items the standard queue hands out that are gold items."
    )
    double_review_rate = serializers.FloatField(
        help_text="Share of final human decisions reviewed again, blind, by another moderator."
    )
    updated_at = serializers.DateTimeField(allow_null=True)


class QualitySettingsInputSerializer(serializers.Serializer):
    gold_rate = serializers.FloatField(min_value=0.0, max_value=GOLD_RATE_MAX, required=False)
    double_review_rate = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)

    def validate(self, attrs):
        unknown = (
            set(self.initial_data) - set(self.fields)
            if isinstance(self.initial_data, dict)
            else set()
        )
        if unknown:
            raise serializers.ValidationError({sorted(unknown)[0]: "Unknown field."})
        if not attrs:
            raise serializers.ValidationError("Give gold_rate, double_review_rate or both.")
        return attrs


class GoldItemInputSerializer(serializers.Serializer):
    content = serializers.IntegerField(min_value=1, help_text="A decided content of the policy.")
    expected_action = serializers.ChoiceField(
        choices=["approve", "remove"],
        required=False,
        help_text="The correct decision; by default the content's standing final decision.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class GoldItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    policy = serializers.IntegerField(source="policy_id")
    content = serializers.IntegerField(source="content_id")
    external_id = serializers.CharField(source="content.external_id")
    text = serializers.CharField(source="content.item.text", allow_null=True)
    expected_action = serializers.CharField()
    note = serializers.CharField()
    active = serializers.BooleanField()
    answers = serializers.IntegerField(source="answers_count", default=0)
    correct = serializers.IntegerField(source="correct_count", default=0)
    created_at = serializers.DateTimeField()


class QualityDashboardFilterSerializer(serializers.Serializer):
    policy = serializers.IntegerField(required=False, min_value=1)
    since = StrictDateTimeField(
        required=False, help_text="Start of the period (default: 30 days ago)."
    )
    until = StrictDateTimeField(required=False, help_text="End of the period (default: now).")

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since is not None and until is not None and since >= until:
            raise serializers.ValidationError({"since": "The period starts before it ends."})
        return attrs


class ModeratorQualitySerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    gold_answered = serializers.IntegerField()
    gold_correct = serializers.IntegerField()
    gold_accuracy = serializers.FloatField(
        allow_null=True, help_text="Correct share of gold answers only; null without any."
    )
    second_reviews = serializers.IntegerField()
    agreements = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)
    appeals_decided = serializers.IntegerField()
    overturned = serializers.IntegerField()
    overturn_rate = serializers.FloatField(allow_null=True)
    decisions = serializers.IntegerField()


class RuleHitsSerializer(serializers.Serializer):
    rule = serializers.IntegerField()
    rule_name = serializers.CharField()
    status = serializers.CharField()
    hits = serializers.IntegerField()
    acted = serializers.IntegerField()


class PolicyQualitySerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    policy_name = serializers.CharField()
    automated = serializers.IntegerField()
    manual = serializers.IntegerField()
    automated_share = serializers.FloatField(allow_null=True)
    sla_total = serializers.IntegerField()
    sla_met = serializers.IntegerField()
    sla_met_share = serializers.FloatField(allow_null=True)
    rule_hits = RuleHitsSerializer(many=True)


class QualityDashboardSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    scope = serializers.ChoiceField(
        choices=["managed", "own"],
        help_text="managed: everyone in the policies you administer; own: your figures only.",
    )
    moderators = ModeratorQualitySerializer(many=True)
    policies = PolicyQualitySerializer(many=True)
