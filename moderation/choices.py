from django.db import models


class AutomationLevel(models.TextChoices):
    """How much a policy category lets the model decide on its own."""

    HUMAN_ONLY = "human_only", "Human only (no model)"
    SHADOW = "shadow", "Shadow (model scores logged, people decide)"
    ASSIST = "assist", "Assist (model suggestion shown to moderators)"
    PARTIAL = "partial", "Partial (automatic outside the uncertain band)"
    FULL = "full", "Full (the model decides)"


# Levels where the model's score may order the review queue and be shown to moderators.
SCORE_USED_LEVELS = frozenset(
    {AutomationLevel.ASSIST, AutomationLevel.PARTIAL, AutomationLevel.FULL}
)


class ContentState(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    REMOVED = "removed", "Removed"
    PENDING = "pending", "Pending review"
    ESCALATED = "escalated", "Escalated to senior review"


class ReviewTier(models.TextChoices):
    STANDARD = "standard", "Moderators"
    SENIOR = "senior", "Senior moderators"


class DecisionAction(models.TextChoices):
    APPROVE = "approve", "Approve (allow)"
    REMOVE = "remove", "Remove"
    ESCALATE = "escalate", "Escalate to senior review"


class AuthorAction(models.TextChoices):
    NONE = "none", "None"
    WARN = "warn", "Warn"
    SUSPEND = "suspend", "Suspend for a period"


class ReportSource(models.TextChoices):
    USER = "user", "A platform user"
    RULE = "rule", "A keyword / regex rule"
    MODEL = "model", "The model"
    HASH = "hash", "A hash-bank match"


class HashKind(models.TextChoices):
    SHA256 = "sha256", "SHA-256 (exact bytes / text)"
    PHASH = "phash", "Perceptual hash of an image (64-bit pHash)"


class AppealState(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld (decision stands)"
    OVERTURNED = "overturned", "Overturned (decision reversed)"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up after retries)"


class SanctionKind(models.TextChoices):
    """What is done to an author: by a strike threshold or a moderator's decision."""

    WARN = "warn", "Warn"
    SUSPEND = "suspend", "Suspend for a number of days"
    BAN = "ban", "Ban"


# Stronger first: the author's current action is the strongest one in force.
SANCTION_STRENGTH: dict[str, int] = {
    SanctionKind.WARN: 1,
    SanctionKind.SUSPEND: 2,
    SanctionKind.BAN: 3,
}


class SanctionSource(models.TextChoices):
    THRESHOLD = "threshold", "The author's live strike points reached a threshold"
    DECISION = "decision", "A moderator's decision"


class RuleStatus(models.TextChoices):
    """Where a rule stands: only live rules act; background rules are evaluated and logged."""

    DRAFT = "draft", "Draft (not evaluated)"
    BACKGROUND = "background", "Background (evaluated and logged, never acts)"
    LIVE = "live", "Live (acts)"
    EXPIRED = "expired", "Expired (no longer evaluated)"


class RuleAction(models.TextChoices):
    """What a live rule does to the content it hits (at intake)."""

    REMOVE = "remove", "Remove"
    ALLOW = "allow", "Allow"
    ESCALATE = "escalate", "Escalate to senior review"
    REVIEW = "review", "Send to people for review"
    # Side actions: they leave the verdict to the other rules and the model.
    STRIKE = "strike", "Add strike points to the author"
    NOTIFY = "notify", "Notify the platform (rule.notify webhook)"


# Actions that do something beside the verdict (never decide the content's state).
RULE_SIDE_ACTIONS = frozenset({RuleAction.STRIKE, RuleAction.NOTIFY})


class BlurStrength(models.TextChoices):
    """How much the review panel blurs images (on top of the server's blurred thumbnail, and
    over a revealed image until the pointer rests on it)."""

    NONE = "none", "None"
    LIGHT = "light", "Light"
    STRONG = "strong", "Strong"


class RevealKind(models.TextChoices):
    IMAGE = "image", "The full image"
    TEXT = "text", "The text of flagged terms"


class BreakAction(models.TextChoices):
    DISMISSED = "dismissed", "Reminder dismissed"
    BREAK = "break", "Took a break"


class BulkActionKind(models.TextChoices):
    """What a bulk action does to each content of a search result or a selection."""

    REMOVE = "remove", "Remove"
    APPROVE = "approve", "Approve (allow)"
    REQUEUE = "requeue", "Send back to the review queue"
    HASH_BANK = "hash_bank", "Add to a hash bank"
    TEXT_BANK = "text_bank", "Add the text to a text bank"


class BulkItemOutcome(models.TextChoices):
    """How one content of a bulk action came out (each in its own transaction)."""

    PENDING = "pending", "Not processed yet"
    DONE = "done", "Done"
    UNCHANGED = "unchanged", "Already so: nothing to do"
    FAILED = "failed", "Failed (left as it was)"


class QualityTaskKind(models.TextChoices):
    GOLD = "gold", "Gold item (known correct decision)"
    DOUBLE = "double", "Independent second review"
