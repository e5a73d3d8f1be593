"""Item embeddings: the job that embeds items without a vector from the project's embedder.

Vectors live in models_app's cache under the project's owner key and the embedder's key
(``name@version``, see ``labeling.selectors.embedders``), so changing the embedder or its
version never mixes vector spaces.

A job cuts the items it has to embed into chunks (``models_app.services.embedding_chunks``)
that every worker taking part claims one at a time: the job's own task, the helper tasks it
queues (``TANDEM_EMBED_HELPERS``) and a training run that needs the same vectors. No item is
embedded by two of them, and another worker host on the embeddings queue adds throughput.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from labeling.choices import DataType
from labeling.models import Item, Project
from labeling.selectors.embedders import project_embedder
from labeling.selectors.learning import project_for_owner
from labeling.services.learning_jobs import job_rerun_if_requested, project_training_request
from labeling.services.pool_scoring import pool_cold_start_unless_modelled
from models_app.choices import ACTIVE_JOB_STATUSES, JobKind, JobStatus, JobTrigger
from models_app.models import EmbeddingChunk, TrainingJob
from models_app.selectors.registry import model_version_list
from models_app.services.embedding_chunks import (
    ChunkStatus,
    embedding_chunk_claim,
    embedding_chunk_done,
    embedding_chunk_renew,
    embedding_chunks_cut,
    embedding_chunks_status,
    worker_name,
)
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
# Items per batch of the fast first pass: the static model embeds thousands a second, so the
# item reads and vector writes are what a batch costs.
FAST_PASS_BATCH = 4_096
# A fast pass over more than twice this many items first embeds a seeded random sample of
# this many and orders the queue from it, so an import of any size is ready to label in
# seconds (people label a few hundred items before a first model replaces this order, and a
# random sample of 20,000 is plenty to draw a diverse few hundred from); the rest follows and
# the queue is ordered again from all.
FAST_PASS_SAMPLE = 20_000


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
    batch_size: int = EMBED_BATCH,
    pipelined: bool = False,
) -> EmbedReport:
    """Embed the project's items (or these) that have no vector from ``embedder`` yet.

    Items deleted meanwhile are skipped; an image that cannot be read is reported, not fatal.
    ``on_start`` hears how many items are missing a vector before the first is embedded,
    ``on_embedded`` how many have been embedded after each batch. With ``shuffle_seed`` the
    items are embedded in a seeded random order instead of id order. ``pipelined`` (text
    projects) embeds each batch in a thread while the next is read and the last stored.
    """
    ids = project_item_ids(project=project) if item_ids is None else item_ids
    missing = embedding_missing_ids(owner=project.owner_key, embedder=embedder.key, object_ids=ids)
    if shuffle_seed is not None:
        missing = np.random.default_rng(shuffle_seed).permutation(missing)
    report = EmbedReport(missing=len(missing))
    if on_start is not None:
        on_start(len(missing))
    if pipelined and project.data_type == DataType.TEXT:
        _texts_embed_pipelined(
            project=project,
            embedder=embedder,
            missing=missing,
            report=report,
            batch_size=batch_size,
            on_progress=on_progress,
            on_embedded=on_embedded,
        )
        return report
    for start in range(0, len(missing), batch_size):
        batch = [int(i) for i in missing[start : start + batch_size]]
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


def _texts_embed_pipelined(
    *,
    project: Project,
    embedder: Embedder,
    missing: np.ndarray,
    report: EmbedReport,
    batch_size: int,
    on_progress: Callable[[float], None] | None,
    on_embedded: Callable[[int], None] | None,
) -> None:
    """``items_embed_missing`` for text items with the database work beside the embedding: a
    thread embeds batch n (the tokenizer and numpy release the GIL, and the thread never touches
    the database) while this one reads batch n + 1 and stores batch n - 1. For a fast embedder,
    reading and storing take as long as embedding."""
    from concurrent.futures import Future, ThreadPoolExecutor

    done_items = 0

    def store(pending: tuple[Future[np.ndarray], list[int], int]) -> None:
        nonlocal done_items
        future, ids, size = pending
        vectors = future.result()
        if ids:
            embedding_store(
                owner=project.owner_key, embedder=embedder.key, object_ids=ids, vectors=vectors
            )
            report.embedded += len(ids)
        done_items += size
        if on_progress is not None:
            on_progress(min(1.0, done_items / len(missing)))
        if on_embedded is not None:
            on_embedded(report.embedded)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed") as pool:
        pending: tuple[Future[np.ndarray], list[int], int] | None = None
        for start in range(0, len(missing), batch_size):
            batch = [int(i) for i in missing[start : start + batch_size]]
            rows = list(
                Item.objects.filter(project=project, id__in=batch).values_list("id", "text")
            )
            # Empty texts get the embedder's vector for "nothing", as in _embed_batch.
            future = pool.submit(embedder.embed, [text or "" for _id, text in rows])
            if pending is not None:
                store(pending)
            pending = (future, [item_id for item_id, _text in rows], len(batch))
        if pending is not None:
            store(pending)


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
    # A helper's: not once the job's fast pass has ordered the queue from every item.
    job_id: int | None = None

    def __call__(self, embedded: int) -> None:
        if self.done or embedded < EARLY_COLD_START:
            return
        self.done = True
        if self.job_id is not None and _fast_pass_done(job_id=self.job_id):
            return
        pool_cold_start_unless_modelled(
            project=self.project, embedder_key=self.embedder_key, seed=self.seed
        )


def _fast_pass_done(*, job_id: int) -> bool:
    result = TrainingJob.objects.filter(pk=job_id).values_list("result", flat=True).first()
    return bool(result and (result.get("fast_pass") or result.get("fast_pass_ready")))


def _work_chunks(
    *,
    job_id: int,
    project: Project,
    embedder: Embedder,
    worker: str,
    report: EmbedReport,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Claim the job's chunks one at a time and embed their items still without a vector,
    until none is left to claim. ``on_batch`` hears how many items of the job are done (by
    every worker, up to this batch) after each batch."""
    while (chunk := embedding_chunk_claim(job_id=job_id, worker=worker)) is not None:
        done_before = embedding_chunks_status(job_id=job_id).done_objects

        def batch_done(embedded: int, *, chunk_id: int = chunk.id, base: int = done_before):
            embedding_chunk_renew(chunk_id=chunk_id, worker=worker)
            if on_batch is not None:
                on_batch(base + embedded)

        part = items_embed_missing(
            project=project, embedder=embedder, item_ids=chunk.object_ids, on_embedded=batch_done
        )
        embedding_chunk_done(chunk_id=chunk.id, embedded=part.embedded)
        report.missing += part.missing
        report.embedded += part.embedded
        report.failed += part.failed
        report.errors.extend(part.errors[: max(0, 20 - len(report.errors))])


