"""A project's members and their roles."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import member_serializers as s
from labeling.choices import ALL_ROLES, MANAGE_ROLES
from labeling.models import ProjectMembership
from labeling.selectors.projects import membership_list, project_get_for_user
from labeling.services import memberships as membership_services


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
        membership = membership_services.membership_add(
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
        membership = membership_services.membership_update(
            membership=membership, actor=request.user, **data.validated_data
        )
        return Response(s.MemberOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id: int, member_id: int):
        membership = self._membership(request, project_id, member_id)
        membership_services.membership_remove(membership=membership, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
