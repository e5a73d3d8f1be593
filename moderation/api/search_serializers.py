"""Shapes of investigation: search, its result rows, and bulk actions."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import StrictDateTimeField
from moderation.api.review_serializers import _blurred_url
from moderation.choices import AppealState, BulkActionKind, ContentState, DecisionAction
from moderation.models import BulkAction, Content
from moderation.selectors.search import (
    DECISION_FILTERS,
    MAX_QUERY_CHARS,
    PAGE_DEFAULT,
    PAGE_MAX,
    SearchFilters,
)
from moderation.services.bulk_actions import MAX_CONTENTS

ID_MAX = 2**63 - 1
TEXT_PREVIEW_CHARS = 500


def _id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


class SearchFiltersSerializer(serializers.Serializer):
    """The filters of a search (query string of ``search/``, ``filters`` of a bulk action)."""

    q = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_QUERY_CHARS,
        trim_whitespace=False,
        help_text='Words to find (all of them); "a phrase", or, -word. Blank: every content.',
    )  # fmt: skip
    policy = _id(required=False)
    category = _id(required=False, help_text="The content's top category.")
    state = serializers.ChoiceField(choices=ContentState.choices, required=False)
    decision = serializers.ChoiceField(
        choices=[(d, d) for d in DECISION_FILTERS], required=False,
        help_text="The current decision's action; none: never decided.",
    )  # fmt: skip
    rule = _id(required=False, help_text="Contents this rule hit (background or live).")
    author = _id(required=False)
    reporter = serializers.CharField(
        required=False, max_length=255, help_text="A reporter id (as the platform sent it)."
    )
    created_from = StrictDateTimeField(required=False)
    created_to = StrictDateTimeField(required=False)
    score_min = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    score_max = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)

    def to_filters(self) -> tuple[str, SearchFilters]:
        d = self.validated_data
        return d.get("q", ""), SearchFilters(
            policy_id=d.get("policy"), category_id=d.get("category"), state=d.get("state"),
            decision=d.get("decision"), rule_id=d.get("rule"), author_id=d.get("author"),
            reporter=d.get("reporter"), created_from=d.get("created_from"),
            created_to=d.get("created_to"), score_min=d.get("score_min"),
            score_max=d.get("score_max"),
        )  # fmt: skip


class SearchQuerySerializer(SearchFiltersSerializer):
    cursor = serializers.CharField(required=False, max_length=100)
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT
    )


class SearchRowSerializer(serializers.ModelSerializer):
    policy_name = serializers.CharField(source="policy.name")
    category = serializers.CharField(source="top_category.name", default=None, allow_null=True)
    text = serializers.SerializerMethodField()
    has_image = serializers.SerializerMethodField()
    blurred_thumbnail_url = serializers.SerializerMethodField()
    author_id = serializers.IntegerField(allow_null=True)
    author_external_id = serializers.CharField(
        source="author.external_id", default=None, allow_null=True
    )
    # Declared: a PositiveIntegerField's schema maximum depends on the database.
    report_count = serializers.IntegerField(read_only=True)
    decision_action = serializers.ChoiceField(
        choices=DecisionAction.choices, allow_null=True, read_only=True,
        help_text="The current decision (final, or an escalation); null: none yet.",
    )  # fmt: skip
    decision_automated = serializers.BooleanField(allow_null=True, read_only=True)
    decision_by = serializers.CharField(allow_null=True, read_only=True)
    appeal_state = serializers.ChoiceField(
        choices=AppealState.choices, allow_null=True, read_only=True
    )

    class Meta:
        model = Content
        fields = [
            "id", "external_id", "policy", "policy_name", "category", "state", "tier", "text",
            "has_image", "blurred_thumbnail_url", "author_id", "author_external_id",
            "model_score", "report_count", "decision_action", "decision_automated",
            "decision_by", "appeal_state", "created_at", "decided_at",
        ]  # fmt: skip

    def get_text(self, content: Content) -> str:
        return (content.item.text or "")[:TEXT_PREVIEW_CHARS]

    def get_has_image(self, content: Content) -> bool:
        return bool(content.item.image)

    def get_blurred_thumbnail_url(self, content: Content) -> str | None:
        return _blurred_url(content)


class SearchPageSerializer(serializers.Serializer):
    results = SearchRowSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    total = serializers.IntegerField(help_text="Matching contents, counted up to the cap.")
    total_capped = serializers.BooleanField(
        help_text="More match than the cap (what one bulk action may cover)."
    )
    cap = serializers.IntegerField()


class BulkActionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BulkActionKind.choices)
    content_ids = serializers.ListField(
        child=_id(), required=False, allow_null=True, max_length=MAX_CONTENTS,
        help_text="A selection; without it, every content the filters find.",
    )  # fmt: skip
    filters = SearchFiltersSerializer(required=False)
    expected_count = serializers.IntegerField(
        min_value=0, max_value=ID_MAX,
        help_text="The count the page showed and the person confirmed; another count is "
        "refused (400) and nothing is done.",
    )  # fmt: skip
    reason_code = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=50,
        help_text="For remove / approve: a reason code every policy covered defines.",
    )  # fmt: skip
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    hash_category = _id(required=False, allow_null=True, help_text="For hash_bank.")
    text_bank = _id(required=False, allow_null=True, help_text="For text_bank.")


class BulkFailureSerializer(serializers.Serializer):
    content = serializers.IntegerField()
    message = serializers.CharField()


class BulkActionSerializer(serializers.ModelSerializer):
    # Declared: a PositiveIntegerField's schema maximum depends on the database.
    total = serializers.IntegerField(read_only=True)
    done_count = serializers.IntegerField(read_only=True)
    unchanged_count = serializers.IntegerField(read_only=True)
    failed_count = serializers.IntegerField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    hash_category = serializers.IntegerField(
        source="hash_category_id", allow_null=True, read_only=True
    )
    text_bank = serializers.IntegerField(source="text_bank_id", allow_null=True, read_only=True)
    failures = serializers.SerializerMethodField()

    class Meta:
        model = BulkAction
        fields = [
            "id", "kind", "selection", "reason_code", "note", "hash_category", "text_bank",
            "state", "attempts", "total", "done_count", "unchanged_count", "failed_count",
            "error_message", "created_by_name", "created_at", "started_at", "finished_at",
            "failures",
        ]  # fmt: skip

    @extend_schema_field(BulkFailureSerializer(many=True))
    def get_failures(self, bulk: BulkAction) -> list[dict[str, object]]:
        """Up to 20 failed contents and why."""
        from moderation.choices import BulkItemOutcome

        rows = bulk.items.filter(outcome=BulkItemOutcome.FAILED).values("content_id", "message")[
            :20
        ]
        return [{"content": r["content_id"], "message": r["message"]} for r in rows]
