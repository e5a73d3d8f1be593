"""Item embeddings: the job that embeds items without a vector from the project's embedder.

Vectors live in models_app's cache under the project's owner key and the embedder's key
(``name@version``, see ``labeling.selectors.embedders``), so changing the embedder or its
version never mixes vector spaces.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from django.core.files.storage import default_storage
from django.db import connection

from labeling.choices import DataType
from labeling.models import Item, Project
from labeling.selectors.embedders import project_embedder
from labeling.selectors.learning import project_for_owner
from labeling.services.learning_jobs import job_rerun_if_requested
from labeling.services.pool_scoring import pool_cold_start_unless_modelled
from models_app.choices import JobKind
from models_app.models import TrainingJob
from models_app.services.embeddings import embedding_missing_ids, embedding_store
from models_app.services.jobs import (
    training_job_fail,
    training_job_progress,
    training_job_start,
    training_job_succeed,
)

if TYPE_CHECKING:
    from models_app.ml.embedders.base import Embedder

logger = logging.getLogger(__name__)

# Items embedded per batch: one progress report and one write each.
EMBED_BATCH = 256
# A project no model orders yet gets its cold-start (diverse) queue once this many items have
# vectors, and again when the job ends: people who label while a large import embeds see the
# data's spread, not the file's order. The job embeds in a shuffled order so these first
# vectors are a sample of the whole import.
EARLY_COLD_START = 1_000


def project_item_ids(*, project: Project) -> np.ndarray:
    """All item ids of the project, ascending (one index range scan, no model instances)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM labeling_item WHERE project_id = %s ORDER BY id", [project.pk]
        )
        return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)


@dataclass
class EmbedReport:
    missing: int = 0
    embedded: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _image_bytes(name: str | None) -> bytes:
    if not name:
        raise ValueError("the item has no image file")
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def _embed_batch(
    embedder: Embedder, project: Project, ids: list[int], report: EmbedReport
) -> tuple[list[int], np.ndarray | None]:
    """Vectors for the items of ``ids`` that still exist; unreadable images are skipped."""
    rows = list(Item.objects.filter(project=project, id__in=ids).values_list("id", "text", "image"))
    if project.data_type == DataType.TEXT:
        # Empty and whitespace-only texts get the embedder's vector for "nothing": they are
        # still items to label, so they stay in the queue.
        return [row[0] for row in rows], embedder.embed([row[1] or "" for row in rows])
    kept: list[int] = []
    inputs: list[bytes] = []
    for item_id, _text, image in rows:
        try:
            inputs.append(_image_bytes(image))
            kept.append(item_id)
        except (OSError, ValueError) as exc:
            report.failed += 1
            report.errors.append(f"item {item_id}: cannot read {image}: {exc}")
    try:
        return kept, embedder.embed(inputs)
    except ValueError:
        # One unreadable image fails the batch: embed one by one and skip the bad ones.
        good_ids: list[int] = []
        vectors: list[np.ndarray] = []
        for item_id, data in zip(kept, inputs, strict=True):
            try:
                vectors.append(embedder.embed([data])[0])
                good_ids.append(item_id)
            except ValueError as exc:
                report.failed += 1
                report.errors.append(f"item {item_id}: {exc}")
        return good_ids, np.stack(vectors) if vectors else None


