"""Who may call what: platforms call their routes with ``Authorization: Bearer <key>`` (a key
grants scopes); people who manage platforms are site admins."""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from moderation.models import Platform, PlatformApiKey


@dataclass
class PlatformClient:
    """``request.user`` for a platform: which platform, with which key and scopes."""

    platform: Platform
    api_key: PlatformApiKey

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None

    @property
    def scopes(self) -> list[str]:
        return list(self.api_key.scopes)

    def get_username(self) -> str:
        return f"platform:{self.platform.name}"


class PlatformKeyAuthentication(BaseAuthentication):
    """Identifies the platform from its API key; unknown or revoked keys get 401."""

    keyword = b"bearer"

    def authenticate(self, request):
        from moderation.services.platforms import api_key_authenticate

        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Bearer <key>'.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.") from exc
        api_key = api_key_authenticate(key=key)
        if api_key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        return PlatformClient(platform=api_key.platform, api_key=api_key), api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 when no key is sent.
        return 'Bearer realm="api"'


class HasScope(BasePermission):
    """The platform's key carries the view's ``required_scope`` (None: any scope)."""

    message = "This API key does not have the scope this endpoint needs."

    def has_permission(self, request, view) -> bool:
        client = request.user
        if not isinstance(client, PlatformClient):
            return False
        scope = getattr(view, "required_scope", None)
        return scope is None or scope in client.scopes


class PlatformKeyScheme(OpenApiAuthenticationExtension):
    """Documents the platform key in the OpenAPI schema (HTTP bearer)."""

    target_class = PlatformKeyAuthentication
    name = "PlatformApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A platform's API key."}


class PlatformApi(APIView):
    """A route platforms call with their API key; ``required_scope`` names the key's scope."""

    authentication_classes = [PlatformKeyAuthentication]
    permission_classes = [HasScope]
    required_scope: str | None = None


def require_site_admin(request) -> None:
    if not request.user.is_staff:
        raise ApplicationError("Only site admins manage platforms and API keys.", status_code=403)
