from rest_framework import serializers

from core.fields import StrictDateTimeField
from moderation.choices import RuleAction, RuleStatus
from moderation.models import Rule, RuleBacktest, TextBank
from moderation.ruleset.banks import MAX_PATTERN_CHARS, MAX_PATTERNS, MAX_TERM_CHARS, MAX_TERMS
from moderation.services.rule_admin import MAX_RULE_STRIKE_POINTS


class RuleOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    hits = serializers.IntegerField(source="hit_count", read_only=True, default=0)
    acted = serializers.IntegerField(source="acted_count", read_only=True, default=0)
    human_removed = serializers.IntegerField(read_only=True, default=0)
    human_allowed = serializers.IntegerField(read_only=True, default=0)
    precision = serializers.SerializerMethodField()
    # Declared: the model field's range would depend on the database.
    position = serializers.IntegerField(read_only=True)
    strike_points = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Rule
        fields = [
            "id", "name", "description", "condition", "action", "strike_points", "category",
            "status",
            "expires_at", "position", "created_at", "updated_at", "hits", "acted",
            "human_removed", "human_allowed", "precision",
        ]  # fmt: skip

    def get_precision(self, rule) -> float | None:
        """Of the hit contents people decided, the share they removed (None: none decided)."""
        removed = getattr(rule, "human_removed", 0) or 0
        decided = removed + (getattr(rule, "human_allowed", 0) or 0)
        return removed / decided if decided else None


class RuleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    condition = serializers.JSONField(
        help_text="Conditions over signals with all / any / not (moderation.ruleset.conditions)."
    )
    action = serializers.ChoiceField(choices=RuleAction.choices)
    strike_points = serializers.IntegerField(
        min_value=1,
        max_value=MAX_RULE_STRIKE_POINTS,
        required=False,
        allow_null=True,
        help_text="Points each hit gives the author: required for the strike action (1-100), "
        "none for the others.",
    )
    category = serializers.CharField(max_length=100, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    expires_at = StrictDateTimeField(required=False, allow_null=True)
    position = serializers.IntegerField(min_value=0, max_value=100_000, required=False)


class RuleUpdateInputSerializer(RuleInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    condition = serializers.JSONField(required=False)
    action = serializers.ChoiceField(choices=RuleAction.choices, required=False)
    status = serializers.ChoiceField(choices=RuleStatus.choices, required=False)


class TextBankOutputSerializer(serializers.ModelSerializer):
    terms = serializers.ListField(child=serializers.CharField(), read_only=True)
    patterns = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = TextBank
        fields = ["id", "name", "description", "terms", "patterns", "created_at", "updated_at"]


class TextBankInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    terms = serializers.ListField(
        child=serializers.CharField(max_length=MAX_TERM_CHARS), max_length=MAX_TERMS,
        required=False, default=list,
    )  # fmt: skip
    patterns = serializers.ListField(
        child=serializers.CharField(max_length=MAX_PATTERN_CHARS), max_length=MAX_PATTERNS,
        required=False, default=list,
    )  # fmt: skip


class TextBankUpdateInputSerializer(TextBankInputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    terms = serializers.ListField(
        child=serializers.CharField(max_length=MAX_TERM_CHARS), max_length=MAX_TERMS,
        required=False,
    )  # fmt: skip
    patterns = serializers.ListField(
        child=serializers.CharField(max_length=MAX_PATTERN_CHARS), max_length=MAX_PATTERNS,
        required=False,
    )  # fmt: skip


class BacktestInputSerializer(serializers.Serializer):
    rule = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="A rule of the policy to backtest as it is saved now.",
    )  # fmt: skip
    condition = serializers.JSONField(
        required=False, help_text="A condition to backtest (a rule's draft); or give ``rule``."
    )
    period_start = StrictDateTimeField()
    period_end = StrictDateTimeField()


class BacktestOutputSerializer(serializers.ModelSerializer):
    rule = serializers.IntegerField(source="rule_id", allow_null=True, read_only=True)
    rows_total = serializers.IntegerField(read_only=True)
    rows_done = serializers.IntegerField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = RuleBacktest
        fields = [
            "id", "rule", "condition", "period_start", "period_end", "state", "attempts",
            "rows_total", "rows_done", "progress", "results", "error_message", "created_at",
            "started_at", "finished_at",
        ]  # fmt: skip

    def get_progress(self, backtest) -> float:
        if backtest.state == "succeeded":
            return 1.0
        return backtest.rows_done / backtest.rows_total if backtest.rows_total else 0.0
