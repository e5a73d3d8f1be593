"""Projects, their label classes and learning settings."""

from rest_framework import serializers

from core.limits import DESCRIPTION_MAX_CHARS
from labeling.choices import DataType, SamplingStrategy, TaskType
from labeling.models import LabelClass, Project
from labeling.models.project import LABEL_CLASS_DESCRIPTION_MAX_CHARS
from models_app.ml.embedders.registry import EMBEDDER_NAMES

MAX_LABEL_CLASSES = 200


class LabelClassSerializer(serializers.ModelSerializer):
    hotkey = serializers.CharField(max_length=1, required=False, allow_blank=True)
    colour = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=LABEL_CLASS_DESCRIPTION_MAX_CHARS,
        help_text="What the class means, as plain text (never rendered as HTML). Before a "
        "model exists, zero-shot proposals compare items with it. Left out of an update: "
        "unchanged.",
    )

    class Meta:
        model = LabelClass
        fields = ["id", "name", "colour", "hotkey", "order", "description"]
        read_only_fields = ["id", "order"]


class LabelClassUpdateSerializer(LabelClassSerializer):
    """A class in a project update: with ``id`` it is that class (renamed when the name
    differs); without, the class of that name, or a new one."""

    id = serializers.IntegerField(
        required=False, min_value=1, help_text="An existing class of this project."
    )

    class Meta(LabelClassSerializer.Meta):
        read_only_fields = ["order"]


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
            "few_shot_enabled",
            "few_shot_budget_seconds",
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
        help_text=(
            "Blank: the default for the data type (text: minilm-int8 where ONNX Runtime is"
            " installed, else minilm; images: pixels)."
        ),
    )
    retrain_every = serializers.IntegerField(
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text="Retrain after this many new human labels; 0 turns automatic retraining off.",
    )
    min_labels_per_class = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    few_shot_enabled = serializers.BooleanField(
        required=False,
        help_text="Text projects: each training run also fine-tunes the sentence encoder on "
        "pairs of the labels (SetFit method) and keeps that model when its held-out ROC AUC "
        "beats the logistic regression's. Costs the budget below and a re-embedding of every "
        "item with the fine-tuned encoder when it wins.",
    )
    few_shot_budget_seconds = serializers.IntegerField(
        min_value=30,
        max_value=1200,
        required=False,
        help_text="Wall-clock seconds the fine-tuning may take per training run.",
    )
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
    label_classes = LabelClassUpdateSerializer(many=True, required=False)
    guidelines = serializers.CharField(
        required=False, allow_blank=True, max_length=200_000, trim_whitespace=False
    )
    annotations_per_item = serializers.IntegerField(min_value=1, max_value=20, required=False)

    def validate_label_classes(self, value: list[dict]) -> list[dict]:
        if len(value) > MAX_LABEL_CLASSES:
            raise serializers.ValidationError(
                f"A project has at most {MAX_LABEL_CLASSES} label classes."
            )
        return value


class ProjectStatusFailureSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["import", "embedding", "training"])
    job_id = serializers.IntegerField()
    message = serializers.CharField()
    at = serializers.DateTimeField()


class ProjectStatusModelSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    trained_at = serializers.DateTimeField()
    label_count = serializers.IntegerField()


class ProjectStatusSerializer(serializers.Serializer):
    """What is happening in the project now (``labeling.selectors.project_status``)."""

    phase = serializers.ChoiceField(
        choices=[
            "importing",
            "embedding",
            "training",
            "model_live",
            "needs_items",
            "needs_labels",
            "ready_to_train",
        ]
    )
    active = serializers.BooleanField(help_text="Something runs or waits: ask again soon.")
    message = serializers.CharField()
    done = serializers.IntegerField(allow_null=True, help_text="Rows read, or items embedded.")
    total = serializers.IntegerField(allow_null=True, help_text="Items to embed, when known.")
    eta_seconds = serializers.IntegerField(
        allow_null=True, help_text="Time left at the rate measured so far."
    )
    since = serializers.DateTimeField(allow_null=True)
    model = ProjectStatusModelSerializer(allow_null=True, help_text="The production model.")
    failures = ProjectStatusFailureSerializer(
        many=True, help_text="The latest import, embedding or training job, when it failed."
    )


class ProjectListOutputSerializer(ProjectOutputSerializer):
    status = ProjectStatusSerializer(source="current_status", read_only=True)

    class Meta(ProjectOutputSerializer.Meta):
        fields = [*ProjectOutputSerializer.Meta.fields, "status"]
        read_only_fields = fields


class GuidelinesPreviewInputSerializer(serializers.Serializer):
    guidelines = serializers.CharField(allow_blank=True, max_length=200_000, trim_whitespace=False)


class GuidelinesPreviewOutputSerializer(serializers.Serializer):
    guidelines_html = serializers.CharField(
        help_text="The Markdown rendered and cleaned as saving it would (scripts removed)."
    )
