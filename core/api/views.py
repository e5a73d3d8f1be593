from django.contrib.auth import authenticate, get_user_model, login, logout
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.limits import PASSWORD_MAX_CHARS
from core.pagination import PAGE_PARAMETERS, DefaultPagination, paginated
from core.services.users import (
    api_token_revoke,
    api_token_rotate,
    invitation_accept,
    invitation_path,
    user_create,
)

User = get_user_model()


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "is_superuser"]


class CsrfApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=inline_serializer("Csrf", {"csrf_token": serializers.CharField()}))
    def get(self, request):
        """Sets the CSRF cookie; the SPA sends its value back in ``X-CSRFToken``."""
        return Response({"csrf_token": get_token(request)})


@method_decorator(csrf_protect, name="dispatch")
class LoginApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class LoginInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=PASSWORD_MAX_CHARS, style={"input_type": "password"}
        )

    @extend_schema(request=LoginInputSerializer, responses=UserOutputSerializer)
    def post(self, request):
        data = self.LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None:
            raise ApplicationError("Wrong username or password.", status_code=400)
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


class ApiTokenApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: inline_serializer("ApiToken", {"token": serializers.CharField()})},
    )
    def post(self, request):
        """Create (or replace) your API token. Send it as ``Authorization: Token <key>``."""
        token = api_token_rotate(user=request.user)
        return Response({"token": token.key}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class InvitationAcceptInputSerializer(serializers.Serializer):
        uid = serializers.CharField(max_length=64)
        token = serializers.CharField(max_length=128)
        password = serializers.CharField(max_length=PASSWORD_MAX_CHARS)

    @extend_schema(request=InvitationAcceptInputSerializer, responses=UserOutputSerializer)
    def post(self, request):
        data = self.InvitationAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = invitation_accept(**data.validated_data)
        return Response(UserOutputSerializer(user).data)


class UserListCreateApi(APIView):
    """Site admins (staff) list and create users; there is no self-registration."""

    permission_classes = [IsAdminUser]

    class UserCreateInputSerializer(serializers.Serializer):
        username = serializers.RegexField(r"^[\w.@+-]{1,150}$")
        email = serializers.EmailField(required=False, default="")
        password = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=PASSWORD_MAX_CHARS
        )
        is_staff = serializers.BooleanField(required=False, default=False)

    class UserFilterSerializer(serializers.Serializer):
        search = serializers.CharField(required=False, allow_blank=True, max_length=150)

    class UserCreatedSerializer(UserOutputSerializer):
        invitation_path = serializers.CharField(read_only=True, allow_null=True)

        class Meta(UserOutputSerializer.Meta):
            fields = [*UserOutputSerializer.Meta.fields, "invitation_path"]

    @extend_schema(
        parameters=[UserFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(UserOutputSerializer),
        operation_id="users_list",
    )
    def get(self, request):
        paginator = DefaultPagination()
        users = User.objects.order_by("username")
        filters = self.UserFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        search = filters.validated_data.get("search")
        if search:
            users = users.filter(username__icontains=search)
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(UserOutputSerializer(page, many=True).data)

    @extend_schema(request=UserCreateInputSerializer, responses={201: UserCreatedSerializer})
    def post(self, request):
        data = self.UserCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(**data.validated_data)
        user.invitation_path = None if user.has_usable_password() else invitation_path(user=user)
        return Response(self.UserCreatedSerializer(user).data, status=status.HTTP_201_CREATED)
