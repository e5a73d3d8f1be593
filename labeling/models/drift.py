from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from models_app.ml.drift import DriftThresholds

_DEFAULTS = DriftThresholds()


class DriftSettings(models.Model):
    """A project's drift thresholds and what an alarm does. Absent: the defaults apply (a row is
    written the first time a manager changes them)."""

    project = models.OneToOneField(
        "labeling.Project", on_delete=models.CASCADE, related_name="drift_settings"
    )
    # An alarm when a measure is strictly above its threshold.
    score_psi_threshold = models.FloatField(
        default=_DEFAULTS.score_psi, validators=[MinValueValidator(0.0), MaxValueValidator(100.0)]
    )
    label_mix_psi_threshold = models.FloatField(
        default=_DEFAULTS.label_mix_psi,
        validators=[MinValueValidator(0.0), MaxValueValidator(100.0)],
    )
    domain_auc_threshold = models.FloatField(
        default=_DEFAULTS.domain_auc, validators=[MinValueValidator(0.5), MaxValueValidator(1.0)]
    )
    overturn_share_threshold = models.FloatField(
        default=_DEFAULTS.overturn_share,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    # Smaller windows are measured but raise no alarm; the overturn share needs this many
    # decisions with a model proposal.
    min_window_items = models.PositiveIntegerField(
        default=_DEFAULTS.min_items, validators=[MinValueValidator(20), MaxValueValidator(100_000)]
    )
    min_decisions = models.PositiveIntegerField(
        default=_DEFAULTS.min_decisions,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
    )
    # A window closes at the end of its day, or sooner once it holds this many items, so a
    # burst of shifted content is caught within one window of at most this many items.
    window_max_items = models.PositiveIntegerField(
        default=500, validators=[MinValueValidator(50), MaxValueValidator(100_000)]
    )
    window_hours = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 31)]
    )
    # What an alarm does besides the audit event and the banner.
    retrain_on_alarm = models.BooleanField(default=False)
    # A signed ``drift.alarm`` webhook to the endpoints of the platforms granted the policies
    # linked to this project (moderation's webhook outbox).
    webhook_on_alarm = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"drift settings of project {self.project_id}"

    @property
    def thresholds(self) -> DriftThresholds:
        return DriftThresholds(
            score_psi=self.score_psi_threshold,
            label_mix_psi=self.label_mix_psi_threshold,
            domain_auc=self.domain_auc_threshold,
            overturn_share=self.overturn_share_threshold,
            min_items=self.min_window_items,
            min_decisions=self.min_decisions,
        )


class DriftWindow(models.Model):
    """One closed window of a project's new items (intake, imports) and its drift measures
    against the serving model's training snapshot. Windows follow each other without gaps:
    window n holds the items with ids after window n-1's last item, up to its own."""

    project = models.ForeignKey(
        "labeling.Project", on_delete=models.CASCADE, related_name="drift_windows"
    )
    number = models.PositiveIntegerField()  # 1, 2, 3… per project
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    # Item ids in the window: (after_item_id, last_item_id].
    after_item_id = models.BigIntegerField(default=0)
    last_item_id = models.BigIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    # "size": it reached the settings' window_max_items; "time": its day ended.
    closed_by = models.CharField(max_length=8)
    # The production model it was measured against (null: none served).
    model_version = models.ForeignKey(
        "models_app.ModelVersion", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    score_psi = models.FloatField(null=True, blank=True)
    label_mix_psi = models.FloatField(null=True, blank=True)
    label_mix_tv = models.FloatField(null=True, blank=True)
    domain_auc = models.FloatField(null=True, blank=True)
    overturn_share = models.FloatField(null=True, blank=True)
    decisions = models.PositiveIntegerField(default=0)
    # {class: share} of the window's predictions and of the reference's.
    label_mix = models.JSONField(default=dict, blank=True)
    reference_label_mix = models.JSONField(default=dict, blank=True)
    reference_items = models.PositiveIntegerField(default=0)
    # The thresholds it was judged by, and the measures above them.
    thresholds = models.JSONField(default=dict, blank=True)
    alarms = models.JSONField(default=list, blank=True)
    # Why a measure is missing (no model, too few items, vectors that could not be made).
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="drift_window_number_unique")
        ]

    def __str__(self) -> str:
        return f"drift window {self.number} of project {self.project_id}"
