from django.conf import settings
from django.db import models

from labeling.choices import ImportFormat, ImportStatus


class ImportJob(models.Model):
    """An uploaded file and the progress of bringing its rows in as items."""

    MAX_STORED_ERRORS = 1000

    project = models.ForeignKey(
        "labeling.Project", on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="imports/", max_length=255)
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=16, choices=ImportFormat.choices)
    # Column names (text_column, label_column, id_column) and the CSV delimiter, when given.
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    task_id = models.CharField(max_length=64, blank=True, default="")
    # Runs started, counted (and committed) as each starts: a run whose worker was killed
    # leaves its count behind. Past TANDEM_TASK_MAX_ATTEMPTS the job fails instead of running.
    attempts = models.PositiveSmallIntegerField(default=0)
    total_bytes = models.BigIntegerField(default=0)
    processed_bytes = models.BigIntegerField(default=0)
    rows_seen = models.PositiveIntegerField(default=0)
    items_created = models.PositiveIntegerField(default=0)
    items_existing = models.PositiveIntegerField(default=0)
    # Rows without an id whose text (or image) repeats an earlier row of the same file.
    duplicate_rows = models.PositiveIntegerField(default=0)
    annotations_created = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # Up to MAX_STORED_ERRORS entries of {"line": int, "message": str}.
    errors = models.JSONField(default=list, blank=True)
    unknown_labels = models.JSONField(default=list, blank=True)
    # What rows held that was not imported, by reason, with counts (cancelled annotations,
    # tasks without annotations, ignored or rejected answers, unmapped result types…).
    skipped = models.JSONField(default=dict, blank=True, db_default={})
    error_message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.original_name}"

    @property
    def progress(self) -> float:
        if self.status == ImportStatus.SUCCEEDED:
            return 1.0
        if not self.total_bytes:
            return 0.0
        return min(1.0, self.processed_bytes / self.total_bytes)
