"""The evaluation report of a model version (``models_app.ml.evaluation``), and the project's
slice settings."""

from rest_framework import serializers

from labeling.api.learning_serializers import TrainingJobOutputSerializer


class MetricSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text="95 % interval, lower bound.")
    high = serializers.FloatField(allow_null=True, help_text="95 % interval, upper bound.")


class PerClassSerializer(serializers.Serializer):
    name = serializers.CharField()
    support = serializers.IntegerField(help_text="Held-out items of the class.")
    predicted = serializers.IntegerField(help_text="Held-out items predicted as the class.")
    true_positives = serializers.IntegerField()
    precision = MetricSerializer(help_text="Wilson interval.")
    recall = MetricSerializer(help_text="Wilson interval.")
    f1 = MetricSerializer(help_text="Bootstrap interval (seeded).")


class ReliabilityBinSerializer(serializers.Serializer):
    lower = serializers.FloatField()
    upper = serializers.FloatField()
    count = serializers.IntegerField()
    confidence = serializers.FloatField(allow_null=True, help_text="Mean confidence in the bin.")
    accuracy = MetricSerializer(help_text="Share right in the bin (Wilson interval).")


class CalibrationSerializer(serializers.Serializer):
    bins = ReliabilityBinSerializer(many=True)
    ece = MetricSerializer(help_text="Expected calibration error, 10 bins (bootstrap interval).")
    brier = MetricSerializer(help_text="Brier score (bootstrap interval).")


class PrCurveSerializer(serializers.Serializer):
    name = serializers.CharField()
    average_precision = serializers.FloatField(allow_null=True)
    points = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=3, max_length=3),
        help_text="[recall, precision, threshold], highest threshold first, at most 101.",
    )


class OperatingPointSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    violations = serializers.IntegerField()
    removed_count = serializers.IntegerField()
    allowed_count = serializers.IntegerField()
    removed = MetricSerializer(help_text="Share auto-removed.")
    allowed = MetricSerializer(help_text="Share auto-allowed.")
    to_people = MetricSerializer(help_text="Share sent to people.")
    remove_precision = MetricSerializer(help_text="Removed items that violate.")
    remove_recall = MetricSerializer(help_text="Violations that are removed.")
    allow_precision = MetricSerializer(help_text="Allowed items that do not violate.")
    allow_recall = MetricSerializer(help_text="Clean items that are allowed.")


class CategoryPointSerializer(OperatingPointSerializer):
    name = serializers.CharField()
    label_class = serializers.CharField()
    remove_threshold = serializers.FloatField()
    allow_threshold = serializers.FloatField()


class PolicyPointSerializer(serializers.Serializer):
    policy_id = serializers.IntegerField(allow_null=True)
    policy = serializers.CharField()
    unknown_classes = serializers.ListField(
        child=serializers.CharField(), help_text="Categories' label classes the model lacks."
    )
    categories = CategoryPointSerializer(many=True)
    combined = OperatingPointSerializer(
        allow_null=True, help_text="The policy as intake decides: remove if any category says so."
    )


class SliceValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    support = serializers.IntegerField()
    enough_support = serializers.BooleanField()
    accuracy = MetricSerializer()
    f1_macro = MetricSerializer()
    fpr = MetricSerializer(help_text="False-positive rate of the positive classes.")
    fnr = MetricSerializer(help_text="False-negative rate of the positive classes.")
    rest_fpr = MetricSerializer(help_text="The same on every other held-out item.")
    rest_fnr = MetricSerializer()
    fpr_gap = serializers.FloatField(allow_null=True, help_text="fpr - rest_fpr.")
    fnr_gap = serializers.FloatField(allow_null=True, help_text="fnr - rest_fnr.")
    fpr_gap_clear = serializers.BooleanField(help_text="The two intervals do not overlap.")
    fnr_gap_clear = serializers.BooleanField()
    worst = serializers.BooleanField()


class SliceFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    values = SliceValueSerializer(many=True)
    worst = serializers.CharField(allow_null=True)


class WorstSliceSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()
    f1_macro = MetricSerializer()


class SlicesSerializer(serializers.Serializer):
    min_support = serializers.IntegerField(help_text="Items a value needs to be ranked worst.")
    positive_classes = serializers.ListField(child=serializers.CharField())
    # The JSON key is ``fields``; DRF's metaclass takes declared fields off the class, so it
    # does not shadow ``Serializer.fields`` at run time (the stubs cannot know).
    fields = SliceFieldSerializer(many=True)  # type: ignore[assignment]
    worst = WorstSliceSerializer(many=True, help_text="Each field's worst value, worst first.")


class EvaluationReportSerializer(serializers.Serializer):
    schema = serializers.IntegerField()
    task_type = serializers.CharField()
    classes = serializers.ListField(child=serializers.CharField())
    n = serializers.IntegerField()
    accuracy = MetricSerializer()
    f1_macro = MetricSerializer()
    per_class = PerClassSerializer(many=True)
    confusion_matrix = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        allow_null=True,
        help_text="Rows true, columns predicted, in ``classes`` order (None for multilabel).",
    )
    calibration = CalibrationSerializer()
    pr_curves = PrCurveSerializer(many=True)
    operating_points = PolicyPointSerializer(many=True)
    slices = SlicesSerializer()
    slice_fields = serializers.ListField(child=serializers.CharField())
    evaluated_at = serializers.CharField()


class EvaluationOutputSerializer(serializers.Serializer):
    version_id = serializers.IntegerField()
    version = serializers.IntegerField()
    evaluation = EvaluationReportSerializer(
        allow_null=True, help_text="None until the version is evaluated."
    )
    error = serializers.CharField(allow_null=True)
    job = TrainingJobOutputSerializer(
        allow_null=True, help_text="The version's latest evaluation job, if any."
    )


class EvaluationSettingsSerializer(serializers.Serializer):
    slice_fields = serializers.ListField(child=serializers.CharField())
    metadata_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Metadata fields seen on the newest items."
    )
    builtin_fields = serializers.ListField(child=serializers.CharField())
    min_support = serializers.IntegerField()
    max_values = serializers.IntegerField()


class EvaluationSettingsInputSerializer(serializers.Serializer):
    slice_fields = serializers.ListField(
        child=serializers.CharField(max_length=64, allow_blank=False),
        max_length=8,
        allow_empty=True,
    )
