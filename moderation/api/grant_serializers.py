"""Policy grants: which platforms' keys may use which policies (site admins)."""

from rest_framework import serializers


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
