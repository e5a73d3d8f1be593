from django.conf import settings
from django.db import models

from labeling.choices import DatasetFormat, JobState


class DatasetSnapshot(models.Model):
    """An immutable, numbered dataset version of a project: which items, the resolved label of
    each, its split and its provenance, frozen in one stored Parquet file (``file``, private)
    when the snapshot is cut. Every export format is written from that file, so an export of
    the same snapshot is byte-identical however the project's labels change afterwards.

    The stored file's columns are ``labeling.services.datasets.schema.SNAPSHOT_SCHEMA``.
    """

    project = models.ForeignKey(
        "labeling.Project", on_delete=models.CASCADE, related_name="dataset_snapshots"
    )
    # 1, 2, 3… per project, in the order snapshots are cut.
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The training job that cut it (every training run trains on a snapshot), when one did.
    # models_app knows nothing of labeling: the job is referenced by id, not by foreign key.
    training_job_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The filters it was cut with, as validated (label sources, splits, classes, labeled only,
    # date range, metadata values) and the label rule ("gold > majority > latest").
    filters = models.JSONField(default=dict, blank=True)
    label_rule = models.CharField(max_length=64, blank=True, default="")
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    task_id = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")
    # Counts once cut: items, labeled, per split, per class, per label source, automatic ones.
    counts = models.JSONField(default=dict, blank=True)
    # SHA-256 over (item id, split, labels) in item order: equal content, equal hash.
    content_hash = models.CharField(max_length=64, blank=True, default="")
    # The stored snapshot file (Parquet) and its SHA-256.
    file = models.FileField(upload_to="snapshots/", max_length=255, blank=True, default="")
    file_sha256 = models.CharField(max_length=64, blank=True, default="")
    # The manifest (snapshot id, project, filters, label rule, counts, files with SHA-256,
    # Tandem version, creating user) as written when it was cut; SHA-256 of its canonical JSON.
    manifest = models.JSONField(default=dict, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="dataset_snapshot_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"snapshot {self.number} of project {self.project_id}"


class DatasetExport(models.Model):
    """One format of a snapshot, written by a Celery job from the snapshot's stored file into
    one private file (a single file, or a zip for formats of several files). Written once per
    (snapshot, format); downloading again serves the same bytes."""

    snapshot = models.ForeignKey(
        "labeling.DatasetSnapshot", on_delete=models.CASCADE, related_name="exports"
    )
    format = models.CharField(max_length=16, choices=DatasetFormat.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    task_id = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")
    file = models.FileField(upload_to="snapshot-exports/", max_length=255, blank=True, default="")
    file_name = models.CharField(max_length=255, blank=True, default="")
    size_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    # {path inside the export: SHA-256} of every file it holds (the export's manifest.json).
    files = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["snapshot_id", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "format"], name="dataset_export_format_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.format} export of snapshot {self.snapshot_id}"
