from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from labeling.choices import DataType, Role, SamplingStrategy, TaskType


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    data_type = models.CharField(max_length=16, choices=DataType.choices, default=DataType.TEXT)
    task_type = models.CharField(max_length=16, choices=TaskType.choices, default=TaskType.BINARY)
    # Markdown as written by the project admin, and its sanitised HTML rendering.
    guidelines = models.TextField(blank=True, default="")
    guidelines_html = models.TextField(blank=True, default="")
    annotations_per_item = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)]
    )
    # --- active learning -----------------------------------------------------------------
    sampling_strategy = models.CharField(
        max_length=16, choices=SamplingStrategy.choices, default=SamplingStrategy.ADAPTIVE
    )
    # An embedder name from models_app.ml.embedders.registry; blank = the default for the data type.
    embedder = models.CharField(max_length=32, blank=True, default="")
    # Retrain after this many new human labels; 0 = only by hand or by schedule.
    retrain_every = models.PositiveIntegerField(default=50)
    # Until two classes have this many labels, the queue orders items by diversity (cold start).
    min_labels_per_class = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1)]
    )
    # The few-shot model (text projects): each training run also fine-tunes the packaged
    # MiniLM on pairs of the labels within this many seconds, and keeps it instead of the
    # logistic regression only when it scores a higher held-out ROC AUC. At most 20 minutes:
    # the run also re-embeds the project when it wins, within the tasks' one-hour limit.
    few_shot_enabled = models.BooleanField(default=False)
    few_shot_budget_seconds = models.PositiveIntegerField(
        default=180, validators=[MinValueValidator(30), MaxValueValidator(1200)]
    )
    # --- auto-labeling --------------------------------------------------------------------
    auto_label_enabled = models.BooleanField(default=False)
    auto_label_target_precision = models.FloatField(
        default=0.95, validators=[MinValueValidator(0.5), MaxValueValidator(0.999)]
    )
    # Share of the pool drawn uniformly at random for people to label: the precision audit.
    audit_rate = models.FloatField(
        default=0.05, validators=[MinValueValidator(0.0), MaxValueValidator(0.5)]
    )
    train_on_auto_labels = models.BooleanField(default=False)
    # --- model lifecycle --------------------------------------------------------------------
    # New versions go to shadow (scored, not serving) instead of replacing production; people
    # promote them to canary and production. Moderation turns this on for linked projects.
    new_versions_start_in_shadow = models.BooleanField(default=False)
    # --- evaluation -------------------------------------------------------------------------
    # Item metadata fields (and built-in ``text_length``) each version is evaluated per value of.
    slice_fields = models.JSONField(default=list, blank=True)
    # Suspect labels sent for a second opinion and not answered yet: a hint read with the
    # project on the queue's hot path, so the queue looks for them only when some may wait
    # (``labeling.services.suspect_reviews``). Never below the truth; put right when stale.
    second_opinions_waiting = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: the caller's role, set by the selectors that check access.
    caller_role: str
    # Not a column: what is happening now (labeling.selectors.project_status), set by the list.
    current_status: dict[str, Any]
    # Not a column: the label class names, when the access-checking selector read them with the
    # project (labeling.selectors.projects.project_label_class_names).
    _label_class_names: list[str] | None = None

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_key(self) -> str:
        """How models_app names this project's embeddings, jobs and model versions."""
        return f"labeling.project:{self.pk}"


LABEL_CLASS_DESCRIPTION_MAX_CHARS = 2_000

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Colour must look like #1f77b4.")


class LabelClass(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="label_classes")
    name = models.CharField(max_length=100)
    colour = models.CharField(max_length=7, default="#4c78a8", validators=[hex_colour])
    hotkey = models.CharField(max_length=1, blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)
    # What the class means, in plain words (shown as text, never as HTML). Also what zero-shot
    # proposals compare items with before any model exists (labeling.services.zero_shot).
    description = models.TextField(
        blank=True, default="", db_default="", max_length=LABEL_CLASS_DESCRIPTION_MAX_CHARS
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="label_class_unique_name"),
            models.UniqueConstraint(
                fields=["project", "hotkey"],
                condition=~Q(hotkey=""),
                name="label_class_unique_hotkey",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectMembership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} as {self.role}"
