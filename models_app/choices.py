from django.db import models


class Stage(models.TextChoices):
    """Where a model version is in its life: only ``production`` serves predictions."""

    CANDIDATE = "candidate", "Candidate"
    SHADOW = "shadow", "Shadow"
    CANARY = "canary", "Canary"
    PRODUCTION = "production", "Production"
    ARCHIVED = "archived", "Archived"


class ModelVersionStatus(models.TextChoices):
    READY = "ready", "Ready"
    # The artifact could not be read back (deleted from storage, corrupt): never served.
    BROKEN = "broken", "Broken"


class JobKind(models.TextChoices):
    TRAIN = "train", "Train"
    EMBED = "embed", "Embed"


class JobTrigger(models.TextChoices):
    LABELS = "labels", "New labels"
    MANUAL = "manual", "By hand"
    SCHEDULE = "schedule", "Schedule"
    MODERATION = "moderation", "Moderation decisions"
    IMPORT = "import", "Import"
    SETTINGS = "settings", "Settings changed"
    RERUN = "rerun", "Requested while running"
    # The exact vectors are complete after a fast first pass: train again on them.
    EMBEDDINGS = "embeddings", "Exact embeddings ready"
    # A drift window crossed a threshold in a project that retrains on drift alarms.
    DRIFT = "drift", "Drift alarm"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    # Finished without a model: not enough labels yet; the message says what is missing.
    WAITING = "waiting", "Waiting for labels"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
