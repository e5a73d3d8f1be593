from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from core.parsers import JSONParser
from labeling.api import serializers as s
from labeling.choices import (
    ALL_ROLES,
    DATA_ROLES,
    LABEL_ROLES,
    MANAGE_ROLES,
    AnnotationSource,
    ExportFormat,
)
from labeling.models import ImportJob, Project, ProjectMembership
from labeling.selectors.items import import_job_list, item_get, item_list
from labeling.selectors.projects import (
    membership_list,
    project_get_for_user,
    project_list,
    project_with_item_count,
)
from labeling.services import projects as project_services
from labeling.services.annotations import annotation_create
from labeling.services.exports import export_stream
from labeling.services.imports import import_job_create, import_job_retry


class ProjectListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.ProjectOutputSerializer),
        operation_id="projects_list",
    )
    def get(self, request):
        projects = project_list(user=request.user)
        memberships = dict(
            ProjectMembership.objects.filter(user=request.user).values_list("project_id", "role")
        )

        def with_caller_role(page):
            for project in page:
                project.caller_role = memberships.get(
                    project.pk, "admin" if request.user.is_superuser else None
                )
            return page

        return paginated_response(
            request, self, projects, s.ProjectOutputSerializer, page_rows=with_caller_role
        )

    @extend_schema(
        request=s.ProjectCreateInputSerializer, responses={201: s.ProjectOutputSerializer}
    )
    def post(self, request):
        if not request.user.is_staff:
            raise ApplicationError("Only site admins can create projects.", status_code=403)
        data = s.ProjectCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_services.project_create(created_by=request.user, **data.validated_data)
        project.caller_role = "admin"
        return Response(s.ProjectOutputSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    @extend_schema(responses=s.ProjectOutputSerializer)
    def get(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user)
        return Response(s.ProjectOutputSerializer(project_with_item_count(project=project)).data)

    @extend_schema(request=s.ProjectUpdateInputSerializer, responses=s.ProjectOutputSerializer)
    def patch(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=MANAGE_ROLES)
        data = s.ProjectUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_services.project_update(
            project=project, data=data.validated_data, actor=request.user
        )
        return Response(s.ProjectOutputSerializer(project_with_item_count(project=project)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=MANAGE_ROLES)
        project_services.project_delete(project=project, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.MemberOutputSerializer),
        operation_id="projects_members_list",
    )
    def get(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        return paginated_response(
            request, self, membership_list(project=project), s.MemberOutputSerializer
        )

    @extend_schema(request=s.MemberCreateInputSerializer, responses={201: s.MemberOutputSerializer})
    def post(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=MANAGE_ROLES)
        data = s.MemberCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = project_services.membership_add(
            project=project, actor=request.user, **data.validated_data
        )
        return Response(s.MemberOutputSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    def _membership(self, request, project_id: int, member_id: int) -> ProjectMembership:
        project = project_get_for_user(project_id=project_id, user=request.user, roles=MANAGE_ROLES)
        return get_object_or_404(membership_list(project=project), pk=member_id)

    @extend_schema(request=s.MemberUpdateInputSerializer, responses=s.MemberOutputSerializer)
    def patch(self, request, project_id: int, member_id: int):
        membership = self._membership(request, project_id, member_id)
        data = s.MemberUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = project_services.membership_update(
            membership=membership, actor=request.user, **data.validated_data
        )
        return Response(s.MemberOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id: int, member_id: int):
        membership = self._membership(request, project_id, member_id)
        project_services.membership_remove(membership=membership, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ItemListApi(APIView):
    @extend_schema(
        parameters=[s.ItemFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.ItemOutputSerializer),
        operation_id="projects_items_list",
    )
    def get(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        filters = s.ItemFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        items = item_list(project=project, filters=filters.validated_data)
        return paginated_response(request, self, items, s.ItemOutputSerializer)


class ItemDetailApi(APIView):
    @extend_schema(responses=s.ItemOutputSerializer)
    def get(self, request, project_id: int, item_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        try:
            item = item_get(project=project, item_id=item_id)
        except project.items.model.DoesNotExist as exc:
            raise ApplicationError("Item not found.", status_code=404) from exc
        return Response(s.ItemOutputSerializer(item).data)


class ItemAnnotationCreateApi(APIView):
    class AnnotationCreateInputSerializer(serializers.Serializer):
        labels = serializers.ListField(
            child=serializers.CharField(max_length=100, allow_blank=True),
            allow_empty=True,
            max_length=100,
            help_text="Label class names: one, or several in a multilabel project.",
        )
        client_key = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=64,
            help_text="Chosen by the client, new for each label: sending the same key again "
            "returns the stored annotation (200) instead of storing a second one. Without "
            "it, every request stores a label.",
        )

    @extend_schema(
        request=AnnotationCreateInputSerializer,
        responses={201: s.AnnotationOutputSerializer, 200: s.AnnotationOutputSerializer},
    )
    def post(self, request, project_id: int, item_id: int):
        """Label an item (source = human). Every ``retrain_every`` new labels start training.

        201 when stored; 200 with the stored annotation when this ``client_key`` was already
        sent (nothing is stored twice); 409 when the key was used for another item."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=LABEL_ROLES)
        item = get_object_or_404(project.items.select_related("project"), pk=item_id)
        data = self.AnnotationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotation, created = annotation_create(
            item=item, annotator=request.user, **data.validated_data
        )
        return Response(
            s.AnnotationOutputSerializer(annotation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ImportListCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    # TANDEM_IMPORT_MAX_BYTES plus multipart overhead, refused before the upload is read.
    body_limit = "import"

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.ImportJobOutputSerializer),
        operation_id="projects_imports_list",
    )
    def get(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        return paginated_response(
            request, self, import_job_list(project=project), s.ImportJobOutputSerializer
        )

    @extend_schema(
        request={"multipart/form-data": s.ImportJobCreateInputSerializer},
        responses={202: s.ImportJobOutputSerializer},
    )
    def post(self, request, project_id: int):
        """Upload a CSV/TSV, JSONL, text or image file (or several images, or a zip of them).

        The import runs in the background; poll the returned job for progress and the report.
        """
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        data = s.ImportJobCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        uploads = list(values.pop("files", []) or [])
        if values.get("file") is not None:
            uploads.insert(0, values.pop("file"))
        values.pop("file", None)
        fmt = values.pop("format", None)
        job = import_job_create(
            project=project, created_by=request.user, uploads=uploads, fmt=fmt, options=values
        )
        job.refresh_from_db()
        return Response(s.ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(APIView):
    @extend_schema(responses=s.ImportJobOutputSerializer)
    def get(self, request, project_id: int, import_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        job = get_object_or_404(import_job_list(project=project), pk=import_id)
        return Response(s.ImportJobOutputSerializer(job).data)


class ImportRetryApi(APIView):
    @extend_schema(request=None, responses={202: s.ImportJobOutputSerializer})
    def post(self, request, project_id: int, import_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        job = get_object_or_404(ImportJob.objects.filter(project=project), pk=import_id)
        job = import_job_retry(job=job)
        job.refresh_from_db()
        return Response(s.ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


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