def items_embed_missing(
    *,
    project: Project,
    embedder: Embedder,
    item_ids: np.ndarray | None = None,
    on_progress: Callable[[float], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_embedded: Callable[[int], None] | None = None,
    shuffle_seed: int | None = None,
) -> EmbedReport:
    """Embed the project's items (or these) that have no vector from ``embedder`` yet.

    Items deleted meanwhile are skipped; an image that cannot be read is reported, not fatal.
    ``on_start`` hears how many items are missing a vector before the first is embedded,
    ``on_embedded`` how many have been embedded after each batch. With ``shuffle_seed`` the
    items are embedded in a seeded random order instead of id order.
    """
    ids = project_item_ids(project=project) if item_ids is None else item_ids
    missing = embedding_missing_ids(owner=project.owner_key, embedder=embedder.key, object_ids=ids)
    if shuffle_seed is not None:
        missing = np.random.default_rng(shuffle_seed).permutation(missing)
    report = EmbedReport(missing=len(missing))
    if on_start is not None:
        on_start(len(missing))
    for start in range(0, len(missing), EMBED_BATCH):
        batch = [int(i) for i in missing[start : start + EMBED_BATCH]]
        kept, vectors = _embed_batch(embedder, project, batch, report)
        if kept and vectors is not None:
            embedding_store(
                owner=project.owner_key, embedder=embedder.key, object_ids=kept, vectors=vectors
            )
            report.embedded += len(kept)
        if on_progress is not None:
            on_progress(min(1.0, (start + len(batch)) / len(missing)))
        if on_embedded is not None:
            on_embedded(report.embedded)
    return report


def describe_error(exc: BaseException) -> str:
    """An error for the job's page: the message, with the type when the message alone is vague."""
    text = str(exc).strip()
    name = type(exc).__name__
    if not text:
        return name
    if name in {"EmbedderUnavailable", "ApplicationError", "NotEnoughLabels"}:
        return text
    return f"{name}: {text}"


@dataclass
class _EarlyColdStart:
    """Orders the queue for diversity once, when the first ``EARLY_COLD_START`` items of a
    long embedding job have vectors."""

    project: Project
    embedder_key: str
    seed: int
    done: bool = False

    def __call__(self, embedded: int) -> None:
        if self.done or embedded < EARLY_COLD_START:
            return
        self.done = True
        pool_cold_start_unless_modelled(
            project=self.project, embedder_key=self.embedder_key, seed=self.seed
        )


def embedding_job_run(*, job_id: int) -> TrainingJob | None:
    """Embed every item of the job's project that has no vector yet, reporting progress.

    Until a model exists, the queue gets its diverse cold-start order as soon as
    ``EARLY_COLD_START`` items have vectors and again over all of them at the end.

    Never raises: a failure (e.g. the embedder's package is missing) marks the job failed with
    the message. Side effects: when a trigger arrived meanwhile, queues one more run.
    """
    job = training_job_start(job_id=job_id, kind=JobKind.EMBED)
    if job is None:
        return None
    project = project_for_owner(owner=job.owner)
    if project is None:
        return training_job_fail(job_id=job_id, error="The project was deleted.")
    try:
        embedder = project_embedder(project=project)
        training_job_progress(
            job_id=job_id, step="embed", message=f"Embedding with {embedder.key}."
        )
        early = _EarlyColdStart(project=project, embedder_key=embedder.key, seed=job_id)
        report = items_embed_missing(
            project=project,
            embedder=embedder,
            on_progress=lambda share: training_job_progress(job_id=job_id, progress=share),
            # The embedding backlog metric reads this while the job runs.
            on_start=lambda missing: training_job_progress(
                job_id=job_id, result={"missing": missing}
            ),
            on_embedded=early,
            shuffle_seed=job_id,
        )
        pool_cold_start_unless_modelled(project=project, embedder_key=embedder.key, seed=job_id)
        message = f"Embedded {report.embedded:,} items with {embedder.key}."
        if report.failed:
            message += f" {report.failed:,} could not be embedded: {report.errors[0]}"
        job = training_job_succeed(
            job_id=job_id,
            message=message,
            result={
                "embedder": embedder.key,
                "missing": report.missing,
                "embedded": report.embedded,
                "failed": report.failed,
                "errors": report.errors[:20],
            },
        )
    except Exception as exc:
        logger.exception("embedding job %s failed", job_id)
        job = training_job_fail(job_id=job_id, error=describe_error(exc))
    job_rerun_if_requested(job=job, project=project)
    return job
