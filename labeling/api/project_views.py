"""Projects: list, create, read, change and delete them."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import project_serializers as s
from labeling.choices import MANAGE_ROLES
from labeling.models import ProjectMembership
from labeling.selectors.project_status import project_status, project_statuses
from labeling.selectors.projects import (
    project_get_for_user,
    project_list,
    project_with_item_count,
)
from labeling.services import projects as project_services


class ProjectListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.ProjectListOutputSerializer),
        operation_id="projects_list",
    )
    def get(self, request):
        projects = project_list(user=request.user)
        memberships = dict(
            ProjectMembership.objects.filter(user=request.user).values_list("project_id", "role")
        )

        def with_role_and_status(page):
            statuses = project_statuses(
                projects=page, item_counts={project.pk: project.item_count for project in page}
            )
            for project in page:
                project.caller_role = memberships.get(
                    project.pk, "admin" if request.user.is_superuser else None
                )
                project.current_status = statuses[project.pk]
            return page

        return paginated_response(
            request, self, projects, s.ProjectListOutputSerializer, page_rows=with_role_and_status
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


class ProjectStatusApi(APIView):
    """What is happening now: importing, embedding, training, the live model, or what is
    needed next, with the latest failures. Any member may read it."""

    @extend_schema(responses=s.ProjectStatusSerializer, operation_id="projects_status")
    def get(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user)
        return Response(s.ProjectStatusSerializer(project_status(project=project)).data)


class GuidelinesPreviewApi(APIView):
    """Guidelines rendered as saving them would render them, without saving (the settings
    page's preview). Nothing is stored."""

    @extend_schema(
        request=s.GuidelinesPreviewInputSerializer,
        responses=s.GuidelinesPreviewOutputSerializer,
        operation_id="projects_guidelines_preview",
    )
    def post(self, request, project_id: int):
        project_get_for_user(project_id=project_id, user=request.user, roles=MANAGE_ROLES)
        data = s.GuidelinesPreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        html = project_services.guidelines_render(markdown_text=data.validated_data["guidelines"])
        return Response({"guidelines_html": html})
