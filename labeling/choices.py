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


class AssignmentState(models.TextChoices):
    LEASED = "leased", "Leased (being worked on)"
    SUBMITTED = "submitted", "Submitted"
    SKIPPED = "skipped", "Skipped"
    RELEASED = "released", "Released (left without an answer)"
    EXPIRED = "expired", "Lease expired"


class AnnotationOutcome(models.TextChoices):
    """How a person's label relates to the model's proposal they were shown (HALS)."""

    ACCEPTED = "accepted", "Accepted the proposal"
    CORRECTED = "corrected", "Rejected the proposal and gave another label"
    NO_SUGGESTION = "no_suggestion", "No proposal shown"


class SuggestionSource(models.TextChoices):
    """Where a proposal shown with an item came from: a trained model version, or (before any
    model exists) zero-shot similarity to the label classes' names and descriptions."""

    MODEL = "model", "A trained model version"
    ZERO_SHOT = "zero-shot", "Zero-shot similarity to the label classes"


class AnnotationClient(models.TextChoices):
    WEB = "web", "Web workspace"
    API = "api", "API"


class SamplingStrategy(models.TextChoices):
    """How the queue orders unlabeled items (values of ``models_app.ml.strategies.Strategy``)."""

    RANDOM = "random", "Random"
    UNCERTAINTY = "uncertainty", "Least confident"
    MARGIN = "margin", "Smallest margin"
    ENTROPY = "entropy", "Highest entropy"
    HYBRID = "hybrid", "Hybrid (uncertain and diverse)"
    # Each training run picks hybrid, entropy or random by its measured effect on the dev split.
    ADAPTIVE = "adaptive", "Adaptive (chosen on the dev split)"


class SuspectStatus(models.TextChoices):
    """Where a suspect label is: found, sent for a second opinion, or answered."""

    OPEN = "open", "Found, not reviewed"
    SENT = "sent", "Sent for a second opinion"
    CONFIRMED = "confirmed", "Second opinion confirmed the label"
    CORRECTED = "corrected", "Second opinion gave another label"


class ItemOrdering(models.TextChoices):
    ID = "id", "Oldest first"
    PRIORITY = "-priority", "Highest priority first (the labeling queue's order)"
    CONFIDENCE = "confidence", "Least confident prediction first"


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV / TSV"
    JSONL = "jsonl", "JSON Lines"
    TEXT = "text", "Plain text, one item per line"
    IMAGES = "images", "Images (files or a zip)"
    LABEL_STUDIO = "label_studio", "Label Studio JSON export"
    PRODIGY = "prodigy", "Prodigy JSONL export"
    PARQUET = "parquet", "Parquet (Hugging Face dataset or Tandem snapshot)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class DatasetFormat(models.TextChoices):
    """Formats a dataset snapshot is exported in (``labeling.services.datasets.formats``)."""

    JSONL = "jsonl", "JSON Lines"
    CSV = "csv", "CSV"
    PARQUET = "parquet", "Parquet, one file per split"
    HF = "hf", "Hugging Face dataset"
    IMAGEFOLDER = "imagefolder", "ImageFolder zip (image projects)"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ExportFormat(models.TextChoices):
    JSONL = "jsonl", "JSON Lines"
    CSV = "csv", "CSV"


# Labels a model may learn from: people's, directly or through moderation. ``auto`` labels are
# the model's own and only train it when the project says so.
HUMAN_SOURCES = (
    AnnotationSource.HUMAN,
    AnnotationSource.IMPORT,
    AnnotationSource.MODERATION,
    AnnotationSource.APPEAL,
)
# Labels given inside Tandem that count towards the next retraining (an import's labels do not:
# the import's own embedding job is followed by training by hand or by schedule).
RETRAIN_SOURCES = (AnnotationSource.HUMAN, AnnotationSource.MODERATION, AnnotationSource.APPEAL)

# Who may do what inside a project. Superusers may do everything everywhere.
MANAGE_ROLES = frozenset({Role.ADMIN})
DATA_ROLES = frozenset({Role.ADMIN, Role.ML_ENGINEER})
LABEL_ROLES = frozenset({Role.ADMIN, Role.ML_ENGINEER, Role.ANNOTATOR})
ALL_ROLES = frozenset(Role)
