"""Policies: categories mapped to the project's label classes, reason codes, thresholds and
the automation level."""

from rest_framework import serializers

from core.limits import DESCRIPTION_MAX_CHARS
from moderation.api.grant_serializers import PolicyGrantedPlatformSerializer
from moderation.choices import AutomationLevel, DecisionAction, SanctionKind
from moderation.models import Policy, PolicyCategory
from moderation.services.authors import (
    MAX_STRIKE_POINTS,
    MAX_STRIKE_TTL_DAYS,
    MAX_SUSPEND_DAYS,
    MAX_THRESHOLD_POINTS,
    MAX_THRESHOLDS,
)


def _strike_points_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=MAX_STRIKE_POINTS,
        allow_null=True,
        **kwargs,
    )


class StrikeThresholdSerializer(serializers.Serializer):
    points = serializers.IntegerField(min_value=1, max_value=MAX_THRESHOLD_POINTS)
    action = serializers.ChoiceField(choices=SanctionKind.choices)
    suspend_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_SUSPEND_DAYS,
        required=False,
        allow_null=True,
        help_text="Days of suspension (action ``suspend`` only).",
    )

    def validate(self, attrs):
        if attrs["action"] == SanctionKind.SUSPEND and not attrs.get("suspend_days"):
            raise serializers.ValidationError({"suspend_days": "Say for how many days to suspend."})
        if attrs["action"] != SanctionKind.SUSPEND and attrs.get("suspend_days"):
            raise serializers.ValidationError({"suspend_days": "Only a suspension has days."})
        return attrs


def _thresholds_field(**kwargs) -> StrikeThresholdSerializer:
    return StrikeThresholdSerializer(  # type: ignore[call-arg]  # many=True makes a ListSerializer, which takes max_length
        many=True,
        max_length=MAX_THRESHOLDS,
        help_text="Actions taken when an author's live strike points under the policy reach "
        "the points (once per crossing).",
        **kwargs,
    )


def _ttl_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=MAX_STRIKE_TTL_DAYS,
        help_text="Days a strike counts towards live points; 0: forever.",
        **kwargs,
    )


def _sla_warning_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=7 * 24 * 60,
        help_text="Open content due within this many minutes (or overdue) is SLA at risk in "
        "its queue.",
        **kwargs,
    )


class CategorySerializer(serializers.ModelSerializer):
    severity = serializers.IntegerField(min_value=1, max_value=5, default=2)
    remove_threshold = serializers.FloatField(min_value=0.0, max_value=1.0, default=0.97)
    allow_threshold = serializers.FloatField(min_value=0.0, max_value=1.0, default=0.05)
    sla_hours = serializers.IntegerField(min_value=1, max_value=24 * 365, default=24)
    rules = serializers.ListField(
        child=serializers.CharField(max_length=500),
        max_length=200,
        default=list,
        help_text="Keyword / regular expressions (case-insensitive search) that flag content.",
    )
    strike_points = _strike_points_field(
        default=None, help_text="Strike points of a removal in it; null: its severity."
    )
    graphic = serializers.BooleanField(
        default=False,
        help_text="Graphic content (violence, gore, …): reveals count towards moderators' "
        "daily exposure and break reminders.",
    )

    class Meta:
        model = PolicyCategory
        fields = [
            "id",
            "name",
            "label_class",
            "severity",
            "remove_threshold",
            "allow_threshold",
            "sla_hours",
            "rules",
            "strike_points",
            "graphic",
        ]
        read_only_fields = ["id"]
        # Names are matched per policy by the service (a PATCH may repeat existing names).
        validators: list = []


class ReasonCodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=32)
    description = serializers.CharField(max_length=500)
    action = serializers.ChoiceField(choices=DecisionAction.choices, default=DecisionAction.REMOVE)
    category = serializers.CharField(
        source="category.name",
        max_length=100,
        required=False,
        allow_null=True,
        default=None,
        help_text="The category (by name) this reason belongs to; null for any.",
    )
    strike_points = _strike_points_field(
        default=None, help_text="Strike points of a removal for it; null: its category's."
    )


class ReasonCodeInputSerializer(ReasonCodeSerializer):
    category = serializers.CharField(
        max_length=100, required=False, allow_null=True, allow_blank=True, default=None
    )


class PolicyOutputSerializer(serializers.ModelSerializer):
    strike_thresholds = StrikeThresholdSerializer(many=True, read_only=True)
    # Declared: a PositiveIntegerField's schema maximum depends on the database.
    sla_warning_minutes = serializers.IntegerField(read_only=True)
    categories = CategorySerializer(many=True, read_only=True)
    reason_codes = ReasonCodeSerializer(many=True, read_only=True)
    granted_platforms = PolicyGrantedPlatformSerializer(
        many=True,
        read_only=True,
        source="grants.all",
        help_text="Platforms whose keys may use this policy (site staff grant them).",
    )

    class Meta:
        model = Policy
        fields = [
            "id",
            "name",
            "description",
            "project",
            "automation_level",
            "canary_share",
            "strike_ttl_days",
            "strike_thresholds",
            "sla_warning_minutes",
            "categories",
            "reason_codes",
            "granted_platforms",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PolicyCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=DESCRIPTION_MAX_CHARS
    )
    project = serializers.IntegerField(help_text="The linked labeling project (you are its admin).")
    automation_level = serializers.ChoiceField(
        choices=AutomationLevel.choices, default=AutomationLevel.HUMAN_ONLY
    )
    canary_share = serializers.FloatField(min_value=0.0, max_value=1.0, default=0.1)
    strike_ttl_days = _ttl_field(default=90)
    strike_thresholds = _thresholds_field(required=False, default=list)
    sla_warning_minutes = _sla_warning_field(default=60)
    categories = CategorySerializer(many=True, required=False, default=list)
    reason_codes = ReasonCodeInputSerializer(many=True, required=False, default=list)


class PolicyUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=DESCRIPTION_MAX_CHARS
    )
    automation_level = serializers.ChoiceField(choices=AutomationLevel.choices, required=False)
    canary_share = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)
    strike_ttl_days = _ttl_field(required=False)
    strike_thresholds = _thresholds_field(required=False)
    sla_warning_minutes = _sla_warning_field(required=False)
    categories = CategorySerializer(
        many=True, required=False, help_text="Replaces the list (matched by name)."
    )
    reason_codes = ReasonCodeInputSerializer(
        many=True, required=False, help_text="Replaces the list (matched by code)."
    )
