from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from moderation.choices import AutomationLevel, DecisionAction


class Policy(models.Model):
    """What a platform's content is checked against, and how much the model may decide.

    Linked to one labeling project: every content gets an Item there, the project's production
    model scores it, and final decisions become its labels.
    """

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True, default="")
    project = models.ForeignKey(
        "labeling.Project", on_delete=models.PROTECT, related_name="policies"
    )
    automation_level = models.CharField(
        max_length=16, choices=AutomationLevel.choices, default=AutomationLevel.HUMAN_ONLY
    )
    # Share of intake scored by the canary model version (when one exists), 0-1.
    canary_share = models.FloatField(
        default=0.1, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    # Days a strike under this policy counts towards the author's live points; 0: forever.
    strike_ttl_days = models.PositiveIntegerField(default=90)
    # Actions on live points, by points: [{"points": 3, "action": "warn"},
    # {"points": 6, "action": "suspend", "suspend_days": 7}, {"points": 10, "action": "ban"}].
    strike_thresholds = models.JSONField(default=list, blank=True)
    # Open content due within this many minutes (or overdue) is "SLA at risk" in its queue.
    sla_warning_minutes = models.PositiveIntegerField(default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by every change to the policy's rules or text banks: compiled rules are rebuilt then.
    rules_changed_at = models.DateTimeField(null=True, blank=True)

    # Not a column: the caller's role, set by the selectors that check access.
    caller_role: str

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.name


class PolicyCategory(models.Model):
    """A kind of violation (spam, harassment, …): one label class of the linked project."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    # The label class (by name) of the policy's project that means this violation.
    label_class = models.CharField(max_length=100)
    severity = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # Partial / full automation: remove at or above, allow at or below (model probability).
    remove_threshold = models.FloatField(
        default=0.97, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    allow_threshold = models.FloatField(
        default=0.05, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    # Hours from intake to the review deadline.
    sla_hours = models.PositiveIntegerField(default=24)
    # Keyword / regex rules that flag content for this category: ["regex", ...].
    rules = models.JSONField(default=list, blank=True)
    # Strike points of a removal in this category; null: the category's severity.
    strike_points = models.PositiveSmallIntegerField(null=True, blank=True)
    # Violent, gory or sexual imagery and the like: revealing such content counts towards the
    # moderator's daily exposure, and time on it towards their break reminders.
    graphic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-severity", "name"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "name"], name="category_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.name}"


class ReasonCode(models.Model):
    """Why a decision was made, as the policy words it (e.g. SPAM-1 "Unsolicited ads")."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="reason_codes")
    category = models.ForeignKey(
        PolicyCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=32)
    description = models.CharField(max_length=500)
    # Which decision this reason supports: a removal reason cannot justify an approval.
    action = models.CharField(
        max_length=16, choices=DecisionAction.choices, default=DecisionAction.REMOVE
    )
    # Where the policy lists it. Moderators press digit keys by this order, so it is the order
    # the policy's editor gave, never re-sorted by code.
    position = models.PositiveIntegerField(default=0)
    # Strike points of a removal for this reason; null: its category's (see PolicyCategory).
    strike_points = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="reason_unique_code"),
        ]

    def __str__(self) -> str:
        return self.code


class PolicyGrant(models.Model):
    """A platform may use a policy: send content under it, and report, appeal and read the
    status of that content. Without a grant the policy does not exist for the platform's keys."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="grants")
    platform = models.ForeignKey(
        "moderation.Platform", on_delete=models.CASCADE, related_name="policy_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "platform"], name="policy_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} → {self.platform}"
