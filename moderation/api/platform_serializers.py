"""Platforms and their API keys (site admins)."""

from rest_framework import serializers

from moderation.models import Platform, PlatformApiKey
from moderation.services.platforms import SCOPES


class PlatformOutputSerializer(serializers.ModelSerializer):
    active_key_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Platform
        fields = ["id", "name", "active_key_count", "created_at"]
        read_only_fields = fields


class PlatformCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES))

    class Meta:
        model = PlatformApiKey
        fields = ["id", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class ApiKeyCreatedOutputSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The whole key: shown this once, never stored."
    )

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPES), min_length=1, max_length=len(SCOPES)
    )
