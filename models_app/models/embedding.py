from django.db import models


class Embedding(models.Model):
    """One object's vector from one embedder version: float32 bytes, L2-normalised.

    ``owner`` names what the objects belong to (``"labeling.project:5"``) so this app never
    imports its callers; ``object_id`` is the caller's id (an item id).
    """

    owner = models.CharField(max_length=64)
    # Embedder name and version ("minilm@1"): a new version never mixes with old vectors.
    embedder = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also the index every lookup walks: (owner, embedder) then object ids in order.
            models.UniqueConstraint(
                fields=["owner", "embedder", "object_id"], name="embedding_unique_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.embedder} #{self.object_id}"


class EmbeddingWrites(models.Model):
    """How many times vectors were added for one (owner, embedder) pair: bumped in the same
    transaction as the vectors (``embedding_store``), so a reader that saw the same count
    before knows no vector of the pair was added since, committed early or late."""

    owner = models.CharField(max_length=64)
    embedder = models.CharField(max_length=64)
    writes = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "embedder"], name="embedding_writes_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.embedder}: {self.writes} writes"
