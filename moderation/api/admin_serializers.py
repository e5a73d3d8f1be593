"""People's side of intake: platforms and keys (site admins), policies, the hash bank."""

from rest_framework import serializers

from core.limits import DESCRIPTION_MAX_CHARS
from moderation.choices import AutomationLevel, DecisionAction, HashKind
from moderation.models import HashEntry, Platform, PlatformApiKey, Policy, PolicyCategory
from moderation.services.platforms import SCOPES

# --- platforms and API keys ----------------------------------------------------------------------


class PlatformOutputSerializer(serializers.ModelSerializer):
    active_key_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Platform
        fields = ["id", "name", "active_key_count", "created_at"]
        read_only_fields = fields


class PlatformCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES))

    class Meta:
        model = PlatformApiKey
        fields = ["id", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class ApiKeyCreatedOutputSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The whole key: shown this once, never stored."
    )

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPES), min_length=1, max_length=len(SCOPES)
    )


# --- policy grants -----------------------------------------------------------------------------


class PlatformPolicyGrantSerializer(serializers.Serializer):
    """A policy as a platform's grant list shows it: granted to the platform or not."""

    policy = serializers.IntegerField(source="pk")
    policy_name = serializers.CharField(source="name")
    project = serializers.IntegerField(source="project_id")
    project_name = serializers.CharField(source="project.name")
    granted = serializers.BooleanField()
    granted_at = serializers.DateTimeField(allow_null=True)
    granted_by = serializers.CharField(
        source="granted_by_name", allow_null=True, help_text="Who granted it (username)."
    )


class PlatformGrantFilterSerializer(serializers.Serializer):
    granted = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only granted policies; false: only the others; left out: all.",
    )


class PolicyGrantedPlatformSerializer(serializers.Serializer):
    """A platform that may use the policy."""

    id = serializers.IntegerField(source="platform_id")
    name = serializers.CharField(source="platform.name")
    granted_at = serializers.DateTimeField(source="created_at")


# --- policies ----------------------------------------------------------------------------------


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


class ReasonCodeInputSerializer(ReasonCodeSerializer):
    category = serializers.CharField(
        max_length=100, required=False, allow_null=True, allow_blank=True, default=None
    )


class PolicyOutputSerializer(serializers.ModelSerializer):
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
    categories = CategorySerializer(many=True, required=False, default=list)
    reason_codes = ReasonCodeInputSerializer(many=True, required=False, default=list)


class PolicyUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=DESCRIPTION_MAX_CHARS
    )
    automation_level = serializers.ChoiceField(choices=AutomationLevel.choices, required=False)
    canary_share = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)
    categories = CategorySerializer(
        many=True, required=False, help_text="Replaces the list (matched by name)."
    )
    reason_codes = ReasonCodeInputSerializer(
        many=True, required=False, help_text="Replaces the list (matched by code)."
    )


# --- hash bank ---------------------------------------------------------------------------------


class HashEntryOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = HashEntry
        fields = ["id", "kind", "value", "category", "note", "created_by", "created_at"]
        read_only_fields = fields


class HashEntryInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HashKind.choices)
    value = serializers.CharField(max_length=64, help_text="Hex: 64 digits (sha256), 16 (phash).")
    category = serializers.CharField(max_length=100)


class HashImportInputSerializer(serializers.Serializer):
    """JSON entries, or (multipart) image files ``files`` with one ``category``."""

    entries = HashEntryInputSerializer(many=True, required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False)
    category = serializers.CharField(max_length=100, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs.get("entries") is None and not attrs.get("files"):
            raise serializers.ValidationError("Send entries, or image files with a category.")
        if attrs.get("files") and not attrs.get("category"):
            raise serializers.ValidationError({"category": "Name the category of the images."})
        return attrs


class HashImportOutputSerializer(serializers.Serializer):
    submitted = serializers.IntegerField()
    added = serializers.IntegerField()
    existing = serializers.IntegerField()


class HashFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HashKind.choices, required=False)
