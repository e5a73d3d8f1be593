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


class SimilarItemsQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False,
        default=10,
        min_value=1,
        max_value=50,
        help_text="How many similar items to return (1 to 50).",
    )


class SimilarItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    excerpt = serializers.CharField(
        allow_null=True,
        help_text="The start of the item's text (up to 280 characters, with … when cut); "
        "null for an image item.",
    )
    thumbnail = serializers.CharField(
        allow_null=True,
        help_text="Where to fetch the image item's thumbnail (blurred for a "
        "media-restricted item); null for a text item.",
    )
    media_restricted = serializers.BooleanField()
    labels = serializers.ListField(
        child=serializers.CharField(),
        help_text="The labels the item was given (empty while it is unlabeled).",
    )
    predicted_label = serializers.CharField(help_text="The model's label; empty before a model.")
    confidence = serializers.FloatField(allow_null=True)
    similarity = serializers.FloatField(help_text="Cosine similarity to the item asked about.")


class SimilarItemsOutputSerializer(serializers.Serializer):
    embedder = serializers.CharField(
        help_text="Whose vectors answered (name@version); empty when the item has no vector yet."
    )
    exact = serializers.BooleanField(
        help_text="False while the fast pass's vectors answer, before the project's embedder "
        "has embedded every item."
    )
    labels_hidden = serializers.BooleanField(
        help_text="True when the caller is an annotator of a project with several annotations "
        "per item: they label blind, so ``labels`` is empty for every item."
    )
    items = SimilarItemOutputSerializer(many=True)
