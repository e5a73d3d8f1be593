"""Platforms sending content, and their API keys (site admins)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import platform_serializers as s
from moderation.api.auth import require_site_admin
from moderation.selectors.platforms import api_key_get, api_key_list, platform_get, platform_list
from moderation.services import platforms


class PlatformListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.PlatformOutputSerializer),
        operation_id="moderation_platforms_list",
    )
    def get(self, request):
        """Platforms sending content, by name (site admins)."""
        require_site_admin(request)
        return paginated_response(request, self, platform_list(), s.PlatformOutputSerializer)

    @extend_schema(
        request=s.PlatformCreateInputSerializer, responses={201: s.PlatformOutputSerializer}
    )
    def post(self, request):
        """Register a platform (site admins). 409 when the name is taken."""
        require_site_admin(request)
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
        require_site_admin(request)
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
        require_site_admin(request)
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
        require_site_admin(request)
        platform = platform_get(platform_id=platform_id)
        api_key = platforms.api_key_revoke(
            api_key=api_key_get(platform=platform, key_id=key_id), user=request.user
        )
        return Response(s.ApiKeyOutputSerializer(api_key).data)
