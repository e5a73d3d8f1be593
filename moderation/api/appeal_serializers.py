"""Appeals: platforms file them for their authors; senior moderators decide them."""

from rest_framework import serializers

from moderation.api.review_serializers import DecisionSerializer
from moderation.choices import AppealState
from moderation.models import Appeal


class AppealCreateInputSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=255)
    statement = serializers.CharField(allow_blank=True, default="", max_length=5000)


class AppealFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=AppealState.choices, required=False)


class AppealDecideInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("uphold", "Uphold"), ("overturn", "Overturn")])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class AppealSerializer(serializers.ModelSerializer):
    content_id = serializers.IntegerField(source="content.id")
    external_id = serializers.CharField(source="content.external_id")
    policy = serializers.IntegerField(source="content.policy_id")
    content_state = serializers.CharField(source="content.state")
    text = serializers.CharField(source="content.item.text", allow_null=True)
    decision = DecisionSerializer()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "content_id",
            "external_id",
            "policy",
            "content_state",
            "text",
            "statement",
            "state",
            "decision",
            "reviewer_name",
            "note",
            "created_at",
            "decided_at",
        ]


class PlatformAppealSerializer(serializers.ModelSerializer):
    """An appeal as the platform sees it."""

    external_id = serializers.CharField(source="content.external_id")

    class Meta:
        model = Appeal
        fields = ["id", "external_id", "state", "created_at"]
