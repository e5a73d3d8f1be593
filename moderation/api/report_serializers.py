"""Reports a platform's users make about content (API keys with scope ``reports``)."""

from rest_framework import serializers

from moderation.api.intake_serializers import MAX_EXTERNAL_ID


class ReportInputSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=MAX_EXTERNAL_ID)
    reporter_id = serializers.CharField(max_length=255)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReportOutputSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    content_id = serializers.IntegerField()
    created = serializers.BooleanField(help_text="False when this reporter had already reported.")
    user_report_count = serializers.IntegerField(help_text="Distinct users who reported it.")
    report_count = serializers.IntegerField(
        help_text="Distinct flags of every source (users, rules, hash bank, model)."
    )
