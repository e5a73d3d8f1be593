from rest_framework import serializers

from models_app.choices import Stage


class RollbackInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Why (kept in the audit record).",
    )


class CompareQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(help_text="A model version's id.")
    b = serializers.IntegerField(help_text="Another model version's id.")


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
    n = serializers.IntegerField(allow_null=True)
    roc_auc = serializers.FloatField(allow_null=True)
    f1_macro = serializers.FloatField(allow_null=True)
    accuracy = serializers.FloatField(allow_null=True)
    ece = serializers.FloatField(allow_null=True)
    f1_per_class = serializers.DictField(child=serializers.FloatField(), allow_null=True)
    label_counts = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


class CompareSideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    label_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    promoted_at = serializers.DateTimeField(allow_null=True)
    metrics = CompareMetricsSerializer(help_text="Held-out metrics (dev and test splits).")
    decision_agreement = DecisionAgreementSerializer(
        allow_null=True,
        help_text="Agreement with people's decisions; null unless a or b is in shadow or canary.",
    )


class CompareOutputSerializer(serializers.Serializer):
    a = CompareSideSerializer()
    b = CompareSideSerializer()
    decisions_since = serializers.DateTimeField(allow_null=True)
