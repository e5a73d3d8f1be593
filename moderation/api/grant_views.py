"""Policy grants: which policies a platform's keys may use (site admins)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import grant_serializers as s
from moderation.api.auth import require_site_admin
from moderation.models import Policy
from moderation.selectors.grants import platform_policy_list
from moderation.selectors.platforms import platform_get
from moderation.services import grants


class PlatformGrantListApi(APIView):
    @extend_schema(
        parameters=[s.PlatformGrantFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.PlatformPolicyGrantSerializer),
        operation_id="moderation_platforms_grants_list",
    )
    def get(self, request, platform_id: int):
        """Every policy by name, each saying whether the platform's keys may use it, since
        when and granted by whom (site admins). ``granted=true`` lists the grants only."""
        require_site_admin(request)
        platform = platform_get(platform_id=platform_id)
        filters = s.PlatformGrantFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        policies = platform_policy_list(
            platform=platform, granted=filters.validated_data.get("granted")
        )
        return paginated_response(request, self, policies, s.PlatformPolicyGrantSerializer)


class PlatformGrantApi(APIView):
    @extend_schema(
        request=None,
        responses={201: s.PlatformPolicyGrantSerializer, 200: s.PlatformPolicyGrantSerializer},
    )
    def put(self, request, platform_id: int, policy_id: int):
        """Let the platform's keys use the policy (site admins): intake under it, and
        reports, appeals and status of that content. 201 when granted now, 200 when it
        already was. Audited (``policy_grant.create``)."""
        require_site_admin(request)
        platform = platform_get(platform_id=platform_id)
        policy = get_object_or_404(Policy, pk=policy_id)
        _grant, created = grants.policy_grant(policy=policy, platform=platform, actor=request.user)
        row = platform_policy_list(platform=platform).get(pk=policy.pk)
        return Response(
            s.PlatformPolicyGrantSerializer(row).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, platform_id: int, policy_id: int):
        """Stop the platform's keys using the policy, from their next request (site admins).
        Its content stays with the policy; the platform can no longer report, appeal or read
        it (404). Revoking what is not granted does nothing. Audited (``policy_grant.delete``)."""
        require_site_admin(request)
        platform = platform_get(platform_id=platform_id)
        policy = get_object_or_404(Policy, pk=policy_id)
        grants.policy_grant_revoke(policy=policy, platform=platform, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
