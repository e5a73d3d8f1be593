from django.db import models

from labeling.choices import Split

# Longer ids are refused at import: cutting them short could make two ids one.
EXTERNAL_ID_MAX_LENGTH = 255


class Item(models.Model):
    """The unit to label: one text or one image, unique per project by ``external_id``."""

    # Covered by the (project, external_id) unique index; a separate index only slows imports.
    project = models.ForeignKey(
        "labeling.Project", on_delete=models.CASCADE, related_name="items", db_index=False
    )
    external_id = models.CharField(max_length=EXTERNAL_ID_MAX_LENGTH)
    text = models.TextField(null=True, blank=True)
    # Stored under random names (``core.files``), served only by the item's file endpoints.
    image = models.FileField(upload_to="items/", max_length=255, null=True, blank=True)
    thumbnail = models.FileField(upload_to="thumbnails/", max_length=255, null=True, blank=True)
    # Content another app must only show deliberately (moderation intake): the thumbnail is a
    # blurred one, and every fetch of the full image is recorded in the audit log.
    media_restricted = models.BooleanField(default=False, db_default=False)
    metadata = models.JSONField(default=dict, blank=True)
    # SHA-256 of the text or of the image bytes: finds exact duplicates. Not indexed yet: no
    # query looks items up by hash, and each index costs bulk imports ~25 % of their speed.
    content_hash = models.CharField(max_length=64)
    split = models.CharField(max_length=8, choices=Split.choices, default=Split.TRAIN)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written by the active-learning loop after each training run (bulk, never one by one).
    # Database defaults: imports COPY rows without these columns.
    predicted_label = models.CharField(max_length=100, blank=True, default="", db_default="")
    confidence = models.FloatField(null=True, blank=True)
    # Higher = ask a person sooner; 0 = not in the queue's order yet (or already labeled).
    priority = models.FloatField(default=0.0, db_default=0.0)
    scored_by = models.ForeignKey(
        "models_app.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # read with its item, never looked up the other way but on deletion
    )
    # Drawn uniformly at random for the auto-labeling precision audit: never auto-labeled.
    is_audit = models.BooleanField(default=False, db_default=False)

    # --- the annotation queue (kept by labeling.services.queue, in the same transactions) ------
    # People's annotations counted towards the project's ``annotations_per_item``, open leases,
    # and whether the item has all the annotations it needs (then it leaves the queue).
    queue_annotations = models.PositiveSmallIntegerField(default=0, db_default=0)
    queue_leases = models.PositiveSmallIntegerField(default=0, db_default=0)
    queue_done = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "external_id"], name="item_unique_external_id"
            ),
        ]
        indexes = [
            # Keyset pagination (browser, exports, scoring) walks a project's items by id.
            models.Index(fields=["project", "id"], name="item_project_id_idx"),
            # The labeling queue: a project's open items, highest priority first. Partial: items
            # with all their annotations drop out of it (one index per item costs imports).
            models.Index(
                fields=["project", "-priority", "id"],
                condition=models.Q(queue_done=False),
                name="item_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id
