from rest_framework import serializers

from labeling.api.learning_serializers import (
    MetricIntervalsSerializer,
    ModelMetricsSerializer,
    PromotionSerializer,
)
from models_app.choices import Stage

VERSION_NUMBER_MAX = 2_147_483_647


class RollbackInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Why (kept in the audit record).",
    )


class CompareQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(
        min_value=1, max_value=VERSION_NUMBER_MAX, help_text="A version number of the project."
    )
    b = serializers.IntegerField(
        min_value=1, max_value=VERSION_NUMBER_MAX, help_text="Another version number."
    )

    def validate(self, attrs):
        if attrs["a"] == attrs["b"]:
            raise serializers.ValidationError("Pick two different versions to compare.")
        return attrs


class DecisionAgreementSerializer(serializers.Serializer):
    decisions = serializers.IntegerField(
        help_text="People's moderation / appeal decisions since the pre-production version "
        "was registered (the most recent 2000 at most)."
    )
    n = serializers.IntegerField(help_text="Of those, items with a stored vector: measured.")
    agreement = serializers.FloatField(
        allow_null=True,
        help_text="Share of measured items where the model's top class is the people's label.",
    )
    error = serializers.CharField(required=False)


class CompareMetricsSerializer(serializers.Serializer):
    classes = serializers.ListField(child=serializers.CharField(), allow_null=True)
    n = serializers.IntegerField(allow_null=True)
    roc_auc = serializers.FloatField(allow_null=True)
    f1_macro = serializers.FloatField(allow_null=True)
    accuracy = serializers.FloatField(allow_null=True)
    ece = serializers.FloatField(allow_null=True)
    f1_per_class = serializers.DictField(child=serializers.FloatField(), allow_null=True)
    label_counts = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    confusion_matrix = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), allow_null=True
    )
    intervals = MetricIntervalsSerializer(allow_null=True)


class SameItemsMetricsSerializer(ModelMetricsSerializer):
    classes = serializers.ListField(
        child=serializers.CharField(), help_text="The version's classes: the matrix's order."
    )  # always there: measured now


class SliceDeltaSerializer(serializers.Serializer):
    value = serializers.CharField()
    support = serializers.IntegerField()
    f1_macro_before = serializers.FloatField(allow_null=True, help_text="The older version's.")
    f1_macro_after = serializers.FloatField(allow_null=True, help_text="The newer version's.")
    f1_macro_delta = serializers.FloatField(allow_null=True)
    accuracy_delta = serializers.FloatField(allow_null=True)
    regression = serializers.BooleanField(
        help_text="The newer version helps overall but lowers this slice's macro F1."
    )


class SliceDeltaFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    values = SliceDeltaSerializer(many=True)


class SliceRegressionSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()
    f1_macro_delta = serializers.FloatField(allow_null=True)


class CompareSlicesSerializer(serializers.Serializer):
    f1_macro_delta = serializers.FloatField(
        allow_null=True, help_text="Newer minus older macro F1 on all the same items."
    )
    # The JSON key is ``fields``; DRF's metaclass takes declared fields off the class, so it
    # does not shadow ``Serializer.fields`` at run time (the stubs cannot know).
    fields = SliceDeltaFieldSerializer(many=True)  # type: ignore[assignment]
    regressions = SliceRegressionSerializer(many=True)


class SameItemsSerializer(serializers.Serializer):
    comparable = serializers.BooleanField(
        help_text="Whether both versions were scored on the same items."
    )
    n = serializers.IntegerField(help_text="Held-out items both were scored on.")
    reason = serializers.CharField(help_text="Which items, or why they could not be scored.")
    items_of_version = serializers.IntegerField(
        allow_null=True, help_text="The version whose recorded held-out set was used."
    )
    held_out_from = serializers.ChoiceField(
        choices=[("recorded", "recorded"), ("current", "current")],
        allow_null=True,
        help_text="recorded: that version's held-out set as trained; current: the project's "
        "held-out labels now (versions that predate recorded sets).",
    )
    slices = CompareSlicesSerializer(
        required=False,
        allow_null=True,
        help_text="Per slice of the project's slice fields: newer minus older (absent when "
        "the versions could not be scored on the same items).",
    )


class CompareSideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    embedder = serializers.CharField()
    label_count = serializers.IntegerField()
    train_n = serializers.IntegerField(allow_null=True)
    train_source_counts = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    created_at = serializers.DateTimeField()
    promoted_at = serializers.DateTimeField(allow_null=True)
    promotion = PromotionSerializer(help_text="The training run's automatic decision.")
    metrics = CompareMetricsSerializer(
        help_text="Held-out metrics stored at training (its own held-out set)."
    )
    same_items_metrics = SameItemsMetricsSerializer(
        allow_null=True,
        help_text="Metrics on the items both were scored on (null: not comparable).",
    )
    decision_agreement = DecisionAgreementSerializer(
        allow_null=True,
        help_text="Agreement with people's decisions; null unless a or b is in shadow or canary.",
    )


class CompareOutputSerializer(serializers.Serializer):
    a = CompareSideSerializer()
    b = CompareSideSerializer()
    same_items = SameItemsSerializer()
    decisions_since = serializers.DateTimeField(allow_null=True)
