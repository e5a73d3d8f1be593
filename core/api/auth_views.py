"""Signing in and out, the caller's own account and API token, and accepting an invitation."""

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.user_serializers import UserOutputSerializer
from core.exceptions import ApplicationError
from core.limits import PASSWORD_MAX_CHARS
from core.models import ApiToken
from core.services.api_tokens import api_token_create, api_token_revoke
from core.services.users import invitation_accept
from core.throttling import login_attempt_check, login_attempt_succeeded


class CsrfApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=inline_serializer("Csrf", {"csrf_token": serializers.CharField()}))
    def get(self, request):
        """Sets the CSRF cookie; the SPA sends its value back in ``X-CSRFToken``."""
        return Response({"csrf_token": get_token(request)})


# The API's error body ({"message", "extra"}), named for the answers documented here.
ErrorSerializer = inline_serializer(
    "AuthError", {"message": serializers.CharField(), "extra": serializers.DictField()}
)
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Too many attempts from this address or for this account; the password was "
    "not checked. `Retry-After` (and `extra.retry_after_seconds`) say when to try again.",
)


@method_decorator(csrf_protect, name="dispatch")
class LoginApi(APIView):
    permission_classes = [AllowAny]

    class LoginInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=PASSWORD_MAX_CHARS, style={"input_type": "password"}
        )

    @extend_schema(
        request=LoginInputSerializer, responses={200: UserOutputSerializer, 429: THROTTLED}
    )
    def post(self, request):
        """Start a session. Attempts are limited per client address and per username
        (``TANDEM_LOGIN_RATE``, ``TANDEM_LOGIN_USERNAME_RATE``): over either, 429."""
        data = self.LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        login_attempt_check(request, username=username)
        user = authenticate(request, **data.validated_data)
        if user is None:
            raise ApplicationError("Wrong username or password.", status_code=400)
        login_attempt_succeeded(username=username)
        login(request, user)
        return Response(UserOutputSerializer(user).data)


class LogoutApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)


class ApiTokenInfoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["prefix", "created_at", "last_used_at"]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenInfoSerializer):
    token = serializers.CharField(
        read_only=True, help_text="The whole key. Shown this once: only its hash is kept."
    )

    class Meta(ApiTokenInfoSerializer.Meta):
        fields = ["token", *ApiTokenInfoSerializer.Meta.fields]
        read_only_fields = fields


class ApiTokenApi(APIView):
    """Your API token. A script without a session creates one by posting its username and
    password (throttled exactly like a login); the SPA, signed in, posts nothing."""

    permission_classes = [IsAuthenticated]

    class TokenCredentialsSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150, required=False)
        password = serializers.CharField(
            max_length=PASSWORD_MAX_CHARS, required=False, style={"input_type": "password"}
        )

        def validate(self, attrs):
            if bool(attrs.get("username")) != bool(attrs.get("password")):
                raise serializers.ValidationError("Send both username and password, or neither.")
            return attrs

    def get_permissions(self):
        # Posting credentials is a sign-in of its own; the view checks them.
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    @extend_schema(
        responses={
            200: ApiTokenInfoSerializer,
            404: OpenApiResponse(ErrorSerializer, description="You have no API token."),
        }
    )
    def get(self, request):
        """Your API token's prefix and dates (the key itself is never shown again)."""
        token = ApiToken.objects.filter(user=request.user).first()
        if token is None:
            raise ApplicationError("You have no API token.", status_code=404)
        return Response(ApiTokenInfoSerializer(token).data)

    @extend_schema(
        request=TokenCredentialsSerializer,
        responses={
            201: ApiTokenCreatedSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Wrong username or password."),
            429: THROTTLED,
        },
    )
    def post(self, request):
        """Create (or replace) your API token. Send it as ``Authorization: Token <key>``.

        Signed in (session or token): send no body. A script without a session sends
        ``username`` and ``password``; those attempts count towards the login limits
        (``TANDEM_LOGIN_RATE``, ``TANDEM_LOGIN_USERNAME_RATE``: over either, 429). The answer
        holds the key this once; Tandem keeps only its hash."""
        data = self.TokenCredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data.get("username")
        if username:
            login_attempt_check(request, username=username)
            user = authenticate(request, **data.validated_data)
            if user is None:
                raise ApplicationError("Wrong username or password.", status_code=400)
            login_attempt_succeeded(username=username)
        elif request.user.is_authenticated:
            user = request.user
        else:
            raise NotAuthenticated("Sign in, or send your username and password.")
        created = api_token_create(user=user)
        body = {"token": created.key, **ApiTokenInfoSerializer(created.token).data}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke your API token: it stops working at once."""
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptApi(APIView):
    permission_classes = [AllowAny]

    class InvitationAcceptInputSerializer(serializers.Serializer):
        uid = serializers.CharField(max_length=64)
        token = serializers.CharField(max_length=128)
        password = serializers.CharField(max_length=PASSWORD_MAX_CHARS)

    @extend_schema(
        request=InvitationAcceptInputSerializer,
        responses={200: UserOutputSerializer, 429: THROTTLED},
    )
    def post(self, request):
        """Set the password of an invited account (the link's uid and token). Limited like
        login: per client address and per invited account."""
        data = self.InvitationAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A colon never appears in a username, so this cannot share a username's counter.
        account = f"invitation:{data.validated_data['uid']}"
        login_attempt_check(request, username=account)
        user = invitation_accept(**data.validated_data)
        login_attempt_succeeded(username=account)
        return Response(UserOutputSerializer(user).data)
