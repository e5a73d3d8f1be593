"""Embedding jobs shared by several workers: the job's objects cut into chunks, each claimed by
one worker at a time under a lease.

Claims are compare-and-set UPDATEs (no row locks held while embedding), so they work the same on
PostgreSQL and SQLite; a claim whose lease ran out (its worker died or stalled) can be taken
again, and the new worker embeds only the objects still without a vector.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from models_app.models import EmbeddingChunk, TrainingJob

# Objects per chunk (the Django side passes TANDEM_EMBED_CHUNK_SIZE): small enough that two
# workers share even a modest import, large enough that claiming costs nothing next to
# embedding (a chunk is seconds to minutes of work).
CHUNK_SIZE = 1_024
_CLAIM_ATTEMPTS = 50

State = EmbeddingChunk.State


def worker_name() -> str:
    """Who holds a claim: host, process and thread (several threads may take part at once)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:128]


def embedding_chunks_cut(*, job_id: int, object_ids: np.ndarray, size: int = CHUNK_SIZE) -> int:
    """Cut the job's objects into chunks of ``size`` (in the order given), once: a job that has
    chunks already (its run started again after a worker died) keeps them. Returns how many
    chunks the job has."""
    ids = np.asarray(object_ids, dtype="<i8").reshape(-1)
    with transaction.atomic():
        # Two runs of one job cut at most once: the second waits here, then finds the chunks.
        TrainingJob.objects.select_for_update().filter(pk=job_id).exists()
        existing = EmbeddingChunk.objects.filter(job_id=job_id).count()
        if existing:
            return existing
        chunks = [
            EmbeddingChunk(
                job_id=job_id,
                number=number,
                object_ids=ids[start : start + size].tobytes(),
                size=len(ids[start : start + size]),
            )
            for number, start in enumerate(range(0, len(ids), size))
        ]
        EmbeddingChunk.objects.bulk_create(chunks, batch_size=500)
        return len(chunks)


@dataclass(frozen=True)
class ClaimedChunk:
    id: int
    number: int
    object_ids: np.ndarray


def _lease() -> timedelta:
    """How long a claim lasts: its worker renews it after every batch it embeds, so a claim
    not renewed for this long (TANDEM_EMBED_CLAIM_SECONDS) is taken to be lost."""
    return timedelta(seconds=settings.TANDEM_EMBED_CLAIM_SECONDS)


def _claimable(now) -> Q:
    return Q(state=State.OPEN) | Q(state=State.CLAIMED, lease_until__lt=now)


def embedding_chunk_claim(*, job_id: int, worker: str) -> ClaimedChunk | None:
    """Claim the job's next open chunk (lowest number first), or one whose lease ran out;
    None when every chunk is done or held by a live claim."""
    for _attempt in range(_CLAIM_ATTEMPTS):
        now = timezone.now()
        candidate = (
            EmbeddingChunk.objects.filter(_claimable(now), job_id=job_id)
            .order_by("number")
            .values_list("id", flat=True)
            .first()
        )
        if candidate is None:
            return None
        taken = EmbeddingChunk.objects.filter(_claimable(now), pk=candidate).update(
            state=State.CLAIMED,
            claimed_by=worker,
            lease_until=now + _lease(),
            claims=F("claims") + 1,
        )
        if taken:
            number, raw = EmbeddingChunk.objects.values_list("number", "object_ids").get(
                pk=candidate
            )
            return ClaimedChunk(
                id=candidate, number=number, object_ids=np.frombuffer(bytes(raw), dtype="<i8")
            )
        # Another worker took it between the look and the update: look again.
    return None


def embedding_chunk_renew(*, chunk_id: int, worker: str) -> bool:
    """Extend the worker's claim; False when the chunk is no longer theirs."""
    return bool(
        EmbeddingChunk.objects.filter(pk=chunk_id, state=State.CLAIMED, claimed_by=worker).update(
            lease_until=timezone.now() + _lease()
        )
    )


def embedding_chunk_done(*, chunk_id: int, embedded: int) -> None:
    """The chunk's objects all have vectors now (``embedded`` of them from this claim)."""
    EmbeddingChunk.objects.filter(pk=chunk_id).exclude(state=State.DONE).update(
        state=State.DONE, lease_until=None, embedded=embedded
    )


@dataclass(frozen=True)
class ChunkStatus:
    chunks: int
    objects: int
    done_objects: int
    embedded: int
    open: int
    claimed: int

    @property
    def finished(self) -> bool:
        return self.open == 0 and self.claimed == 0


def embedding_chunks_status(*, job_id: int) -> ChunkStatus:
    """How far the job's chunks are (one aggregate query)."""
    figures = EmbeddingChunk.objects.filter(job_id=job_id).aggregate(
        chunks=Count("id"),
        objects=Sum("size"),
        done_objects=Sum("size", filter=Q(state=State.DONE)),
        embedded=Sum("embedded"),
        open=Count("id", filter=Q(state=State.OPEN)),
        claimed=Count("id", filter=Q(state=State.CLAIMED)),
    )
    return ChunkStatus(**{name: int(value or 0) for name, value in figures.items()})
