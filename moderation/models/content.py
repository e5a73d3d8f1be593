from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from moderation.choices import ContentState, ReportSource, ReviewTier


class Author(models.Model):
    """Who posted content on a platform (the platform's own id). Their record (strikes and the
    actions taken on them) is in ``Strike`` and ``AuthorSanction`` rows: live points and the
    current action are computed from those with the clock (``moderation.selectors.strikes``)."""

    platform = models.ForeignKey(
        "moderation.Platform", on_delete=models.CASCADE, related_name="authors", db_index=False
    )
    external_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="author_unique_external_id"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class Content(models.Model):
    """One piece of a platform's content under a policy, and where it stands."""

    platform = models.ForeignKey(
        "moderation.Platform", on_delete=models.CASCADE, related_name="contents", db_index=False
    )
    policy = models.ForeignKey(
        "moderation.Policy", on_delete=models.PROTECT, related_name="contents"
    )
    external_id = models.CharField(max_length=255)
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="contents"
    )
    # The labeling item holding the text / image: the content is labeled data.
    item = models.OneToOneField(
        "labeling.Item", on_delete=models.PROTECT, related_name="moderation_content"
    )
    # Server-side blurred thumbnail of an image, shown until a moderator reveals it.
    blurred_thumbnail = models.FileField(
        upload_to="blurred/", max_length=255, null=True, blank=True
    )
    # The platform's external id of the content this one answers (a thread, a conversation):
    # looked up only among the same platform's content.
    parent_external_id = models.CharField(max_length=255, blank=True, default="")
    # URL, language, audience, … as the platform sent them.
    context = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=16, choices=ContentState.choices, default=ContentState.PENDING
    )
    tier = models.CharField(max_length=16, choices=ReviewTier.choices, default=ReviewTier.STANDARD)
    # The model's view at intake: probability per category name, the top category, the version.
    scores = models.JSONField(default=dict, blank=True)
    top_category = models.ForeignKey(
        "moderation.PolicyCategory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    model_score = models.FloatField(null=True, blank=True)
    model_version = models.ForeignKey(
        "models_app.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # How the intake answered: decided by the model (automatic) or left to people.
    decided_automatically = models.BooleanField(default=False)
    # Aggregated flags: distinct reporters (each counted once) and whether a hash matched.
    report_count = models.PositiveIntegerField(default=0)
    hash_match = models.BooleanField(default=False)
    # The review queue: higher first (severity * score * reports * age), deadline per policy.
    priority = models.FloatField(default=0.0)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    leased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Full-text search (PostgreSQL): the item's words, written at intake
    # (``moderation.services.search_index``), GIN-indexed by a migration. On SQLite the column
    # stays empty and an FTS5 table (``moderation_content_fts``, rowid = content id) holds them.
    search_document = SearchVectorField(null=True, blank=True, editable=False)

    # Not a column: the caller's role, set by the selectors that check access.
    caller_role: str

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="content_unique_external_id"
            ),
        ]
        indexes = [
            # The review queue: open content of a tier, highest priority first.
            models.Index(
                fields=["tier", "-priority", "id"],
                condition=Q(state__in=[ContentState.PENDING, ContentState.ESCALATED]),
                name="content_review_idx",
            ),
            models.Index(fields=["author", "-created_at"], name="content_author_idx"),
            # Search results, newest first, paged by (created_at, id); date ranges.
            models.Index(fields=["-created_at", "-id"], name="content_created_idx"),
            # The thread around a content: its replies (siblings share a parent).
            models.Index(
                fields=["platform", "parent_external_id", "created_at"],
                condition=~Q(parent_external_id=""),
                name="content_thread_idx",
            ),
            # Queue depth and SLA risk per policy and tier (/metrics, every scrape): counted on
            # this index alone, over open content only.
            models.Index(
                fields=["policy", "tier", "sla_due_at"],
                condition=Q(state__in=[ContentState.PENDING, ContentState.ESCALATED]),
                name="content_open_sla_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class Report(models.Model):
    """A flag on content: from a user, a rule, the model or a hash match."""

    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="reports")
    source = models.CharField(max_length=8, choices=ReportSource.choices)
    # The platform's reporter id (users), the rule, or "model" / the hash entry id.
    reporter = models.CharField(max_length=255)
    reason = models.CharField(max_length=500, blank=True, default="")
    category = models.ForeignKey(
        "moderation.PolicyCategory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # The same reporter flagging twice counts once.
            models.UniqueConstraint(
                fields=["content", "source", "reporter"], name="report_unique_reporter"
            ),
        ]
        indexes = [
            # Search by reporter: everything one platform user reported.
            models.Index(fields=["reporter", "content"], name="report_reporter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.reporter} on {self.content_id}"
