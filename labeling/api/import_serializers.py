"""Import jobs: the upload and the job with its report."""

from rest_framework import serializers

from labeling.api.file_urls import import_file_url
from labeling.choices import ImportFormat
from labeling.models import ImportJob


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()


class ImportJobOutputSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    unknown_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    skipped = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="What rows held that was not imported, by reason, with counts (cancelled "
        "annotations, tasks without annotations, ignored or rejected answers, result types "
        "Tandem cannot map).",
    )
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
            "skipped",
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
