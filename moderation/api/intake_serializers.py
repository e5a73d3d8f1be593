"""What platforms send to intake and get back (API-key routes under /api/v1/platform/)."""

from rest_framework import serializers

from moderation.choices import ContentState

# Room for the "mod:<platform id>:" prefix of the item's external id (255 characters).
MAX_EXTERNAL_ID = 200


class ContextSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    language = serializers.CharField(max_length=35, required=False, allow_blank=True)
    audience = serializers.CharField(max_length=100, required=False, allow_blank=True)


class IntakeItemInputSerializer(serializers.Serializer):
    policy = serializers.IntegerField(help_text="The policy (id) to check the content against.")
    external_id = serializers.CharField(max_length=MAX_EXTERNAL_ID)
    author_id = serializers.CharField(max_length=255)
    text = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False
    )
    image = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The image file's bytes, base64-encoded (JPEG, PNG, GIF, WebP, BMP).",
    )
    context = ContextSerializer(required=False, default=dict)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class


class IntakeBatchInputSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        help_text="Up to TANDEM_INTAKE_BATCH_MAX (500) entries shaped like a single intake.",
    )


class IntakeAnswerSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    content_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ContentState.choices)
    verdict = serializers.ChoiceField(choices=["allow", "remove", "pending_review"])
    model_version = serializers.IntegerField(
        allow_null=True, help_text="The model version number whose score decided, if any."
    )
    score = serializers.FloatField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    hash_match = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class IntakeBatchAnswerSerializer(IntakeAnswerSerializer):
    index = serializers.IntegerField()


class IntakeBatchErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.IntegerField(
        help_text="The HTTP status a single intake of this entry would answer (400, 404, 413)."
    )
    message = serializers.CharField()
    extra = serializers.DictField()


class IntakeBatchOutputSerializer(serializers.Serializer):
    results = IntakeBatchAnswerSerializer(many=True)
    errors = IntakeBatchErrorSerializer(many=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
