"""Shapes of the review queue, the review panel and decisions (shared with the frontend through
the OpenAPI schema)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from moderation.api.author_serializers import AuthorRecordSerializer
from moderation.choices import AuthorAction, ContentState, DecisionAction, ReviewTier
from moderation.models import Content, Decision

# --- inputs ------------------------------------------------------------------------------------


class ReviewNextInputSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=ReviewTier.choices, default=ReviewTier.STANDARD)
    policy = serializers.IntegerField(required=False, allow_null=True)
    category = serializers.IntegerField(required=False, allow_null=True)
    queue = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Work one review queue (one you may work; 403 for a restricted one).",
    )
    exclude = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        max_length=500,
        help_text="Content ids to pass over (skipped in this session).",
    )


class ReviewQueueFilterSerializer(serializers.Serializer):
    policy = serializers.IntegerField(required=False)
    category = serializers.IntegerField(required=False)
    state = serializers.ChoiceField(
        choices=ContentState.choices, required=False, help_text="Default: open (pending and "
        "escalated) content."
    )  # fmt: skip
    tier = serializers.ChoiceField(choices=ReviewTier.choices, required=False)
    queue = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ReassignInputSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()


class DecisionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    reason_code = serializers.CharField(
        max_length=32,
        allow_blank=True,
        default="",
        help_text="Required, except for an escalation when the policy has no escalation "
        "reason codes.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    author_action = serializers.ChoiceField(
        choices=AuthorAction.choices, required=False, default=AuthorAction.NONE
    )
    suspend_days = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    time_spent_ms = serializers.IntegerField(required=False, allow_null=True, min_value=0)


# --- outputs -----------------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    # Declared: a PositiveIntegerField's schema maximum depends on the database.
    suspend_days = serializers.IntegerField(read_only=True, allow_null=True)
    time_spent_ms = serializers.IntegerField(read_only=True, allow_null=True)
    reason_code = serializers.CharField(source="reason_code.code", default=None, allow_null=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "action",
            "reason_code",
            "note",
            "moderator_name",
            "automated",
            "author_action",
            "suspend_days",
            "model_suggestion",
            "time_spent_ms",
            "is_final",
            "superseded",
            "created_at",
        ]


class ModelSuggestionSerializer(serializers.Serializer):
    level = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    label_class = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    score = serializers.FloatField()
    model_version_id = serializers.IntegerField(allow_null=True)
    model_version = serializers.IntegerField(allow_null=True)
    model_stage = serializers.CharField(
        allow_null=True, help_text="The version's stage now (production, shadow, …)."
    )


class CategoryScoreSerializer(serializers.Serializer):
    category = serializers.CharField()
    score = serializers.FloatField(help_text="The model's probability of this category.")
    remove_threshold = serializers.FloatField(allow_null=True)
    allow_threshold = serializers.FloatField(allow_null=True)


class ModelFlagSerializer(serializers.Serializer):
    """The model's own flag raised at intake (not a report by anyone)."""

    model_version = serializers.IntegerField(allow_null=True)
    model_stage = serializers.CharField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


def _blurred_url(content: Content) -> str | None:
    """The blurred thumbnail's endpoint (anyone who may review the content); never a path in
    storage."""
    if not content.blurred_thumbnail:
        return None
    return reverse("moderation-content-blurred", kwargs={"content_id": content.pk})


