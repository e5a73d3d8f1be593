from django.conf import settings
from django.db import models

from labeling.choices import JobState
from moderation.choices import RuleAction, RuleStatus


class TextBank(models.Model):
    """A policy's named list of terms and RE2 patterns (``moderation.ruleset.banks``): a
    signal rules read ("the text hits the bank")."""

    policy = models.ForeignKey(
        "moderation.Policy", on_delete=models.CASCADE, related_name="text_banks"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    terms = models.JSONField(default=list, blank=True)
    patterns = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "name"], name="text_bank_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """A condition over a content's signals (``moderation.ruleset.conditions``) and what to
    do when it holds. Draft rules are not evaluated; background rules are evaluated and their
    hits logged, never acted on; live rules act; expired ones (status, or ``expires_at``
    passed) are no longer evaluated."""

    policy = models.ForeignKey("moderation.Policy", on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    condition = models.JSONField()
    action = models.CharField(max_length=16, choices=RuleAction.choices)
    # The category a hit is filed under (and a removal is for); None: the content's own.
    category = models.ForeignKey(
        "moderation.PolicyCategory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # "strike": the points each hit gives the content's author (1..100); null otherwise.
    strike_points = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Order of evaluation: when live rules disagree, the first in this order names the category.
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "name"], name="rule_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RuleHitLog(models.Model):
    """One rule holding for one content: the figures of background rules come from these,
    and a live rule's action can be traced back to them."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="hits")
    content = models.ForeignKey(
        "moderation.Content", on_delete=models.CASCADE, related_name="rule_hits"
    )
    # The rule's status when it hit (background hits never act) and whether it acted.
    status = models.CharField(max_length=16, choices=RuleStatus.choices)
    acted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["rule", "-id"], name="rule_hit_rule_recent")]
        constraints = [
            models.UniqueConstraint(fields=["rule", "content"], name="rule_hit_once"),
        ]

    def __str__(self) -> str:
        return f"rule {self.rule_id} hit content {self.content_id}"


class RuleBacktest(models.Model):
    """A condition run over a policy's stored content of a period, as a job: what it would have
    hit, how people decided those contents, and how much it overlaps the live rules."""

    policy = models.ForeignKey(
        "moderation.Policy", on_delete=models.CASCADE, related_name="rule_backtests"
    )
    # The rule it was asked for (None: a condition not saved as a rule); the condition is kept
    # as it was, so later edits of the rule do not change what this backtest means.
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="backtests"
    )
    condition = models.JSONField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # {"hits", "human_removed", "human_allowed", "automatic", "pending", "precision",
    #  "sample": [content ids], "overlap": [{"rule", "name", "both"}]}
    results = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"backtest {self.pk} of policy {self.policy_id}"
