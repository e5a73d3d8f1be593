"""Import jobs: upload a file into items, follow the job, retry it."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from core.parsers import JSONParser
from labeling.api import import_serializers as s
from labeling.choices import DATA_ROLES
from labeling.models import ImportJob
from labeling.selectors.items import import_job_list
from labeling.selectors.projects import project_get_for_user
from labeling.services.imports.jobs import import_job_create, import_job_retry


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
