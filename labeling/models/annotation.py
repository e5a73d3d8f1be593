from django.conf import settings
from django.db import models
from django.db.models import Q

from labeling.choices import AnnotationClient, AnnotationOutcome, AnnotationSource


class Annotation(models.Model):
    """One set of labels given to an item, with where it came from (provenance)."""

    # Covered by the (item, source) index.
    item = models.ForeignKey(
        "labeling.Item", on_delete=models.CASCADE, related_name="annotations", db_index=False
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="annotations",
        db_index=False,  # a partial index below: imported and automatic labels have no annotator
    )
    # Label class names; one for binary/multiclass, any number for multilabel.
    labels = models.JSONField(default=list)
    source = models.CharField(
        max_length=16, choices=AnnotationSource.choices, default=AnnotationSource.HUMAN
    )
    import_job = models.ForeignKey(
        "labeling.ImportJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        # Provenance only: read when an import job is deleted (rare). Without an index and a
        # database-level constraint, bulk imports skip 100k foreign-key checks per 100k rows;
        # Django still sets it to NULL when the job is deleted.
        db_index=False,
        db_constraint=False,
    )
    # Who gave an imported label in the tool it came from (a Label Studio annotator, a Prodigy
    # session), as a pseudonym ("ls-3f9a0c1b"): several people's labels of one item are kept
    # apart without creating accounts for them. Empty for labels given in Tandem.
    import_annotator = models.CharField(max_length=64, blank=True, default="", db_default="")
    # The model version that produced an automatic label (source = auto).
    model_version = models.ForeignKey(
        "models_app.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # --- what the annotator was shown and how they answered (people's labels only) -----------
    # The model's proposal at the time, and the version that made it.
    suggested_labels = models.JSONField(default=list, blank=True, db_default=[])
    suggested_by = models.ForeignKey(
        "models_app.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    outcome = models.CharField(
        max_length=16, choices=AnnotationOutcome.choices, blank=True, default="", db_default=""
    )
    time_on_item_ms = models.PositiveIntegerField(null=True, blank=True)
    client = models.CharField(
        max_length=8, choices=AnnotationClient.choices, blank=True, default="", db_default=""
    )
    # Chosen by the client per submission: the same key twice stores one annotation.
    client_key = models.CharField(max_length=64, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # An imported label is stored once per (item, import annotator), so re-running an
            # import adds nothing.
            models.UniqueConstraint(
                fields=["item", "import_annotator"],
                condition=Q(source=AnnotationSource.IMPORT),
                name="annotation_one_import_per_item_annotator",
            ),
            # Idempotent submissions: one annotation per (annotator, client key).
            models.UniqueConstraint(
                fields=["annotator", "client_key"],
                condition=~Q(client_key=""),
                name="annotation_unique_client_key",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "source"], name="annotation_item_source_idx"),
            # "How many people's labels since the last training run?" — asked after every
            # submission. Partial: imported labels (bulk, and never a trigger) stay out of it.
            models.Index(
                fields=["created_at"],
                condition=Q(source__in=["human", "moderation", "appeal"]),
                name="annotation_retrain_idx",
            ),
            models.Index(
                fields=["annotator", "created_at"],
                condition=Q(annotator__isnull=False),
                name="annotation_annotator_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.labels}"
