"""Output shapes of the active-learning endpoints: jobs, model versions, curve, auto-labels."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from labeling.api.file_urls import model_version_artifact_url
from labeling.choices import SamplingStrategy
from labeling.selectors.datasets import dataset_snapshot_numbers
from models_app.choices import JobKind, Stage
from models_app.models import ModelVersion, TrainingJob


class TrainingJobOutputSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(
        source="requested_by.username", default=None, allow_null=True, read_only=True
    )
    result = serializers.JSONField(
        read_only=True,
        help_text="What the run produced: counts, timings, the promotion decision, auto_label.",
    )

    class Meta:
        model = TrainingJob
        fields = [
            "id",
            "kind",
            "trigger",
            "status",
            "step",
            "progress",
            "message",
            "error",
            "result",
            "model_version",
            "rerun_requested",
            "attempts",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class TrainingJobCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in (JobKind.TRAIN, JobKind.EMBED)],
        default=JobKind.TRAIN,
        help_text="train (default), or embed: embed items that have no vector yet.",
    )


def interval_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True, **kwargs
    )


class MetricIntervalsSerializer(serializers.Serializer):
    """95 % confidence intervals ``[low, high]`` of the held-out scores (null: undefined):
    Wilson for accuracy, precision and recall; a seeded bootstrap of the items for F1 and ROC
    AUC. Absent for versions trained before intervals were recorded."""

    accuracy = interval_field(required=False)
    roc_auc = interval_field(required=False)
    f1_macro = interval_field(required=False)
    f1_per_class = serializers.DictField(child=interval_field(), required=False)
    precision_per_class = serializers.DictField(child=interval_field(), required=False)
    recall_per_class = serializers.DictField(child=interval_field(), required=False)


class SamplingChoiceSerializer(serializers.Serializer):
    """How the training run ordered the queue (``adaptive``: which arm, and why)."""

    setting = serializers.ChoiceField(
        choices=SamplingStrategy.choices, help_text="The project's sampling strategy then."
    )
    arm = serializers.ChoiceField(
        choices=SamplingStrategy.choices, help_text="The strategy that ordered the queue."
    )
    reason = serializers.CharField(required=False, help_text="adaptive: why this arm, in words.")
    scores = serializers.DictField(
        child=serializers.FloatField(),
        required=False,
        help_text="adaptive: each arm's mean dev ROC AUC over its replay (empty: not measured).",
    )
    labels = serializers.IntegerField(required=False, help_text="adaptive: training labels.")
    dev_labels = serializers.IntegerField(
        required=False, help_text="adaptive: dev-split labels it was measured on."
    )


class FewShotRecordSerializer(serializers.Serializer):
    """The few-shot model the training run also trained (projects with it on), and whether
    it replaced the logistic regression."""

    kept = serializers.BooleanField(
        help_text="Whether this version is the few-shot model (it beat the logistic regression)."
    )
    reason = serializers.CharField(required=False, help_text="Why, in words.")
    budget_seconds = serializers.IntegerField(required=False)
    roc_auc = serializers.FloatField(
        required=False, allow_null=True, help_text="The few-shot model's held-out ROC AUC."
    )
    roc_auc_logistic_regression = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="The logistic regression's, on the same run's held-out items.",
    )
    training = serializers.DictField(
        required=False,
        help_text="The fine-tuning: steps, pairs, seconds, whether the budget stopped it, loss.",
    )


class ModelMetricsSerializer(serializers.Serializer):
    """Held-out metrics (items of the dev and test splits with a human label)."""

    classes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The version's classes in its order: the confusion matrix's rows and columns.",
    )
    n = serializers.IntegerField(required=False)
    roc_auc = serializers.FloatField(required=False, allow_null=True)
    f1_macro = serializers.FloatField(required=False, allow_null=True)
    f1_per_class = serializers.DictField(child=serializers.FloatField(), required=False)
    precision_per_class = serializers.DictField(child=serializers.FloatField(), required=False)
    recall_per_class = serializers.DictField(child=serializers.FloatField(), required=False)
    intervals = MetricIntervalsSerializer(required=False)
    accuracy = serializers.FloatField(required=False, allow_null=True)
    ece = serializers.FloatField(required=False, allow_null=True)
    confusion_matrix = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        required=False,
        allow_null=True,
    )
    label_counts = serializers.DictField(child=serializers.IntegerField(), required=False)
    train_label_counts = serializers.DictField(child=serializers.IntegerField(), required=False)
    train_n = serializers.IntegerField(required=False, help_text="Labels it was trained on.")
    train_source_counts = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Those labels by source (import, human, moderation, appeal, auto); absent "
        "for versions trained before sources were counted.",
    )
    sampling = SamplingChoiceSerializer(
        required=False, help_text="Absent for versions trained before it was recorded."
    )
    few_shot = FewShotRecordSerializer(
        required=False, help_text="Present when the project had the few-shot model on."
    )


class StageChangeSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    previous = serializers.ChoiceField(choices=Stage.choices, allow_null=True)
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)


class PromotionSerializer(serializers.Serializer):
    """The training run's automatic decision about the version (empty when none was made)."""

    promoted = serializers.BooleanField(
        required=False, help_text="Whether the run put the version in production."
    )
    reason = serializers.CharField(
        required=False, help_text="Why it was (or was not) promoted, in words."
    )
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        help_text="shadow: the project's new versions start in shadow.",
    )
    would_promote = serializers.BooleanField(
        required=False,
        help_text="Shadow projects: whether the comparison alone would have promoted it.",
    )
    roc_auc = serializers.FloatField(required=False, allow_null=True)
    production_version = serializers.IntegerField(
        required=False, help_text="The production version it was measured against."
    )
    production_roc_auc = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="That version's ROC AUC on the same held-out items.",
    )
    roc_auc_same_items = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="When production reads another embedder's vectors: this version's ROC AUC "
        "on the held-out items production has vectors of.",
    )
    same_items = serializers.IntegerField(
        required=False, help_text="How many held-out items that comparison counted."
    )
    zero_f1_classes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Classes of the held-out items it never got right (F1 0): never auto-promoted.",
    )


class DatasetSnapshotRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()


class ModelVersionOutputSerializer(serializers.ModelSerializer):
    metrics = ModelMetricsSerializer(read_only=True)
    promotion = PromotionSerializer(read_only=True)
    stage_history = StageChangeSerializer(many=True, read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )
    artifact_url = serializers.SerializerMethodField(
        help_text="Where to download the trained classifier (.npz attachment; data roles only)."
    )
    dataset_snapshot = serializers.SerializerMethodField(
        help_text="The dataset snapshot the version was trained on ({number}), or null for "
        "versions trained before snapshots were recorded."
    )

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "version",
            "artifact_url",
            "algorithm",
            "embedder",
            "snapshot_id",
            "snapshot_hash",
            "dataset_snapshot",
            "label_count",
            "hyperparameters",
            "metrics",
            "status",
            "stage",
            "promoted_at",
            "promotion",
            "stage_history",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_artifact_url(self, version: ModelVersion) -> str | None:
        return model_version_artifact_url(version)

    @extend_schema_field(DatasetSnapshotRefSerializer(allow_null=True))
    def get_dataset_snapshot(self, version: ModelVersion) -> dict[str, int] | None:
        # Read once per response (a list shares its context): the numbers of the owner's
        # snapshots by id.
        numbers = self.context.get("_dataset_snapshot_numbers")
        if numbers is None:
            numbers = dataset_snapshot_numbers(owner=version.owner)
            self.context["_dataset_snapshot_numbers"] = numbers  # type: ignore[index]  # the serializer's own dict
        number = numbers.get(version.snapshot_id)
        return {"number": number} if number is not None else None


class StageInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        help_text="production archives the version serving now; promote an older one to roll back.",
    )


class LearningCurvePointSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    label_count = serializers.IntegerField(
        help_text="Labels the version learned from: people's and imported ones (not automatic)."
    )
    roc_auc = serializers.FloatField(allow_null=True)
    f1_macro = serializers.FloatField(allow_null=True)
    stage = serializers.ChoiceField(choices=Stage.choices)
    created_at = serializers.DateTimeField()


class LearningCurveOutputSerializer(serializers.Serializer):
    points = LearningCurvePointSerializer(many=True)


class AutoLabelCountsSerializer(serializers.Serializer):
    auto_labeled = serializers.IntegerField()
    audit_items = serializers.IntegerField()
    audit_labeled = serializers.IntegerField()
    unlabeled = serializers.IntegerField()


class AutoLabelOutputSerializer(serializers.Serializer):
    """The latest estimate (from the last successful training run) and today's counts."""

    enabled = serializers.BooleanField()
    target_precision = serializers.FloatField()
    audit_rate = serializers.FloatField()
    threshold = serializers.FloatField(
        allow_null=True, help_text="Items at or above this confidence are labeled automatically."
    )
    precision = serializers.FloatField(
        allow_null=True, help_text="Precision on the audited items above the threshold."
    )
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    n_above = serializers.IntegerField(allow_null=True)
    n_audit = serializers.IntegerField(allow_null=True)
    model_version = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField(allow_null=True)
    counts = AutoLabelCountsSerializer()