def embedding_job_share(
    *,
    job_id: int,
    project: Project,
    embedder: Embedder,
    report: EmbedReport,
    on_batch: Callable[[int], None] | None = None,
    poll_seconds: float = 1.0,
) -> ChunkStatus:
    """Take part in a running embedding job until all its chunks are done: embed the chunks
    left to claim, then wait for the ones other workers hold, taking over any whose lease runs
    out (its worker died). Returns early, unfinished, when the job stops running (it failed)."""
    worker = worker_name()
    while True:
        _work_chunks(
            job_id=job_id,
            project=project,
            embedder=embedder,
            worker=worker,
            report=report,
            on_batch=on_batch,
        )
        status = embedding_chunks_status(job_id=job_id)
        if status.finished:
            return status
        if not TrainingJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).exists():
            return status
        time.sleep(poll_seconds)


def _job_progress(job_id: int, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        training_job_progress(job_id=job_id, progress=done / total if total else 1.0)

    return report


def _ask_for_help(*, job_id: int, chunks: int) -> None:
    """Queue helper tasks on the embeddings queue: any worker that picks one up claims chunks
    beside this one (none when the job has one chunk)."""
    from core.tasks import enqueue
    from labeling.tasks import embed_chunks_task

    if embed_chunks_task.app.conf.task_always_eager:
        return  # a helper would run here and now, one after the other: nothing to share
    for _ in range(min(settings.TANDEM_EMBED_HELPERS, max(0, chunks - 1))):
        enqueue(embed_chunks_task, job_id)


def _items_left_without_vector(*, project: Project, embedder_key: str, job_id: int) -> int:
    """The job's items that still exist and still have no vector (they could not be read)."""
    raw = EmbeddingChunk.objects.filter(job_id=job_id).values_list("object_ids", flat=True)
    ids = [np.frombuffer(bytes(part), dtype="<i8") for part in raw]
    wanted = np.intersect1d(np.concatenate(ids) if ids else ids, project_item_ids(project=project))
    return len(
        embedding_missing_ids(owner=project.owner_key, embedder=embedder_key, object_ids=wanted)
    )


def fast_pass_embedder(*, project: Project, embedder: Embedder, missing: int) -> Embedder | None:
    """The embedder of the fast first pass before ``embedder``'s vectors, or None: no fast
    pass for image projects, for embedders fast on their own, for fewer than
    ``TANDEM_FAST_PASS_MIN_ITEMS`` items to embed, or when it cannot run here."""
    from models_app.ml.embedders.base import EmbedderUnavailable
    from models_app.ml.embedders.registry import fast_pass_embedder_name, get_embedder

    minimum = settings.TANDEM_FAST_PASS_MIN_ITEMS
    name = fast_pass_embedder_name(embedder.name)
    if project.data_type != DataType.TEXT or name is None or not minimum or missing < minimum:
        return None
    try:
        return get_embedder(name)
    except EmbedderUnavailable as exc:
        logger.warning("no fast first pass for %s: %s", project.owner_key, exc)
        return None


@dataclass
class FastPass:
    embedder: str
    embedded: int
    # Seconds to embed (including building the static model on first use), then to order the
    # queue from every item.
    embed_seconds: float
    order_seconds: float
    # Seconds from the start to the first order of the queue: from the sample (``sampled``
    # items), or from every item when there was no sample.
    ready_seconds: float
    sampled: int = 0

    def as_result(self) -> dict[str, object]:
        return {
            "embedder": self.embedder,
            "embedded": self.embedded,
            "embed_seconds": round(self.embed_seconds, 2),
            "order_seconds": round(self.order_seconds, 2),
            "ready_seconds": round(self.ready_seconds, 2),
            "sampled": self.sampled,
        }


def embedding_fast_pass(
    *,
    project: Project,
    fast: Embedder,
    seed: int,
    on_progress: Callable[[float], None] | None = None,
    on_ready: Callable[[float, int], None] | None = None,
) -> FastPass:
    """Give every item of the project a vector from ``fast`` (the static model), then, while no
    model exists, order the queue from them: diversity and zero-shot proposals, the same cold
    start as with the exact vectors. Training uses these vectors until the exact ones are
    complete (``training_embedder``).

    Over more than ``2 * FAST_PASS_SAMPLE`` items, a seeded random sample of
    ``FAST_PASS_SAMPLE`` is embedded and the queue ordered from it first; ``on_ready`` hears
    the seconds that took and the sample's size (once, also without a sample)."""
    started = time.monotonic()
    missing = embedding_missing_ids(
        owner=project.owner_key, embedder=fast.key, object_ids=project_item_ids(project=project)
    )
    sampled, embedded_count = 0, 0
    ready: float | None = None
    rest = missing
    if len(missing) > 2 * FAST_PASS_SAMPLE:
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(missing, FAST_PASS_SAMPLE, replace=False))
        share = len(sample) / len(missing)
        embedded_count += items_embed_missing(
            project=project,
            embedder=fast,
            item_ids=sample,
            on_progress=_scaled(on_progress, 0.0, share),
            batch_size=FAST_PASS_BATCH,
            pipelined=True,
        ).embedded
        pool_cold_start_unless_modelled(project=project, embedder_key=fast.key, seed=seed)
        sampled, ready = len(sample), time.monotonic() - started
        if on_ready is not None:
            on_ready(ready, sampled)
        rest = np.setdiff1d(missing, sample, assume_unique=True)
        on_progress = _scaled(on_progress, share, 1.0)
    embedded_count += items_embed_missing(
        project=project,
        embedder=fast,
        item_ids=rest,
        on_progress=on_progress,
        batch_size=FAST_PASS_BATCH,
        pipelined=True,
    ).embedded
    embedded = time.monotonic()
    pool_cold_start_unless_modelled(project=project, embedder_key=fast.key, seed=seed)
    finished = time.monotonic()
    if ready is None:
        ready = finished - started
        if on_ready is not None:
            on_ready(ready, 0)
    return FastPass(
        embedder=fast.key,
        embedded=embedded_count,
        embed_seconds=embedded - started,
        order_seconds=finished - embedded,
        ready_seconds=ready,
        sampled=sampled,
    )


