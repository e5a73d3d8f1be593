from django.db import models


class DataType(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"


class TaskType(models.TextChoices):
    BINARY = "binary", "Binary"
    MULTICLASS = "multiclass", "Multiclass"
    MULTILABEL = "multilabel", "Multilabel"


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    ML_ENGINEER = "ml_engineer", "ML engineer"
    ANNOTATOR = "annotator", "Annotator"
    MODERATOR = "moderator", "Moderator"
    SENIOR_MODERATOR = "senior_moderator", "Senior moderator"


class Split(models.TextChoices):
    TRAIN = "train", "Train"
    DEV = "dev", "Dev"
    TEST = "test", "Test"


class AnnotationSource(models.TextChoices):
    HUMAN = "human", "Human"
    IMPORT = "import", "Import"
    MODERATION = "moderation", "Moderation"
    APPEAL = "appeal", "Appeal"
    AUTO = "auto", "Automatic"


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV / TSV"
    JSONL = "jsonl", "JSON Lines"
    TEXT = "text", "Plain text, one item per line"
    IMAGES = "images", "Images (files or a zip)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ExportFormat(models.TextChoices):
    JSONL = "jsonl", "JSON Lines"
    CSV = "csv", "CSV"


# Who may do what inside a project. Superusers may do everything everywhere.
MANAGE_ROLES = frozenset({Role.ADMIN})
DATA_ROLES = frozenset({Role.ADMIN, Role.ML_ENGINEER})
ALL_ROLES = frozenset(Role)
