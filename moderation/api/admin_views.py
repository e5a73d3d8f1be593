"""People's endpoints for intake: platforms, API keys and policy grants (site admins), policies
(project admins create; senior moderators and admins edit; moderators read), the hash bank."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from core.parsers import JSONParser
from moderation.api import admin_serializers as s
from moderation.models import Policy
from moderation.selectors.access import (
    MODERATE_ROLES,
    POLICY_ADMIN_ROLES,
    policy_get_for_user,
)
from moderation.selectors.grants import platform_policy_list
from moderation.selectors.platforms import api_key_get, api_key_list, platform_get, platform_list
from moderation.selectors.policies import hash_entry_list, policy_list, policy_with_details
from moderation.services import grants, hashbank, platforms, policies


def _require_site_admin(request) -> None:
    if not request.user.is_staff:
        raise ApplicationError("Only site admins manage platforms and API keys.", status_code=403)


# --- platforms and keys ------------------------------------------------------------------------


class PlatformListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.PlatformOutputSerializer),
        operation_id="moderation_platforms_list",
    )
    def get(self, request):
        """Platforms sending content, by name (site admins)."""
        _require_site_admin(request)
        return paginated_response(request, self, platform_list(), s.PlatformOutputSerializer)

    @extend_schema(
        request=s.PlatformCreateInputSerializer, responses={201: s.PlatformOutputSerializer}
    )
    def post(self, request):
        """Register a platform (site admins). 409 when the name is taken."""
        _require_site_admin(request)
        data = s.PlatformCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        platform = platforms.platform_create(created_by=request.user, **data.validated_data)
        return Response(s.PlatformOutputSerializer(platform).data, status=status.HTTP_201_CREATED)


class ApiKeyListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.ApiKeyOutputSerializer),
        operation_id="moderation_platforms_keys_list",
    )
    def get(self, request, platform_id: int):
        """The platform's keys, newest first (prefix only: the secret is never shown again)."""
        _require_site_admin(request)
        platform = platform_get(platform_id=platform_id)
        return paginated_response(
            request, self, api_key_list(platform=platform), s.ApiKeyOutputSerializer
        )

    @extend_schema(
        request=s.ApiKeyCreateInputSerializer, responses={201: s.ApiKeyCreatedOutputSerializer}
    )
    def post(self, request, platform_id: int):
        """Make a key with scopes out of intake / reports / appeals. The answer holds the whole
        key (``key``) this one time; only its hash is kept."""
        _require_site_admin(request)
        platform = platform_get(platform_id=platform_id)
        data = s.ApiKeyCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = platforms.api_key_create(
            platform=platform, created_by=request.user, **data.validated_data
        )
        created.api_key.key = created.key
        return Response(
            s.ApiKeyCreatedOutputSerializer(created.api_key).data, status=status.HTTP_201_CREATED
        )


class ApiKeyRevokeApi(APIView):
    @extend_schema(request=None, responses=s.ApiKeyOutputSerializer)
    def post(self, request, platform_id: int, key_id: int):
        """Revoke a key: requests with it get 401 from now on. Revoking again is harmless."""
        _require_site_admin(request)
        platform = platform_get(platform_id=platform_id)
        api_key = platforms.api_key_revoke(
            api_key=api_key_get(platform=platform, key_id=key_id), user=request.user
        )
        return Response(s.ApiKeyOutputSerializer(api_key).data)


# --- policy grants -----------------------------------------------------------------------------


class PlatformGrantListApi(APIView):
    @extend_schema(
        parameters=[s.PlatformGrantFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.PlatformPolicyGrantSerializer),
        operation_id="moderation_platforms_grants_list",
    )
    def get(self, request, platform_id: int):
        """Every policy by name, each saying whether the platform's keys may use it, since
        when and granted by whom (site admins). ``granted=true`` lists the grants only."""
        _require_site_admin(request)
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
        _require_site_admin(request)
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
        _require_site_admin(request)
        platform = platform_get(platform_id=platform_id)
        policy = get_object_or_404(Policy, pk=policy_id)
        grants.policy_grant_revoke(policy=policy, platform=platform, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- policies ----------------------------------------------------------------------------------


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


# --- hash bank ---------------------------------------------------------------------------------


class HashEntryListImportApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    body_limit = "hash_import"  # TANDEM_HASH_IMPORT_MAX_BYTES

    @extend_schema(
        parameters=[s.HashFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.HashEntryOutputSerializer),
        operation_id="moderation_policies_hashes_list",
    )
    def get(self, request, policy_id: int):
        """The policy's hash bank, newest first (senior moderators and admins)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        filters = s.HashFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        entries = hash_entry_list(policy=policy, kind=filters.validated_data.get("kind"))
        return paginated_response(request, self, entries, s.HashEntryOutputSerializer)

    @extend_schema(
        request={
            "application/json": s.HashImportInputSerializer,
            "multipart/form-data": s.HashImportInputSerializer,
        },
        responses={201: s.HashImportOutputSerializer},
    )
    def post(self, request, policy_id: int):
        """Import known-bad hashes: JSON ``entries`` ({kind, value, category}), or image
        ``files`` with a ``category`` (both hashes of each are computed). All or nothing;
        entries already in the bank are counted as existing. Audited (``hash.import``)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        payload = request.data
        if hasattr(payload, "getlist"):
            payload = {
                **{key: payload.get(key) for key in ("category", "note") if key in payload},
                "files": request.FILES.getlist("files"),
            }
        data = s.HashImportInputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        entries = list(values.get("entries") or [])
        if values.get("files"):
            entries += hashbank.hash_entries_from_images(
                images=[(upload.name, upload.read()) for upload in values["files"]],
                category=values["category"],
            )
        counts = hashbank.hash_entries_import(
            policy=policy, user=request.user, entries=entries, note=values["note"]
        )
        return Response(counts, status=status.HTTP_201_CREATED)