class ContentRowSerializer(serializers.ModelSerializer):
    """A content in the review queue."""

    # Declared: a PositiveIntegerField's schema maximum depends on the database.
    report_count = serializers.IntegerField(
        read_only=True,
        help_text="Distinct flags of every source (users, rules, hash bank, model): they raise "
        "the priority.",
    )
    user_report_count = serializers.IntegerField(
        read_only=True, help_text="Distinct users of the platform who reported it."
    )

    policy_name = serializers.CharField(source="policy.name")
    category = serializers.CharField(source="top_category.name", default=None, allow_null=True)
    text = serializers.CharField(source="item.text", allow_null=True)
    has_image = serializers.SerializerMethodField()
    blurred_thumbnail_url = serializers.SerializerMethodField()
    leased_by = serializers.CharField(source="leased_by.username", default=None, allow_null=True)
    overdue = serializers.BooleanField(default=False, help_text="Open past its SLA deadline.")

    class Meta:
        model = Content
        fields = [
            "id",
            "external_id",
            "policy",
            "policy_name",
            "category",
            "state",
            "tier",
            "text",
            "has_image",
            "blurred_thumbnail_url",
            "priority",
            "report_count",
            "user_report_count",
            "hash_match",
            "sla_due_at",
            "overdue",
            "leased_by",
            "lease_expires_at",
            "created_at",
        ]

    def get_has_image(self, content: Content) -> bool:
        return bool(content.item.image)

    def get_blurred_thumbnail_url(self, content: Content) -> str | None:
        return _blurred_url(content)


class ContentReportSerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    reporter = serializers.CharField()
    reason = serializers.CharField()
    category = serializers.CharField(source="category.name", default=None, allow_null=True)
    created_at = serializers.DateTimeField()


class RelatedContentSerializer(serializers.Serializer):
    """Another content (the author's history, a similar one) with its decisions."""

    id = serializers.IntegerField()
    external_id = serializers.CharField()
    state = serializers.CharField()
    category = serializers.CharField(source="top_category.name", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    decisions = DecisionSerializer(many=True, source="decisions.all")


class SimilarContentSerializer(serializers.Serializer):
    content = RelatedContentSerializer()
    similarity = serializers.FloatField(help_text="Cosine similarity of the embeddings.")


class TextSegmentSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False)
    flagged = serializers.BooleanField(help_text="A rule matched this piece.")


class ThreadEntrySerializer(serializers.Serializer):
    """Another content of the same conversation (text as sent: shown as text, never markup)."""

    id = serializers.IntegerField()
    external_id = serializers.CharField()
    author_name = serializers.CharField(
        allow_null=True, help_text="The display name the platform sent (context)."
    )
    author_id = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_null=True, trim_whitespace=False)
    has_image = serializers.BooleanField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField()
    flagged_segments = TextSegmentSerializer(
        many=True,
        help_text="The text in pieces, flagged where its policy's text banks match (masked "
        "when the moderator hides flagged terms); empty when nothing matches.",
    )


class ThreadSerializer(serializers.Serializer):
    parent_id = serializers.CharField(
        allow_null=True, help_text="The parent's external id as the platform sent it."
    )
    parent_missing = serializers.BooleanField(
        help_text="A parent was named but is not among the platform's content you may see."
    )
    ancestors = ThreadEntrySerializer(many=True, help_text="Oldest first, the parent last.")
    siblings = ThreadEntrySerializer(
        many=True, help_text="Other replies to the same parent, nearest in time, oldest first."
    )
    position = serializers.IntegerField(
        help_text="How many of the siblings came before this content."
    )


class FlaggedTermSerializer(serializers.Serializer):
    bank = serializers.CharField(help_text="The text bank that matched.")
    kind = serializers.ChoiceField(choices=["term", "pattern"])
    start = serializers.IntegerField(help_text="Offset in the text, in code points.")
    end = serializers.IntegerField(help_text="End offset (exclusive), in code points.")
    text = serializers.CharField(
        trim_whitespace=False, help_text="The text as posted there (obfuscations included)."
    )


