"""Exports: a project's items with their annotations, streamed as JSONL or CSV."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from labeling.choices import DATA_ROLES, AnnotationSource, ExportFormat
from labeling.models import Project
from labeling.selectors.projects import project_get_for_user
from labeling.services.exports import export_stream


class ExportApi(APIView):
    class ExportQuerySerializer(serializers.Serializer):
        format = serializers.ChoiceField(choices=ExportFormat.choices, default=ExportFormat.JSONL)
        source = serializers.ChoiceField(choices=AnnotationSource.choices, required=False)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
        labeled_only = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="Streams every item with its annotations; memory does not grow with size.",
    )
    def get(self, request, project_id: int):
        project: Project = project_get_for_user(
            project_id=project_id, user=request.user, roles=DATA_ROLES
        )
        # `format` is also DRF's content-negotiation parameter; read ours from the raw query.
        params = self.ExportQuerySerializer(
            data={
                k: v
                for k, v in request.query_params.items()
                if k in {"format", "source", "labeled_only"}
            }
        )
        params.is_valid(raise_exception=True)
        fmt = params.validated_data["format"]
        stream = export_stream(
            project=project,
            fmt=fmt,
            source=params.validated_data.get("source"),
            labeled_only=params.validated_data["labeled_only"],
        )
        content_type = (
            "application/x-ndjson" if fmt == ExportFormat.JSONL else "text/csv; charset=utf-8"
        )
        response = StreamingHttpResponse(stream, content_type=content_type)
        suffix = (
            f"-{params.validated_data['source']}" if params.validated_data.get("source") else ""
        )
        response["Content-Disposition"] = (
            f'attachment; filename="project-{project.pk}{suffix}.{fmt}"'
        )
        return response
