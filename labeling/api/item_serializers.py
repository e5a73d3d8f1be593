"""Items with their annotations, and the item list filters."""

from rest_framework import serializers

from labeling.api.file_urls import item_image_url, item_thumbnail_url
from labeling.choices import AnnotationSource, ItemOrdering, Split
from labeling.models import Annotation, Item


class AnnotationOutputSerializer(serializers.ModelSerializer):
    annotator = serializers.CharField(
        source="annotator.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Annotation
        fields = [
            "id",
            "labels",
            "source",
            "annotator",
            "model_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ItemOutputSerializer(serializers.ModelSerializer):
    annotations = AnnotationOutputSerializer(many=True, read_only=True)
    image = serializers.SerializerMethodField(
        help_text="Where to fetch the full image (for a media-restricted item each fetch is "
        "recorded in the audit log)."
    )
    thumbnail = serializers.SerializerMethodField(
        help_text="Where to fetch the thumbnail (blurred for a media-restricted item)."
    )

    class Meta:
        model = Item
        fields = [
            "id",
            "external_id",
            "text",
            "image",
            "thumbnail",
            "media_restricted",
            "metadata",
            "content_hash",
            "split",
            "predicted_label",
            "confidence",
            "priority",
            "is_audit",
            "scored_by",
            "created_at",
            "annotations",
        ]
        read_only_fields = fields

    def get_image(self, item: Item) -> str | None:
        return item_image_url(item)

    def get_thumbnail(self, item: Item) -> str | None:
        return item_thumbnail_url(item)


class ItemFilterSerializer(serializers.Serializer):
    split = serializers.ChoiceField(choices=Split.choices, required=False)
    search = serializers.CharField(required=False, max_length=500)
    labeled = serializers.BooleanField(required=False, allow_null=True, default=None)
    label = serializers.CharField(required=False, max_length=100)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    source = serializers.ChoiceField(choices=AnnotationSource.choices, required=False)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    ordering = serializers.ChoiceField(
        choices=ItemOrdering.choices,
        required=False,
        default=ItemOrdering.ID,
        help_text="-priority: the labeling queue's order (with labeled=false, the queue itself).",
    )