class ContentDetailSerializer(serializers.Serializer):
    """The review panel: the content and everything a moderator weighs it with."""

    id = serializers.IntegerField(source="content.id")
    external_id = serializers.CharField(source="content.external_id")
    platform = serializers.CharField(source="content.platform.name")
    policy = serializers.IntegerField(source="content.policy_id")
    policy_name = serializers.CharField(source="content.policy.name")
    automation_level = serializers.CharField(source="content.policy.automation_level")
    state = serializers.CharField(source="content.state")
    tier = serializers.CharField(source="content.tier")
    text = serializers.CharField(source="content.item.text", allow_null=True)
    has_image = serializers.SerializerMethodField()
    blurred_thumbnail_url = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField(
        help_text="The full image: fetching it is recorded in the audit log (content.reveal)."
    )
    context = serializers.JSONField(source="content.context")  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    category = serializers.CharField(
        source="content.top_category.name", default=None, allow_null=True
    )
    scores = serializers.SerializerMethodField(
        help_text="Model probability per category; empty when the policy shows no model output."
    )
    category_scores = CategoryScoreSerializer(
        many=True,
        help_text="Model probability per category with the category's thresholds, most likely "
        "first; empty when the policy shows no model output.",
    )
    model = serializers.SerializerMethodField()
    model_flag = ModelFlagSerializer(
        allow_null=True,
        help_text="The model's own flag at intake, apart from the reports; null when the model "
        "did not flag it or the policy shows no model output.",
    )
    priority = serializers.FloatField(source="content.priority")
    report_count = serializers.IntegerField(
        source="content.report_count",
        help_text="Distinct flags of every source (users, rules, hash bank, model): they raise "
        "the priority.",
    )
    user_report_count = serializers.SerializerMethodField(
        help_text="Distinct users of the platform who reported it (the length of reports)."
    )
    hash_match = serializers.BooleanField(source="content.hash_match")
    sla_due_at = serializers.DateTimeField(source="content.sla_due_at", allow_null=True)
    leased_by = serializers.CharField(
        source="content.leased_by.username", default=None, allow_null=True
    )
    lease_expires_at = serializers.DateTimeField(source="content.lease_expires_at", allow_null=True)
    created_at = serializers.DateTimeField(source="content.created_at")
    decided_at = serializers.DateTimeField(source="content.decided_at", allow_null=True)
    reports = ContentReportSerializer(
        many=True, help_text="Reports by the platform's users (never the model's own flag)."
    )
    rule_hits = ContentReportSerializer(many=True)
    graphic = serializers.BooleanField(
        help_text="In a category the policy marks graphic: revealing it counts towards the "
        "moderator's daily exposure."
    )
    flagged_segments = TextSegmentSerializer(
        many=True,
        help_text="The text cut into pieces, flagged where a rule hit on it or a text bank "
        "of the policy matches (for masking until revealed); empty when nothing matches.",
    )
    flagged_terms = FlaggedTermSerializer(
        many=True,
        help_text="Where the policy's text banks match the text as posted, obfuscations "
        "included (fr33, f r e e, zero-width characters, look-alike letters).",
    )
    hash_matches = ContentReportSerializer(many=True)
    author = AuthorRecordSerializer(
        source="author_record",
        allow_null=True,
        help_text="The author's record under the policies the viewer moderates.",
    )
    author_history = RelatedContentSerializer(many=True)
    similar = SimilarContentSerializer(many=True)
    decisions = DecisionSerializer(many=True)
    appeals = serializers.SerializerMethodField()
    thread = ThreadSerializer(
        help_text="The conversation around the content (same platform, your policies only)."
    )

    def get_has_image(self, detail) -> bool:
        return bool(detail["content"].item.image)

    def get_blurred_thumbnail_url(self, detail) -> str | None:
        return _blurred_url(detail["content"])

    def get_image_url(self, detail) -> str | None:
        content = detail["content"]
        if not content.item.image:
            return None
        return reverse("moderation-content-image", kwargs={"content_id": content.pk})

    @extend_schema_field(serializers.DictField(child=serializers.FloatField()))
    def get_scores(self, detail) -> dict:
        return {row["category"]: row["score"] for row in detail["category_scores"]}

    def get_user_report_count(self, detail) -> int:
        return len(detail["reports"])

    @extend_schema_field(ModelSuggestionSerializer(allow_null=True))
    def get_model(self, detail) -> dict | None:
        return detail["suggestion"] or None

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_appeals(self, detail) -> list:
        return [
            {"id": a.pk, "state": a.state, "statement": a.statement, "created_at": a.created_at}
            for a in detail["appeals"]
        ]


class ReviewNextOutputSerializer(serializers.Serializer):
    content = ContentDetailSerializer(allow_null=True)


class LeaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    leased_by = serializers.CharField(source="leased_by.username", allow_null=True)
    lease_expires_at = serializers.DateTimeField(allow_null=True)
