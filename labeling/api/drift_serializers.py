from rest_framework import serializers

from labeling.models import DriftSettings, DriftWindow


class DriftWindowOutputSerializer(serializers.ModelSerializer):
    model_version = serializers.IntegerField(
        source="model_version.version", allow_null=True, default=None, read_only=True
    )
    alarms = serializers.ListField(child=serializers.CharField(), read_only=True)
    label_mix = serializers.DictField(child=serializers.FloatField(), read_only=True)
    reference_label_mix = serializers.DictField(child=serializers.FloatField(), read_only=True)
    thresholds = serializers.DictField(child=serializers.FloatField(), read_only=True)

    class Meta:
        model = DriftWindow
        fields = [
            "id", "number", "started_at", "ended_at", "items", "closed_by", "model_version",
            "score_psi", "label_mix_psi", "label_mix_tv", "domain_auc", "overturn_share",
            "decisions", "label_mix", "reference_label_mix", "reference_items", "thresholds",
            "alarms", "note",
        ]  # fmt: skip
        read_only_fields = fields


class DriftSettingsSerializer(serializers.ModelSerializer):
    """Thresholds (an alarm when a measure is strictly above one), window size and what an
    alarm does. Every field is optional on update."""

    score_psi_threshold = serializers.FloatField(min_value=0.0, max_value=100.0, required=False)
    label_mix_psi_threshold = serializers.FloatField(min_value=0.0, max_value=100.0, required=False)
    domain_auc_threshold = serializers.FloatField(min_value=0.5, max_value=1.0, required=False)
    overturn_share_threshold = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)
    min_window_items = serializers.IntegerField(min_value=20, max_value=100_000, required=False)
    min_decisions = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    window_max_items = serializers.IntegerField(min_value=50, max_value=100_000, required=False)
    window_hours = serializers.IntegerField(min_value=1, max_value=24 * 31, required=False)
    retrain_on_alarm = serializers.BooleanField(required=False)
    webhook_on_alarm = serializers.BooleanField(required=False)
    # Null until the project's settings are first saved (the defaults are shown until then).
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = DriftSettings
        fields = [
            "score_psi_threshold", "label_mix_psi_threshold", "domain_auc_threshold",
            "overturn_share_threshold", "min_window_items", "min_decisions", "window_max_items",
            "window_hours", "retrain_on_alarm", "webhook_on_alarm", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]

    def validate(self, attrs):
        unknown = (
            set(self.initial_data) - set(self.fields)
            if isinstance(self.initial_data, dict)
            else set()
        )
        if unknown:
            raise serializers.ValidationError(
                dict.fromkeys(sorted(unknown)[:20], "Unknown setting.")
            )
        return attrs


class DriftStateOutputSerializer(serializers.Serializer):
    alarm = serializers.BooleanField()
    alarms = serializers.ListField(child=serializers.CharField())
    window = DriftWindowOutputSerializer(allow_null=True)
    alarm_since = DriftWindowOutputSerializer(allow_null=True)
    windows = serializers.IntegerField(help_text="Windows closed so far.")
    settings = DriftSettingsSerializer()
