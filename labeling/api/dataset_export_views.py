"""Exports of a dataset snapshot: request one format (written by a background job), download
it once written. Data roles of the project (admin, ML engineer) and superusers only."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.files import FileViewMixin, file_response
from core.parsers import JSONParser
from labeling.api.dataset_serializers import DatasetExportOutputSerializer
from labeling.api.file_views import ATTACHMENT_RESPONSES
from labeling.choices import DATA_ROLES, DatasetFormat
from labeling.selectors.dataset_exports import dataset_export_get, dataset_snapshot_get
from labeling.selectors.projects import project_get_for_user
from labeling.services.datasets.exports import (
    dataset_export_download_check,
    dataset_export_request,
)


class DatasetExportDetailOutputSerializer(DatasetExportOutputSerializer):
    """The export as the snapshot lists it, with its progress in rows and its files."""

    class Meta(DatasetExportOutputSerializer.Meta):
        fields = [
            *DatasetExportOutputSerializer.Meta.fields,
            "rows_total", "rows_done", "files", "created_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class DatasetExportCreateApi(APIView):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        format = serializers.ChoiceField(choices=DatasetFormat.choices)

    @extend_schema(
        request=InputSerializer,
        responses={
            202: DatasetExportDetailOutputSerializer,
            200: DatasetExportDetailOutputSerializer,
        },
        operation_id="projects_snapshots_exports_create",
    )
    def post(self, request, project_id: int, number: int):
        """Export the snapshot in a format: 202 when a job is queued (a new export, or one that
        failed, again), 200 with the existing export otherwise. The file is written from the
        snapshot's stored file, so it is the same bytes whenever it is made."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        snapshot = dataset_snapshot_get(project=project, number=number)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export, queued = dataset_export_request(
            snapshot=snapshot, fmt=data.validated_data["format"], user=request.user
        )
        export.refresh_from_db()
        export.snapshot = snapshot
        return Response(
            DatasetExportDetailOutputSerializer(export).data,
            status=status.HTTP_202_ACCEPTED if queued else status.HTTP_200_OK,
        )


class DatasetExportDownloadApi(FileViewMixin, APIView):
    @extend_schema(
        responses=ATTACHMENT_RESPONSES, operation_id="projects_snapshots_exports_download"
    )
    def get(self, request, project_id: int, number: int, export_format: str):
        """The export's zip, as an attachment (``snapshot-<project>-<number>-<format>.zip``)."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        snapshot = dataset_snapshot_get(project=project, number=number)
        if export_format not in DatasetFormat.values:
            raise ApplicationError(f"Unknown export format {export_format!r}.", status_code=404)
        export = dataset_export_download_check(
            export=dataset_export_get(snapshot=snapshot, fmt=export_format)
        )
        return file_response(file=export.file, as_image=False, download_name=export.file_name)
