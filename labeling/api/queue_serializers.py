"""Shapes of the annotation queue API (shared with the frontend through the OpenAPI schema)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from labeling.api.file_urls import item_image_url, item_thumbnail_url
from labeling.choices import AnnotationClient, AnnotationOutcome, SuggestionSource
from labeling.models import Annotation, Item, ItemFlag, QueueAssignment
from labeling.selectors.queue import QUEUE_SIZE_CAP

LABELS_FIELD_HELP = "Label class names: one, or several in a multilabel project."
NEXT_FIELD_HELP = (
    "Also lease the next item and return it in the answer (one request per item instead of "
    "a separate queue/next/ call)."
)
SKIP_REASON_MAX_LENGTH = 500


class QueueItemSerializer(serializers.Serializer):
    """The item as the annotator sees it: content only, never other people's labels."""

    id = serializers.IntegerField()
    external_id = serializers.CharField()
    text = serializers.CharField(allow_null=True)
    image_url = serializers.SerializerMethodField(
        help_text="The full image; for a media-restricted item each fetch is audited."
    )
    thumbnail_url = serializers.SerializerMethodField(
        help_text="The thumbnail (blurred for a media-restricted item)."
    )
    media_restricted = serializers.BooleanField(
        help_text="Show the blurred thumbnail until the person chooses to reveal the image."
    )
    metadata = serializers.JSONField()

    def get_image_url(self, item: Item) -> str | None:
        return item_image_url(item)

    def get_thumbnail_url(self, item: Item) -> str | None:
        return item_thumbnail_url(item)


class QueueSuggestionSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    confidence = serializers.FloatField(allow_null=True)
    model_version = serializers.IntegerField(
        allow_null=True, help_text="Version number of the model that made the proposal."
    )
    # A declared field: DRF's metaclass takes it off the class.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=SuggestionSource.choices,
        help_text="``model``: a trained model version's proposal; ``zero-shot``: before any "
        "model exists, the class whose name, description and guideline sentences the item "
        "is most similar to (``model_version`` is null).",
    )


def suggestion_source(assignment: QueueAssignment) -> str:
    """Zero-shot proposals are the ones no model version made."""
    if assignment.suggested_by_id is None:
        return SuggestionSource.ZERO_SHOT.value
    return SuggestionSource.MODEL.value


class QueueAssignmentSerializer(serializers.Serializer):
    item = QueueItemSerializer()
    suggestion = serializers.SerializerMethodField()
    leased_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()

    @extend_schema_field(QueueSuggestionSerializer(allow_null=True))
    def get_suggestion(self, assignment: QueueAssignment) -> dict | None:
        if not assignment.suggested_labels:
            return None
        version = assignment.suggested_by
        return QueueSuggestionSerializer(
            {
                "labels": assignment.suggested_labels,
                "confidence": assignment.suggested_confidence,
                "model_version": version.version if version else None,
                "source": suggestion_source(assignment),
            }
        ).data


class QueueNextOutputSerializer(serializers.Serializer):
    assignment = QueueAssignmentSerializer(allow_null=True)
    message = serializers.CharField(help_text="Why there is no assignment, for people.")

    def to_representation(self, instance) -> dict:
        # Every label's answer carries this: built directly, the same shape as the fields above
        # declare (and the schema shows), without building the nested serializers' fields anew
        # on each call. tests/labeling/api/test_queue_round_trip.py compares both.
        assignment = _get(instance, "assignment")
        return {
            "assignment": None if assignment is None else queue_assignment_payload(assignment),
            "message": str(_get(instance, "message")),
        }


def _get(instance, name: str):
    return instance[name] if isinstance(instance, dict) else getattr(instance, name)


_DATETIME = serializers.DateTimeField()


def queue_assignment_payload(assignment: QueueAssignment) -> dict:
    """``QueueAssignmentSerializer(assignment).data``, built directly (the queue's hot path)."""
    item = assignment.item
    version = assignment.suggested_by if assignment.suggested_labels else None
    return {
        "item": {
            "id": item.pk,
            "external_id": item.external_id,
            "text": item.text,
            "image_url": item_image_url(item),
            "thumbnail_url": item_thumbnail_url(item),
            "media_restricted": item.media_restricted,
            "metadata": item.metadata,
        },
        "suggestion": None
        if not assignment.suggested_labels
        else {
            "labels": [str(label) for label in assignment.suggested_labels],
            "confidence": 0.0
            if assignment.suggested_confidence is None
            else float(assignment.suggested_confidence),
            "model_version": version.version if version else None,
            "source": suggestion_source(assignment),
        },
        "leased_at": _DATETIME.to_representation(assignment.leased_at),
        "expires_at": _DATETIME.to_representation(assignment.expires_at),
    }


