from rest_framework import serializers

from core.models import AuditEvent


class AuditEventOutputSerializer(serializers.ModelSerializer):
    actor_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The user's id; the user may since have been deleted (actor_name stays).",
    )
    actor_name = serializers.CharField(
        read_only=True,
        help_text=(
            "Username at the time; platform:<name> for a platform acting through its API key;"
            " blank for the system (tasks, automation)."
        ),
    )
    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_id",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "scope",
            "before",
            "after",
            "request_id",
        ]
        read_only_fields = fields


class AuditEventFilterSerializer(serializers.Serializer):
    action = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Exact action (member.role), or every action of an object with a trailing "
        "dot (member.).",
    )
    object_type = serializers.CharField(required=False, allow_blank=True, max_length=64)
    object_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    scope = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="e.g. labeling.project:3"
    )
    actor = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="A username."
    )
    since = serializers.DateTimeField(required=False, help_text="From this time on (inclusive).")
    until = serializers.DateTimeField(required=False, help_text="Before this time (exclusive).")
    request_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
