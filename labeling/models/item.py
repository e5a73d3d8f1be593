from django.db import models

from labeling.choices import Split


class Item(models.Model):
    """The unit to label: one text or one image, unique per project by ``external_id``."""

    project = models.ForeignKey("labeling.Project", on_delete=models.CASCADE, related_name="items")
    external_id = models.CharField(max_length=255)
    text = models.TextField(null=True, blank=True)
    image = models.FileField(upload_to="items/", max_length=255, null=True, blank=True)
    thumbnail = models.FileField(upload_to="thumbnails/", max_length=255, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # SHA-256 of the normalised text or of the image bytes: finds exact duplicates.
    content_hash = models.CharField(max_length=64)
    split = models.CharField(max_length=8, choices=Split.choices, default=Split.TRAIN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "external_id"], name="item_unique_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "content_hash"], name="item_project_hash_idx"),
            models.Index(fields=["project", "split"], name="item_project_split_idx"),
        ]

    def __str__(self) -> str:
        return self.external_id
