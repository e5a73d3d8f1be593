"""API token authentication: ``Authorization: Token <key>``, checked against stored hashes."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's ``Token`` header, looked up by the SHA-256 of the key (``core.ApiToken``).

    A subclass of DRF's class so the header parsing, its error messages and the OpenAPI
    description stay the same; only where the key is looked up differs. Unknown, revoked and
    malformed tokens get 401 with ``WWW-Authenticate: Token``.
    """

    def authenticate_credentials(self, key: str):
        # Imported here: DRF imports this module while apps load, before models may be.
        from core.services.api_tokens import api_token_authenticate

        token = api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
