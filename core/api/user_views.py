"""User accounts, for site admins: list and create (there is no self-registration)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.user_serializers import UserOutputSerializer
from core.limits import PASSWORD_MAX_CHARS
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from core.services.users import invitation_path, user_create

User = get_user_model()


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
        users = User.objects.order_by("username")
        filters = self.UserFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        search = filters.validated_data.get("search")
        if search:
            users = users.filter(username__icontains=search)
        return paginated_response(request, self, users, UserOutputSerializer)

    @extend_schema(request=UserCreateInputSerializer, responses={201: UserCreatedSerializer})
    def post(self, request):
        data = self.UserCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(**data.validated_data, created_by=request.user)
        user.invitation_path = None if user.has_usable_password() else invitation_path(user=user)
        return Response(self.UserCreatedSerializer(user).data, status=status.HTTP_201_CREATED)
