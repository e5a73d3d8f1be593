from django.db import models


class EmbeddingChunk(models.Model):
    """A share of an embedding job's objects that one worker embeds at a time.

    The job cuts its missing objects into chunks; every worker taking part (the job's own
    task, the helper tasks it queues, a training job that joins it) claims the next open chunk,
    so adding a worker adds throughput and no object is handed to two workers at once. A
    claim is a lease: a worker that dies leaves its chunk to be claimed again once the lease
    runs out.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLAIMED = "claimed", "Claimed"
        DONE = "done", "Done"

    job = models.ForeignKey(
        "models_app.TrainingJob", on_delete=models.CASCADE, related_name="embedding_chunks"
    )
    number = models.PositiveIntegerField()
    # The object ids as little-endian int64 bytes (a few thousand per chunk).
    object_ids = models.BinaryField()
    size = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    claimed_by = models.CharField(max_length=128, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    # Objects this chunk's worker embedded (objects that had a vector already are not counted).
    embedded = models.PositiveIntegerField(default=0)
    claims = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="embedding_chunk_unique"),
        ]
        indexes = [models.Index(fields=["job", "state"], name="embedding_chunk_state_idx")]

    def __str__(self) -> str:
        return f"chunk {self.number} of job {self.job_id} ({self.state})"
