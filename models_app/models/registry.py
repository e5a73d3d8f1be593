from django.conf import settings
from django.db import models
from django.db.models import Q

from models_app.choices import ModelVersionStatus, Stage


def artifact_path(instance: "ModelVersion", filename: str) -> str:
    """``models/<owner>/<random>.npz``: served only through the owner's API, never by name."""
    from core.files import random_name

    return random_name(f"models/{artifact_folder(instance.owner)}", "npz")


def artifact_folder(owner: str) -> str:
    """The owner's folder under ``models/`` (an owner key such as ``labeling.project:3``)."""
    return "".join(ch if ch.isalnum() or ch in "._" else "-" for ch in owner) or "-"


class ModelVersion(models.Model):
    """A trained classifier in the registry, with how it was made and how well it did."""

    owner = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    algorithm = models.CharField(max_length=64)
    embedder = models.CharField(max_length=64)
    # The training snapshot: which labeled objects fed it, and a hash of (id, labels) pairs.
    snapshot_id = models.CharField(max_length=64)
    snapshot_hash = models.CharField(max_length=64)
    # Human labels the model was trained on: the x axis of the learning curve.
    label_count = models.PositiveIntegerField(default=0)
    hyperparameters = models.JSONField(default=dict, blank=True)
    # Held-out metrics (roc_auc, f1_per_class, confusion_matrix, ece, label_counts, ...).
    metrics = models.JSONField(default=dict, blank=True)
    # The held-out items it was measured on: {"object_ids": [...], "labels": [[...], ...]}, so a
    # later version can be compared with it on the same items (empty: not recorded). Large;
    # lists defer it.
    held_out = models.JSONField(default=dict, blank=True)
    # The full evaluation on those items (models_app.ml.evaluation.evaluation_report: per-class
    # scores, calibration, PR curves, operating points, slices, with intervals), written by the
    # training run and by evaluation jobs (empty: never evaluated). Large; lists defer it.
    evaluation = models.JSONField(default=dict, blank=True)
    # TrainedClassifier.to_bytes(): numpy .npz + JSON, read back with allow_pickle=False.
    artifact = models.FileField(upload_to=artifact_path, max_length=255)
    status = models.CharField(
        max_length=16, choices=ModelVersionStatus.choices, default=ModelVersionStatus.READY
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.CANDIDATE)
    # When it last became production: rollback returns to the most recent earlier one.
    promoted_at = models.DateTimeField(null=True, blank=True)
    # The training run's automatic decision: {"promoted", "reason", …} (empty: none made).
    promotion = models.JSONField(default=dict, blank=True)
    # Every stage change: [{"stage", "previous", "at", "by"}] (the name survives user deletion).
    stage_history = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "version"], name="model_version_unique"),
            # The serving model is never ambiguous, even if two promotions race.
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(stage=Stage.PRODUCTION),
                name="model_version_one_production",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} v{self.version} ({self.stage})"
