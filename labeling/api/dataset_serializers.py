"""Dataset snapshots: the cut request, the snapshot with its exports, preview, diff."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from labeling.choices import JobState
from labeling.models import DatasetExport, DatasetSnapshot
from labeling.services.datasets.cut import NAME_MAX_CHARS


def _progress(job: DatasetSnapshot | DatasetExport) -> float:
    if job.state == JobState.SUCCEEDED:
        return 1.0
    if not job.rows_total:
        return 0.0
    return round(min(1.0, job.rows_done / job.rows_total), 4)


class SnapshotCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=NAME_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    filters = serializers.JSONField(
        required=False,
        default=dict,
        help_text='{"sources": [...], "splits": [...], "classes": [...], "labeled_only": true, '
        '"labeled_after": ISO datetime, "labeled_before": ISO datetime, '
        '"metadata": {"key": ["value", ...]}}; every key optional.',
    )


class SnapshotPreviewInputSerializer(serializers.Serializer):
    filters = serializers.JSONField(required=False, default=dict)


class SnapshotCountsSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    labeled = serializers.IntegerField()
    automatic = serializers.IntegerField()
    splits = serializers.DictField(child=serializers.IntegerField())
    classes = serializers.DictField(child=serializers.IntegerField())
    sources = serializers.DictField(child=serializers.IntegerField())
    resolutions = serializers.DictField(child=serializers.IntegerField())


class SnapshotPreviewOutputSerializer(SnapshotCountsSerializer):
    exact = serializers.ListField(
        child=serializers.CharField(),
        help_text="Which of the counts are exact (all of them for projects of up to 20,000 "
        "items); the others are estimated from a sample, see message.",
    )
    message = serializers.CharField(allow_blank=True)


class DatasetExportOutputSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="Where to download the export (an attachment); null until it succeeded."
    )

    class Meta:
        model = DatasetExport
        fields = ["format", "state", "progress", "size_bytes", "sha256", "file_name",
                  "download_url", "error_message"]  # fmt: skip
        read_only_fields = fields

    def get_progress(self, export: DatasetExport) -> float:
        return _progress(export)

    def get_download_url(self, export: DatasetExport) -> str | None:
        if export.state != JobState.SUCCEEDED:
            return None
        snapshot = export.snapshot
        return (
            f"/api/v1/projects/{snapshot.project_id}/snapshots/{snapshot.number}/exports/"
            f"{export.format}/download/"
        )


class ModelVersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    stage = serializers.CharField()


class DatasetSnapshotOutputSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )
    counts = serializers.JSONField(read_only=True)
    filters = serializers.JSONField(read_only=True)
    model_versions = serializers.SerializerMethodField()
    exports = DatasetExportOutputSerializer(many=True, read_only=True)

    class Meta:
        model = DatasetSnapshot
        fields = ["id", "number", "name", "state", "progress", "rows_total", "rows_done",
                  "error_message", "filters", "label_rule", "counts", "content_hash",
                  "file_sha256", "manifest_sha256", "created_by", "created_at", "finished_at",
                  "training_job_id", "model_versions", "exports"]  # fmt: skip
        read_only_fields = fields

    def get_progress(self, snapshot: DatasetSnapshot) -> float:
        return _progress(snapshot)

    @extend_schema_field(ModelVersionRefSerializer(many=True))
    def get_model_versions(self, snapshot: DatasetSnapshot) -> list[dict[str, Any]]:
        return self.context.get("model_versions", {}).get(snapshot.pk, [])


class DiffSampleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    before = serializers.ListField(child=serializers.CharField(), allow_null=True)
    after = serializers.ListField(child=serializers.CharField(), allow_null=True)


class DiffKindSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    classes = serializers.DictField(child=serializers.IntegerField())
    sample = DiffSampleSerializer(many=True, required=False)


class DiffSideSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    items = serializers.IntegerField()


class DiffDistributionSerializer(serializers.Serializer):
    a = serializers.DictField(child=serializers.IntegerField())
    b = serializers.DictField(child=serializers.IntegerField())


class SnapshotDiffOutputSerializer(serializers.Serializer):
    a = DiffSideSerializer()
    b = DiffSideSerializer()
    added = DiffKindSerializer()
    removed = DiffKindSerializer()
    relabeled = DiffKindSerializer()
    unchanged = DiffKindSerializer()
    distribution = DiffDistributionSerializer()


class SnapshotDiffQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    b = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
