"""What platforms send to intake and get back (API-key routes under /api/v1/platform/)."""

from rest_framework import serializers

from moderation.choices import ContentState

# Room for the "mod:<platform id>:" prefix of the item's external id (255 characters).
MAX_EXTERNAL_ID = 200


MAX_METADATA_KEYS = 50
MAX_METADATA_KEY_CHARS = 100
MAX_METADATA_TEXT_CHARS = 500


class ContextSerializer(serializers.Serializer):
    """What the platform knows around the content; rules read every field (``metadata``
    signal), ``language`` and ``account_age_days`` as signals of their own."""

    url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    language = serializers.CharField(max_length=35, required=False, allow_blank=True)
    audience = serializers.CharField(max_length=100, required=False, allow_blank=True)
    surface = serializers.CharField(
        max_length=100, required=False, allow_blank=True,
        help_text="Where the content appeared: post, comment, dm, profile, …",
    )  # fmt: skip
    author_display_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="The author's name as the platform shows it (moderators read it in the thread).",
    )  # fmt: skip
    account_age_days = serializers.FloatField(
        min_value=0, max_value=36_500, required=False,
        help_text="How old the author's account is, in days.",
    )  # fmt: skip
    metadata = serializers.DictField(
        child=serializers.JSONField(), required=False,
        help_text=f"Other fields rules may read: at most {MAX_METADATA_KEYS} keys, each value "
        f"a number, true/false, null or a text of at most {MAX_METADATA_TEXT_CHARS} characters.",
    )  # fmt: skip

    def validate_metadata(self, value: dict) -> dict:
        if len(value) > MAX_METADATA_KEYS:
            raise serializers.ValidationError(f"At most {MAX_METADATA_KEYS} keys.")
        for key, item in value.items():
            if not key or len(key) > MAX_METADATA_KEY_CHARS:
                raise serializers.ValidationError(
                    f"Keys have 1 to {MAX_METADATA_KEY_CHARS} characters."
                )
            plain = item is None or isinstance(item, bool | int | float)
            if not plain and not (isinstance(item, str) and len(item) <= MAX_METADATA_TEXT_CHARS):
                raise serializers.ValidationError(
                    f"{key}: a number, true/false, null or a text of at most "
                    f"{MAX_METADATA_TEXT_CHARS} characters."
                )
        return value


class IntakeItemInputSerializer(serializers.Serializer):
    policy = serializers.IntegerField(help_text="The policy (id) to check the content against.")
    external_id = serializers.CharField(max_length=MAX_EXTERNAL_ID)
    author_id = serializers.CharField(max_length=255)
    parent_id = serializers.CharField(
        max_length=MAX_EXTERNAL_ID, required=False, allow_blank=True, default="",
        help_text="The external id of the content this one answers (a post, a message of the "
        "same conversation), as this platform sent it: the review panel shows the thread. "
        "Only this platform's content is ever looked up; an id it never sent shows no parent.",
    )  # fmt: skip
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
