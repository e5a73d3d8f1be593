"""A project's members."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.fields import TextSlugRelatedField
from labeling.choices import Role
from labeling.models import ProjectMembership


class MemberOutputSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)

    class Meta:
        model = ProjectMembership
        fields = ["id", "user", "username", "email", "role", "created_at"]


class MemberCreateInputSerializer(serializers.Serializer):
    username = TextSlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), source="user"
    )
    role = serializers.ChoiceField(choices=Role.choices)


class MemberUpdateInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
