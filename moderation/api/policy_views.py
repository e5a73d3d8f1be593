"""Policies: project admins create them; senior moderators and admins edit them; moderators
read them."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import policy_serializers as s
from moderation.selectors.access import (
    MODERATE_ROLES,
    POLICY_ADMIN_ROLES,
    policy_get_for_user,
)
from moderation.selectors.policies import policy_list, policy_with_details
from moderation.services import policies


class PolicyListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.PolicyOutputSerializer),
        operation_id="moderation_policies_list",
    )
    def get(self, request):
        """Policies of the projects where the caller moderates (or administers)."""
        return paginated_response(
            request,
            self,
            policy_list(user=request.user, roles=MODERATE_ROLES),
            s.PolicyOutputSerializer,
        )

    @extend_schema(request=s.PolicyCreateInputSerializer, responses={201: s.PolicyOutputSerializer})
    def post(self, request):
        """Create a policy on a project the caller administers, with its categories (each a
        label class of the project) and reason codes. Audited (``policy.create``)."""
        data = s.PolicyCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        policy = policies.policy_create(
            user=request.user, project_id=values.pop("project"), **values
        )
        return Response(
            s.PolicyOutputSerializer(policy_with_details(policy=policy)).data,
            status=status.HTTP_201_CREATED,
        )


class PolicyDetailApi(APIView):
    @extend_schema(responses=s.PolicyOutputSerializer)
    def get(self, request, policy_id: int):
        """The policy with its categories and reason codes (moderators and up)."""
        policy = policy_get_for_user(policy_id=policy_id, user=request.user, roles=MODERATE_ROLES)
        return Response(s.PolicyOutputSerializer(policy_with_details(policy=policy)).data)

    @extend_schema(request=s.PolicyUpdateInputSerializer, responses=s.PolicyOutputSerializer)
    def patch(self, request, policy_id: int):
        """Change the policy (senior moderators and admins). ``categories`` and
        ``reason_codes``, when sent, replace the lists. Audited (``policy.update`` with the
        values before and after)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.PolicyUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = policies.policy_update(policy=policy, user=request.user, **data.validated_data)
        return Response(s.PolicyOutputSerializer(policy_with_details(policy=policy)).data)