def _scaled(
    on_progress: Callable[[float], None] | None, start: float, end: float
) -> Callable[[float], None] | None:
    if on_progress is None:
        return None
    report = on_progress
    return lambda share: report(start + (end - start) * share)


def _run_fast_pass(
    *, job_id: int, project: Project, embedder: Embedder, missing: int, result: dict
) -> bool:
    """The job's fast first pass, when it has one; True when the queue is ordered from its
    vectors. A failure is logged and leaves the exact pass to do everything, as without it."""
    fast = fast_pass_embedder(project=project, embedder=embedder, missing=missing)
    if fast is None:
        return False
    training_job_progress(
        job_id=job_id,
        step="fast",
        message=(
            f"Fast pass: {missing:,} items with {fast.name}, so the queue is ready in seconds; "
            f"then {embedder.key}."
        ),
    )

    def ready(seconds: float, sampled: int) -> None:
        if not sampled:
            return  # said once the whole pass is done, below
        result["fast_pass_ready"] = {"ready_seconds": round(seconds, 2), "sampled": sampled}
        training_job_progress(
            job_id=job_id,
            message=(
                f"Queue ready in {seconds:.0f} s from {fast.name} vectors of a sample of "
                f"{sampled:,} items; {fast.name} vectors for the other {missing - sampled:,}, "
                f"then {embedder.key}."
            ),
            result=result,
        )

    try:
        done = embedding_fast_pass(project=project, fast=fast, seed=job_id, on_ready=ready)
    except Exception:
        logger.exception("fast pass of embedding job %s failed", job_id)
        return False
    result["fast_pass"] = done.as_result()
    training_job_progress(
        job_id=job_id,
        step="embed",
        message=(
            f"Queue ready from {fast.name} vectors in {done.ready_seconds:.0f} s"
            + (
                f" (a sample of {done.sampled:,}; ordered again from all "
                f"{done.embedded:,} after {done.embed_seconds + done.order_seconds:.0f} s)"
                if done.sampled
                else ""
            )
            + f". Embedding with {embedder.key}."
        ),
        result=result,
    )
    return True


