from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.choices import AuditExportFormat, AuditObjectPage, AuditObjectState
from core.models import AuditEvent
from core.selectors.audit_objects import UNKNOWN


class AuditObjectSerializer(serializers.Serializer):
    """The event's object as it is now."""

    state = serializers.ChoiceField(
        choices=AuditObjectState.choices,
        help_text="present; deleted (its app knows the type, the object is gone); unknown "
        "(no app describes the type, or the event has no object id).",
    )
    label = serializers.CharField(help_text="Its name now (a policy's name, an item's id).")  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    page = serializers.ChoiceField(
        choices=AuditObjectPage.choices,
        allow_blank=True,
        help_text="The page of the web app that shows it; blank when there is none.",
    )
    project_id = serializers.IntegerField(allow_null=True)
    item_id = serializers.IntegerField(allow_null=True)
    policy_id = serializers.IntegerField(allow_null=True)
    platform_id = serializers.IntegerField(allow_null=True)

    def to_representation(self, instance):
        ref = instance.ref
        return {
            "state": instance.state,
            "label": ref.label if ref else "",
            "page": ref.page if ref else "",
            "project_id": ref.project_id if ref else None,
            "item_id": ref.item_id if ref else None,
            "policy_id": ref.policy_id if ref else None,
            "platform_id": ref.platform_id if ref else None,
        }


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
    object = serializers.SerializerMethodField()

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
            "object",
            "scope",
            "before",
            "after",
            "request_id",
        ]
        read_only_fields = fields

    @extend_schema_field(AuditObjectSerializer)
    def get_object(self, event: AuditEvent) -> dict:
        # The view resolves a whole page's objects at once (``audit_objects_resolve``).
        objects = self.context.get("objects", {})
        return AuditObjectSerializer(objects.get(event.pk, UNKNOWN)).data


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
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="A username, or platform:<name>.",
    )
    since = serializers.DateTimeField(required=False, help_text="From this time on (inclusive).")
    until = serializers.DateTimeField(required=False, help_text="Before this time (exclusive).")
    request_id = serializers.CharField(required=False, allow_blank=True, max_length=64)


class AuditExportQuerySerializer(AuditEventFilterSerializer):
    format = serializers.ChoiceField(
        choices=AuditExportFormat.choices, default=AuditExportFormat.CSV
    )
