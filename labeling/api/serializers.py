from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.fields import TextSlugRelatedField
from core.limits import DESCRIPTION_MAX_CHARS
from labeling.api.file_urls import import_file_url, item_image_url, item_thumbnail_url
from labeling.choices import (
    AnnotationSource,
    DataType,
    ImportFormat,
    ItemOrdering,
    Role,
    SamplingStrategy,
    Split,
    TaskType,
)
from labeling.models import Annotation, ImportJob, Item, LabelClass, Project, ProjectMembership
from models_app.ml.embedders.registry import EMBEDDER_NAMES


class LabelClassSerializer(serializers.ModelSerializer):
    hotkey = serializers.CharField(max_length=1, required=False, allow_blank=True)
    colour = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)

    class Meta:
        model = LabelClass
        fields = ["id", "name", "colour", "hotkey", "order"]
        read_only_fields = ["id", "order"]


class ProjectOutputSerializer(serializers.ModelSerializer):
    label_classes = LabelClassSerializer(many=True, read_only=True)
    item_count = serializers.IntegerField(read_only=True, default=0)
    role = serializers.CharField(source="caller_role", read_only=True, default=None)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "data_type",
            "task_type",
            "guidelines",
            "guidelines_html",
            "annotations_per_item",
            "label_classes",
            "item_count",
            "role",
            "sampling_strategy",
            "embedder",
            "retrain_every",
            "min_labels_per_class",
            "auto_label_enabled",
            "auto_label_target_precision",
            "audit_rate",
            "train_on_auto_labels",
            "new_versions_start_in_shadow",
            "created_at",
            "updated_at",
        ]
        # Output only. Read-only fields also drop the database's integer bounds, which differ
        # between SQLite and PostgreSQL and would make the generated schema depend on the database.
        read_only_fields = fields


class LearningSettingsInputSerializer(serializers.Serializer):
    """The active-learning and auto-labeling settings a project accepts (all optional)."""

    sampling_strategy = serializers.ChoiceField(choices=SamplingStrategy.choices, required=False)
    embedder = serializers.ChoiceField(
        choices=["", *EMBEDDER_NAMES],
        required=False,
        allow_blank=True,
        help_text="Blank: the default for the data type (minilm for text, pixels for images).",
    )
    retrain_every = serializers.IntegerField(
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text="Retrain after this many new human labels; 0 turns automatic retraining off.",
    )
    min_labels_per_class = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    auto_label_enabled = serializers.BooleanField(required=False)
    auto_label_target_precision = serializers.FloatField(
        min_value=0.5, max_value=0.999, required=False
    )
    audit_rate = serializers.FloatField(min_value=0.0, max_value=0.5, required=False)
    train_on_auto_labels = serializers.BooleanField(required=False)
    new_versions_start_in_shadow = serializers.BooleanField(
        required=False,
        help_text="New model versions start in shadow (scored, not serving) instead of "
        "replacing production when they are not worse; people promote them.",
    )


class ProjectCreateInputSerializer(LearningSettingsInputSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=DESCRIPTION_MAX_CHARS
    )
    data_type = serializers.ChoiceField(choices=DataType.choices, default=DataType.TEXT)
    task_type = serializers.ChoiceField(choices=TaskType.choices, default=TaskType.BINARY)
    label_classes = LabelClassSerializer(many=True)
    guidelines = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200_000, trim_whitespace=False
    )
    annotations_per_item = serializers.IntegerField(min_value=1, max_value=20, default=1)


class ProjectUpdateInputSerializer(LearningSettingsInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=DESCRIPTION_MAX_CHARS
    )
    label_classes = LabelClassSerializer(many=True, required=False)
    guidelines = serializers.CharField(
        required=False, allow_blank=True, max_length=200_000, trim_whitespace=False
    )
    annotations_per_item = serializers.IntegerField(min_value=1, max_value=20, required=False)


class MemberOutputSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)

    class Meta:
        model = ProjectMembership
        fields = ["id", "user", "username", "email", "role", "created_at"]


class MemberCreateInputSerializer(serializers.Serializer):
    username = TextSlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), source="user"
    )
    role = serializers.ChoiceField(choices=Role.choices)


class MemberUpdateInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


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


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()


class ImportJobOutputSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    unknown_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )
    file_url = serializers.SerializerMethodField(
        help_text="Where to download the uploaded file (an attachment; data roles only)."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "original_name",
            "file_url",
            "format",
            "options",
            "status",
            "progress",
            "total_bytes",
            "processed_bytes",
            "rows_seen",
            "items_created",
            "items_existing",
            "duplicate_rows",
            "annotations_created",
            "error_count",
            "errors",
            "unknown_labels",
            "error_message",
            "attempts",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields  # output only; see ProjectOutputSerializer

    def get_file_url(self, job: ImportJob) -> str | None:
        return import_file_url(job)


class ImportJobCreateInputSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, allow_empty_file=True)
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False
    )
    format = serializers.ChoiceField(choices=ImportFormat.choices, required=False)
    text_column = serializers.CharField(required=False, allow_blank=True, max_length=200)
    label_column = serializers.CharField(required=False, allow_blank=True, max_length=200)
    id_column = serializers.CharField(required=False, allow_blank=True, max_length=200)
    delimiter = serializers.ChoiceField(choices=[",", "\t", ";", "|"], required=False)