def _retrain_on_exact_vectors(*, project: Project, embedder: Embedder) -> None:
    """The exact vectors are complete: when the latest model was trained on the fast pass's
    vectors, a training run on the exact ones is asked for."""
    from models_app.ml.embedders.registry import fast_pass_embedder_name

    fast = fast_pass_embedder_name(embedder.name)
    latest = model_version_list(owner=project.owner_key).order_by("-version").first()
    if fast is not None and latest is not None and latest.embedder.startswith(f"{fast}@"):
        project_training_request(project=project, trigger=JobTrigger.EMBEDDINGS)


def training_embedder(
    *, project: Project, wait_for_fast_seconds: float = 300.0, poll_seconds: float = 1.0
) -> Embedder:
    """The vectors a training run uses: the project's embedder's, unless its embedding job is
    still running after a fast first pass; then the fast pass's, which cover every item (the
    job retrains on the exact ones when it ends). A fast pass under way is waited for (up to
    ``wait_for_fast_seconds``): it ends long before the exact vectors."""
    exact = project_embedder(project=project)
    deadline = time.monotonic() + wait_for_fast_seconds
    while True:
        job = TrainingJob.objects.filter(
            owner=project.owner_key, kind=JobKind.EMBED, status=JobStatus.RUNNING
        ).first()
        if job is None or job.step != "fast" or time.monotonic() >= deadline:
            break
        time.sleep(poll_seconds)
    if job is None or job.result.get("embedder") != exact.key:
        return exact
    fast = job.result.get("fast_pass") or {}
    if not fast:
        return exact
    from models_app.ml.embedders.registry import get_embedder

    candidate = get_embedder(str(fast["embedder"]).split("@", 1)[0])
    return candidate if candidate.key == fast["embedder"] else exact


