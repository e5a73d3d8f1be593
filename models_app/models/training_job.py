from django.conf import settings
from django.db import models
from django.db.models import Q

from models_app.choices import ACTIVE_JOB_STATUSES, JobKind, JobStatus, JobTrigger


class TrainingJob(models.Model):
    """One background run that embeds or trains for an owner, with visible progress."""

    owner = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=JobKind.choices, default=JobKind.TRAIN)
    trigger = models.CharField(max_length=16, choices=JobTrigger.choices)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    step = models.CharField(max_length=32, blank=True, default="")
    progress = models.FloatField(default=0.0)
    # What a person should know (why it waits, what it did); ``error`` only when it failed.
    message = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    # Figures the run produced: counts, the auto-label estimate, timings.
    result = models.JSONField(default=dict, blank=True)
    model_version = models.ForeignKey(
        "models_app.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_jobs",
    )
    # Another trigger arrived while this job ran: run once more when it ends.
    rerun_requested = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True, default="")
    # Runs started, counted (and committed) as each starts: a run whose worker was killed
    # leaves its count behind. Past TANDEM_TASK_MAX_ATTEMPTS the job fails instead of running.
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One queued or running job per owner and kind: later triggers coalesce into it.
            models.UniqueConstraint(
                fields=["owner", "kind"],
                condition=Q(status__in=ACTIVE_JOB_STATUSES),
                name="training_job_one_active",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "kind", "-created_at"], name="training_job_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} for {self.owner}: {self.status}"
