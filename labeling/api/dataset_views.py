"""Dataset snapshots: list and cut them, preview a cut's counts, read one, its manifest, and
the difference between two. Data roles of the project only (admin, ML engineer)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import dataset_serializers as s
from labeling.choices import DATA_ROLES
from labeling.models import DatasetSnapshot, Project
from labeling.selectors.datasets import (
    snapshot_diff,
    snapshot_get,
    snapshot_list,
    snapshot_model_versions,
)
from labeling.selectors.projects import project_get_for_user, project_label_class_names
from labeling.services.datasets.cut import snapshot_create
from labeling.services.datasets.filters import SnapshotFilters, snapshot_filters_parse
from labeling.services.datasets.preview import snapshot_preview


def _project(request, project_id: int) -> Project:
    return project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)


def _filters(project: Project, raw: object) -> SnapshotFilters:
    return snapshot_filters_parse(raw=raw, class_names=project_label_class_names(project=project))


def _output(project: Project, snapshot: DatasetSnapshot) -> dict:
    versions = snapshot_model_versions(project=project, snapshots=[snapshot])
    return s.DatasetSnapshotOutputSerializer(snapshot, context={"model_versions": versions}).data


class SnapshotListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.DatasetSnapshotOutputSerializer),
        operation_id="projects_snapshots_list",
    )
    def get(self, request, project_id: int):
        """The project's dataset snapshots, newest first."""
        project = _project(request, project_id)

        def with_versions(page):
            context["model_versions"] = snapshot_model_versions(
                project=project, snapshots=list(page)
            )
            return page

        context: dict = {}
        return paginated_response(
            request,
            self,
            snapshot_list(project=project),
            s.DatasetSnapshotOutputSerializer,
            page_rows=with_versions,
            context=context,
        )

    @extend_schema(
        request=s.SnapshotCreateInputSerializer,
        responses={202: s.DatasetSnapshotOutputSerializer},
    )
    def post(self, request, project_id: int):
        """Cut a snapshot: validated now (400 when the filters are malformed or select
        nothing), cut in the background; poll it for progress."""
        project = _project(request, project_id)
        data = s.SnapshotCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        snapshot = snapshot_create(
            project=project,
            created_by=request.user,
            name=data.validated_data["name"],
            filters=_filters(project, data.validated_data["filters"]),
        )
        snapshot = snapshot_get(project=project, number=snapshot.number)
        return Response(_output(project, snapshot), status=status.HTTP_202_ACCEPTED)


class SnapshotPreviewApi(APIView):
    @extend_schema(
        request=s.SnapshotPreviewInputSerializer, responses=s.SnapshotPreviewOutputSerializer
    )
    def post(self, request, project_id: int):
        """The counts a snapshot cut now with these filters would have, without cutting it.
        Writes nothing."""
        project = _project(request, project_id)
        data = s.SnapshotPreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counts = snapshot_preview(
            project=project, filters=_filters(project, data.validated_data["filters"])
        )
        return Response(s.SnapshotPreviewOutputSerializer(counts).data)


class SnapshotDetailApi(APIView):
    @extend_schema(responses=s.DatasetSnapshotOutputSerializer)
    def get(self, request, project_id: int, number: int):
        project = _project(request, project_id)
        return Response(_output(project, snapshot_get(project=project, number=number)))


class SnapshotManifestApi(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, project_id: int, number: int):
        """The snapshot's manifest (what its manifest_sha256 covers); 409 until it is cut."""
        project = _project(request, project_id)
        snapshot = snapshot_get(project=project, number=number)
        if not snapshot.manifest:
            return Response(
                {"message": f"Snapshot {number} is {snapshot.state}: it has no manifest yet.",
                 "extra": {}},
                status=status.HTTP_409_CONFLICT,
            )  # fmt: skip
        return Response(snapshot.manifest)


class SnapshotDiffApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, required=True, description="The earlier snapshot's number."),
            OpenApiParameter("b", int, required=True, description="The later snapshot's number."),
        ],
        responses=s.SnapshotDiffOutputSerializer,
    )
    def get(self, request, project_id: int):
        """How snapshot b differs from snapshot a: items added, removed, relabeled, unchanged,
        label distributions, and up to 50 examples of each kind."""
        project = _project(request, project_id)
        query = s.SnapshotDiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        a = snapshot_get(project=project, number=query.validated_data["a"])
        b = snapshot_get(project=project, number=query.validated_data["b"])
        return Response(s.SnapshotDiffOutputSerializer(snapshot_diff(a=a, b=b)).data)