def embedding_job_run(*, job_id: int) -> TrainingJob | None:
    """Embed every item of the job's project that has no vector yet, reporting progress.

    The items are cut into chunks (in a seeded random order, so the first vectors are a sample
    of the whole import) and shared with the helper tasks this run queues and with a training
    run that needs them; a run started again after its worker died keeps the chunks and the
    vectors already stored. Until a model exists, the queue gets its diverse cold-start order
    as soon as ``EARLY_COLD_START`` items have vectors and again over all of them at the end.

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
        missing = embedding_missing_ids(
            owner=project.owner_key,
            embedder=embedder.key,
            object_ids=project_item_ids(project=project),
        )
        chunks = embedding_chunks_cut(
            job_id=job_id,
            object_ids=np.random.default_rng(job_id).permutation(missing),
            size=settings.TANDEM_EMBED_CHUNK_SIZE,
        )
        status = embedding_chunks_status(job_id=job_id)
        # The embedding backlog metric reads "missing" while the job runs; helpers check that
        # they embed with the same embedder.
        result: dict = {"missing": status.objects, "embedder": embedder.key}
        training_job_progress(job_id=job_id, result=result)
        _ask_for_help(job_id=job_id, chunks=chunks)
        # The helpers start on the exact vectors while this run does the fast pass.
        ordered = _run_fast_pass(
            job_id=job_id,
            project=project,
            embedder=embedder,
            missing=status.objects,
            result=result,
        )
        early = _EarlyColdStart(
            project=project, embedder_key=embedder.key, seed=job_id, done=ordered
        )
        progress = _job_progress(job_id, status.objects)

        def on_batch(done: int) -> None:
            progress(done)
            early(done)

        report = EmbedReport()
        status = embedding_job_share(
            job_id=job_id, project=project, embedder=embedder, report=report, on_batch=on_batch
        )
        if not status.finished:
            return TrainingJob.objects.filter(pk=job_id).first()
        pool_cold_start_unless_modelled(project=project, embedder_key=embedder.key, seed=job_id)
        failed = _items_left_without_vector(
            project=project, embedder_key=embedder.key, job_id=job_id
        )
        message = f"Embedded {status.embedded:,} items with {embedder.key}."
        if failed:
            message += f" {failed:,} could not be embedded"
            message += f": {report.errors[0]}" if report.errors else "."
        if "fast_pass" in result:
            fast = result["fast_pass"]
            ready = fast.get("ready_seconds", fast["embed_seconds"] + fast["order_seconds"])
            name = str(fast["embedder"]).split("@", 1)[0]
            message += f" A fast pass with {name} vectors had the queue ready after {ready:.0f} s."
        job = training_job_succeed(
            job_id=job_id,
            message=message,
            result={
                **result,
                "embedded": status.embedded,
                "failed": failed,
                "errors": report.errors[:20],
                "chunks": status.chunks,
            },
        )
        _retrain_on_exact_vectors(project=project, embedder=embedder)
    except Exception as exc:
        logger.exception("embedding job %s failed", job_id)
        job = training_job_fail(job_id=job_id, error=describe_error(exc))
    job_rerun_if_requested(job=job, project=project)
    return job


def embedding_job_help(*, job_id: int) -> int:
    """A helper's part in a running embedding job: claim and embed chunks until none is left to
    claim (the job's own run waits for the rest and finishes the job). Returns how many items
    this helper embedded; 0 when the job is not running or embeds with another embedder than
    this process has (vectors of two spaces never mix)."""
    job = TrainingJob.objects.filter(
        pk=job_id, kind=JobKind.EMBED, status=JobStatus.RUNNING
    ).first()
    if job is None:
        return 0
    project = project_for_owner(owner=job.owner)
    if project is None:
        return 0
    embedder = project_embedder(project=project)
    if embedder.key != job.result.get("embedder"):
        logger.warning(
            "embedding job %s embeds with %s; this worker has %s: not helping",
            job_id,
            job.result.get("embedder"),
            embedder.key,
        )
        return 0
    report = EmbedReport()
    progress = _job_progress(job_id, int(job.result.get("missing") or 0))
    # While the job's own task is on its fast pass (the static model is built on its first
    # use, about a minute), the helpers order the queue from their first exact vectors.
    early = _EarlyColdStart(project=project, embedder_key=embedder.key, seed=job_id, job_id=job_id)

    def on_batch(done: int) -> None:
        progress(done)
        early(done)

    _work_chunks(
        job_id=job_id,
        project=project,
        embedder=embedder,
        worker=worker_name(),
        report=report,
        on_batch=on_batch,
    )
    return report.embedded


def embedding_job_join(
    *,
    project: Project,
    embedder: Embedder,
    on_progress: Callable[[float], None] | None = None,
    wait_to_start_seconds: float = 30.0,
    poll_seconds: float = 1.0,
) -> EmbedReport | None:
    """For a training run that needs vectors: when the project's embedding job is running with
    the same embedder, take part in it until all its items have vectors, instead of embedding
    the same items beside it. A job the broker has (queued, or cutting its chunks) is given
    ``wait_to_start_seconds`` to start. None when there is no such job to join."""
    deadline = time.monotonic() + wait_to_start_seconds
    while True:
        job = TrainingJob.objects.filter(
            owner=project.owner_key, kind=JobKind.EMBED, status__in=ACTIVE_JOB_STATUSES
        ).first()
        if job is None:
            return None
        if job.status == JobStatus.RUNNING and job.result.get("embedder"):
            break
        if job.status == JobStatus.QUEUED and not job.task_id:
            return None  # never reached the broker: nothing will start it soon
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll_seconds)
    if job.result.get("embedder") != embedder.key:
        return None
    total = int(job.result.get("missing") or 0)
    report = EmbedReport()
    embedding_job_share(
        job_id=job.pk,
        project=project,
        embedder=embedder,
        report=report,
        on_batch=(lambda done: on_progress(done / total if total else 1.0))
        if on_progress is not None
        else None,
        poll_seconds=poll_seconds,
    )
    return report