class QueueAnnotationSerializer(serializers.ModelSerializer):
    """One of the caller's own annotations (what they submitted, and what they were shown)."""

    suggested_by_version = serializers.IntegerField(
        source="suggested_by.version", allow_null=True, default=None, read_only=True
    )
    labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    suggested_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    outcome = serializers.ChoiceField(choices=AnnotationOutcome.choices, read_only=True)
    time_on_item_ms = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = Annotation
        fields = [
            "id",
            "item",
            "labels",
            "outcome",
            "suggested_labels",
            "suggested_by_version",
            "time_on_item_ms",
            "client",
            "client_key",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields  # output only; see ProjectOutputSerializer


class QueueSubmitInputSerializer(serializers.Serializer):
    labels = serializers.ListField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        allow_empty=True,
        max_length=100,
        help_text=LABELS_FIELD_HELP,
    )
    client_key = serializers.CharField(
        min_length=1,
        max_length=64,
        help_text="Chosen by the client, new for each submission: sending the same key again "
        "returns the stored annotation instead of storing a second one.",
    )
    time_on_item_ms = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, required=False, allow_null=True
    )
    client = serializers.ChoiceField(choices=AnnotationClient.choices, default=AnnotationClient.API)
    next = serializers.BooleanField(default=False, help_text=NEXT_FIELD_HELP)


class QueueSubmitOutputSerializer(QueueAnnotationSerializer):
    """The stored annotation and, when the submission asked for it, the next item."""

    next = serializers.SerializerMethodField(
        help_text="With ``next``: the next leased item, as queue/next/ answers (a lease limit "
        "is a message here, not a 409). Null when the submission did not ask."
    )

    class Meta(QueueAnnotationSerializer.Meta):
        fields = [*QueueAnnotationSerializer.Meta.fields, "next"]
        read_only_fields = fields

    @extend_schema_field(QueueNextOutputSerializer(allow_null=True))
    def get_next(self, annotation: Annotation) -> dict | None:
        offer = self.context.get("offer")
        return QueueNextOutputSerializer(offer).data if offer is not None else None

    def to_representation(self, instance: Annotation) -> dict:
        # Every label's answer: built directly, the shape the fields above declare (see
        # QueueNextOutputSerializer.to_representation; the round-trip tests compare both).
        version = instance.suggested_by
        return {
            "id": instance.pk,
            "item": instance.item_id,
            "labels": [str(label) for label in instance.labels],
            "outcome": instance.outcome,
            "suggested_labels": [str(label) for label in instance.suggested_labels],
            "suggested_by_version": version.version if version is not None else None,
            "time_on_item_ms": instance.time_on_item_ms,
            "client": instance.client,
            "client_key": instance.client_key,
            "created_at": _DATETIME.to_representation(instance.created_at),
            "updated_at": _DATETIME.to_representation(instance.updated_at),
            "next": self.get_next(instance),
        }


class QueueSkipInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=SKIP_REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the item was skipped (shown to the project's data people as plain text).",
    )
    next = serializers.BooleanField(default=False, help_text=NEXT_FIELD_HELP)


class SkipSerializer(serializers.ModelSerializer):
    """An item someone skipped, with their reason (for the people who review skips)."""

    item_external_id = serializers.CharField(source="item.external_id", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True)
    reason = serializers.CharField(source="skip_reason", read_only=True)
    skipped_at = serializers.DateTimeField(source="finished_at", read_only=True)

    class Meta:
        model = QueueAssignment
        fields = ["id", "item", "item_external_id", "user", "reason", "skipped_at"]
        read_only_fields = fields


class AnnotationUpdateInputSerializer(serializers.Serializer):
    labels = serializers.ListField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        allow_empty=True,
        max_length=100,
        help_text=LABELS_FIELD_HELP,
    )


class QueueModelSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    roc_auc = serializers.FloatField(allow_null=True)
    previous_roc_auc = serializers.FloatField(
        allow_null=True, help_text="Held-out ROC AUC of the model that served before this one."
    )
    created_at = serializers.DateTimeField()


class QueueStatsSerializer(serializers.Serializer):
    done_today = serializers.IntegerField(help_text="Items the caller labeled since midnight.")
    done_total = serializers.IntegerField()
    rate_per_hour = serializers.FloatField(
        allow_null=True,
        help_text="Items per hour over the caller's last hour of work today; null before the "
        "first item of the day.",
    )
    acceptance_rate = serializers.FloatField(
        allow_null=True,
        help_text="Share of the model's proposals the caller accepted (all their labels in "
        "this project that had a proposal); null when none had one.",
    )
    queue_size = serializers.IntegerField(
        help_text="Items the caller could still be handed, counted up to "
        f"{QUEUE_SIZE_CAP:,}: {QUEUE_SIZE_CAP:,} means at least that many."
    )
    open_leases = serializers.IntegerField()
    model = QueueModelSerializer(allow_null=True, help_text="The production model, if any.")


class FlagInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FlagFilterSerializer(serializers.Serializer):
    resolved = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Open (false) or handled (true)."
    )


class FlagSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    item_external_id = serializers.CharField(source="item.external_id", read_only=True)
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    resolved_by = serializers.CharField(
        source="resolved_by.username", allow_null=True, default=None
    )

    class Meta:
        model = ItemFlag
        fields = [
            "id",
            "item",
            "item_external_id",
            "user",
            "reason",
            "created_at",
            "resolved_at",
            "resolved_by",
        ]
        read_only_fields = fields
