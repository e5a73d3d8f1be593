"""A policy's hash bank: known-bad content by SHA-256 and perceptual hash."""

from rest_framework import serializers

from moderation.choices import HashKind
from moderation.models import HashEntry


class HashEntryOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = HashEntry
        fields = ["id", "kind", "value", "category", "note", "created_by", "created_at"]
        read_only_fields = fields


class HashEntryInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HashKind.choices)
    value = serializers.CharField(max_length=64, help_text="Hex: 64 digits (sha256), 16 (phash).")
    category = serializers.CharField(max_length=100)


class HashImportInputSerializer(serializers.Serializer):
    """JSON entries, or (multipart) image files ``files`` with one ``category``."""

    entries = HashEntryInputSerializer(many=True, required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False)
    category = serializers.CharField(max_length=100, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs.get("entries") is None and not attrs.get("files"):
            raise serializers.ValidationError("Send entries, or image files with a category.")
        if attrs.get("files") and not attrs.get("category"):
            raise serializers.ValidationError({"category": "Name the category of the images."})
        return attrs


class HashImportOutputSerializer(serializers.Serializer):
    submitted = serializers.IntegerField()
    added = serializers.IntegerField()
    existing = serializers.IntegerField()


class HashFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HashKind.choices, required=False)
