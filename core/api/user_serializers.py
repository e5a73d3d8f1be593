"""How the API shows a user account."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

User = get_user_model()


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "is_superuser"]
