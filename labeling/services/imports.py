"""Import jobs: accept an upload, then stream it into items in bulk (run by a Celery task)."""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import zipfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import PurePosixPath
from typing import IO, Any

import orjson
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.exceptions import ApplicationError, payload_too_large
from core.files import file_store, files_removed_on_error, image_extension
from core.limits import task_attempts_exhausted, worker_lost_message
from core.tasks import enqueue_on_commit
from labeling.choices import (
    AnnotationSource,
    DataType,
    ImportFormat,
    ImportStatus,
    Split,
    TaskType,
)
from labeling.models import Annotation, ImportJob, Item, Project
from labeling.models.item import EXTERNAL_ID_MAX_LENGTH
from labeling.services.annotations import item_queue_counts_recount_for_import
from labeling.services.bulk import (
    import_annotation_item_ids,
    insert_new,
    item_files_discard_unused,
    item_ids_by_external_id,
    item_ids_created_after,
    max_item_id,
)
from labeling.services.import_parsers import (
    IMAGE_EXTENSIONS,
    CsvReader,
    ImageReader,
    ImportFileError,
    JsonlReader,
    ParsedRow,
    PlainTextReader,
    check_image,
    csv_layout,
    read_header_line,
    text_hash,
    zip_summary,
)

logger = logging.getLogger(__name__)

MAX_EXTERNAL_ID = EXTERNAL_ID_MAX_LENGTH

OPTION_KEYS = ("text_column", "label_column", "id_column", "delimiter")
ITEM_FIELDS = (
    "project",
    "external_id",
    "text",
    "image",
    "thumbnail",
    "metadata",
    "content_hash",
    "split",
    "created_at",
)
ANNOTATION_FIELDS = ("item", "labels", "source", "import_job", "created_at", "updated_at")


def _external_id_key(external_id: str) -> bytes:
    return hashlib.blake2b(external_id.encode(), digest_size=12).digest()


# Bucket (0-99) -> split: 80 % train, 10 % dev, 10 % test.
_SPLITS = [Split.TRAIN] * 80 + [Split.DEV] * 10 + [Split.TEST] * 10


def split_for(external_id: str) -> str:
    """A stable train/dev/test split (80/10/10) from the external id alone."""
    return _SPLITS[int.from_bytes(_external_id_key(external_id)[:4]) % 100]


def import_format_detect(*, filename: str, data_type: str) -> str:
    suffix = PurePosixPath(filename.lower()).suffix
    if data_type == DataType.IMAGE:
        if suffix == ".zip" or suffix in IMAGE_EXTENSIONS:
            return ImportFormat.IMAGES
        raise ApplicationError(
            f"An image project imports image files or a zip of images, not {suffix or 'this file'}."
        )
    formats = {
        ".csv": ImportFormat.CSV,
        ".tsv": ImportFormat.CSV,
        ".jsonl": ImportFormat.JSONL,
        ".ndjson": ImportFormat.JSONL,
        ".txt": ImportFormat.TEXT,
    }
    if suffix not in formats:
        raise ApplicationError(
            f"Cannot tell the format of {filename!r}; use .csv, .tsv, .jsonl or .txt, "
            "or pass format."
        )
    return formats[suffix]


def _check_upload(*, project: Project, upload: File, fmt: str, options: dict[str, Any]) -> None:
    """Refuse files we can tell are wrong before queueing them, naming the problem."""
    if upload.size == 0:
        raise ApplicationError("The file is empty.", extra={"file": upload.name})
    if fmt == ImportFormat.IMAGES and project.data_type != DataType.IMAGE:
        raise ApplicationError("Images can only be imported into an image project.")
    if fmt != ImportFormat.IMAGES and project.data_type != DataType.TEXT:
        raise ApplicationError("Text files can only be imported into a text project.")
    upload.seek(0)
    try:
        if fmt == ImportFormat.CSV:
            csv_layout(read_header_line(upload), filename=upload.name or "", options=options)
        elif fmt in (ImportFormat.JSONL, ImportFormat.TEXT):
            read_header_line(upload)
    except ImportFileError as exc:
        raise ApplicationError(str(exc), extra={"file": upload.name}) from exc
    finally:
        upload.seek(0)


def _check_zip(upload: File) -> None:
    """Refuse a zip whose central directory declares more entries or uncompressed bytes than
    the limits (``TANDEM_ZIP_MAX_ENTRIES``, ``TANDEM_ZIP_MAX_TOTAL_BYTES``): 413, nothing
    stored. The import counts again while it reads, in bytes actually decompressed."""
    upload.seek(0)
    try:
        if not zipfile.is_zipfile(upload):
            return
        upload.seek(0)
        summary = zip_summary(upload)
    except ImportFileError as exc:
        raise ApplicationError(str(exc), extra={"file": upload.name}) from exc
    finally:
        upload.seek(0)
    max_entries = settings.TANDEM_ZIP_MAX_ENTRIES
    if summary.entries > max_entries:
        raise payload_too_large(
            f"The zip has {summary.entries:,} entries; the limit is {max_entries:,}.",
            limit_entries=max_entries,
            entries=summary.entries,
        )
    max_total = settings.TANDEM_ZIP_MAX_TOTAL_BYTES
    if summary.total_bytes > max_total:
        raise payload_too_large(
            f"The zip holds {summary.total_bytes:,} bytes uncompressed; the limit is "
            f"{max_total:,} bytes.",
            limit_bytes=max_total,
            uncompressed_bytes=summary.total_bytes,
        )


def _client_name(upload: File) -> str:
    """The name the client gave the file, without any folders in front of it."""
    return PurePosixPath((upload.name or "").replace("\\", "/")).name


def _zip_uploads(uploads: Sequence[File]) -> ContentFile:
    """Several image files posted together become one stored (uncompressed) zip: one job."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for upload in uploads:
            name = _client_name(upload)
            with archive.open(name, "w") as member:
                for chunk in upload.chunks():
                    member.write(chunk)
    return ContentFile(buffer.getvalue(), name="images.zip")


@transaction.atomic
def import_job_create(
    *,
    project: Project,
    created_by: User,
    uploads: Sequence[File],
    fmt: str | None = None,
    options: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> ImportJob:
    """Store the upload and queue its import.

    Side effects: writes the file under a random name in MEDIA_ROOT/imports/<project>/
    (removed again if the job cannot be saved); after commit, queues
    ``labeling.tasks.import_job_run_task`` on the default queue (unless ``enqueue`` is false,
    for callers that run the job themselves).
    """
    options = {k: v for k, v in (options or {}).items() if k in OPTION_KEYS and v}
    if not uploads:
        raise ApplicationError("No file was uploaded (send it as 'file').")
    limit = settings.TANDEM_IMPORT_MAX_BYTES
    total = sum(u.size for u in uploads)
    if total > limit:
        raise payload_too_large(
            f"The upload is {total:,} bytes; the limit is {limit:,} bytes.", limit_bytes=limit
        )
    if len(uploads) > 1:
        if project.data_type != DataType.IMAGE:
            raise ApplicationError("Upload one text file per import.")
        stored: File = _zip_uploads(uploads)
        original_name = f"{len(uploads)} images"
        fmt = ImportFormat.IMAGES
    else:
        stored = uploads[0]
        original_name = _client_name(uploads[0])
        fmt = fmt or import_format_detect(filename=original_name, data_type=project.data_type)
        _check_upload(project=project, upload=uploads[0], fmt=fmt, options=options)
    if fmt == ImportFormat.IMAGES:
        _check_zip(stored)
    job = ImportJob(
        project=project,
        created_by=created_by,
        original_name=original_name[:255],
        format=fmt,
        options=options,
        total_bytes=stored.size,
    )
    # The upload is stored under a random name with an extension chosen from its format; the
    # uploader's name is kept only as text (``original_name``) and never becomes a path.
    with files_removed_on_error():
        job.file.name = file_store(
            folder=f"imports/{project.pk}",
            extension=_stored_extension(fmt, stored),
            content=stored,
        )
        job.save()
    if enqueue:
        _enqueue(job)
    return job


_STORED_EXTENSIONS: dict[str, str] = {
    ImportFormat.CSV: "csv",
    ImportFormat.JSONL: "jsonl",
    ImportFormat.TEXT: "txt",
}


def _stored_extension(fmt: str, upload: File) -> str:
    if fmt in _STORED_EXTENSIONS:
        return _STORED_EXTENSIONS[fmt]
    upload.seek(0)
    try:
        return "zip" if zipfile.is_zipfile(upload) else "bin"
    finally:
        upload.seek(0)


def _enqueue(job: ImportJob) -> None:
    from labeling.tasks import import_job_run_task

    # The task id is recorded once the broker took the message: a job still queued without
    # one is queued again by the periodic ``jobs_resend_unsent`` (see core.tasks).
    enqueue_on_commit(
        import_job_run_task,
        job.pk,
        on_sent=lambda task_id: ImportJob.objects.filter(pk=job.pk, task_id="").update(
            task_id=task_id
        ),
    )


@transaction.atomic
def import_job_retry(*, job: ImportJob) -> ImportJob:
    """Run an import again; rows already imported are recognised and not duplicated.

    A job still queued or running can be retried once it is older than the task time limit:
    by then the worker that had it is gone (killed, or its message lost).
    """
    stale_before = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    in_flight = job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    if in_flight and (job.started_at or job.created_at) > stale_before:
        raise ApplicationError("This import is still queued or running.", status_code=409)
    job.status = ImportStatus.QUEUED
    job.error_message = ""
    job.task_id = ""
    job.attempts = 0
    job.save(update_fields=["status", "error_message", "task_id", "attempts"])
    _enqueue(job)
    return job


# (row, external id, content hash, split, metadata as JSON)
_Accepted = tuple[ParsedRow, str, str, str, str]


class _ImportRun:
    """State of one pass over an import file."""

    def __init__(self, job: ImportJob, *, first_run: bool):
        self.job = job
        self.project = job.project
        # The first run of an import into an empty project cannot meet existing rows (the file's
        # own duplicates are caught in ``accept``): it skips looking them up. A concurrent import
        # into the same project is still safe: the insert then falls back to skipping conflicts.
        self.lookup_existing = not first_run or self.project.items.exists()
        self.class_names = set(self.project.label_classes.values_list("name", flat=True))
        self.batch: list[_Accepted] = []
        self.seen: dict[bytes, int] = {}
        self.errors: list[dict[str, Any]] = []
        self.unknown_labels: set[str] = set()
        self.counts = {
            "rows_seen": 0,
            "items_created": 0,
            "items_existing": 0,
            "duplicate_rows": 0,
            "annotations_created": 0,
            "error_count": 0,
        }
        self.batch_size = settings.TANDEM_IMPORT_BATCH_SIZE
        # Image bytes and text (a character counted as a byte) held in ``batch``.
        self.batch_bytes = 0
        self.batch_max_bytes = settings.TANDEM_IMPORT_BATCH_MAX_BYTES
        self.bytes_done = 0
        self._lock = threading.Lock()

    def error(self, line: int, message: str) -> None:
        with self._lock:  # writer threads report image errors too
            self.counts["error_count"] += 1
            if len(self.errors) < ImportJob.MAX_STORED_ERRORS:
                self.errors.append({"line": line, "message": message})

    def accept(self, row: ParsedRow) -> None:
        self.counts["rows_seen"] += 1
        if row.error:
            self.error(row.line, row.error)
            return
        if row.folder and row.folder in self.class_names:
            # ImageFolder layout (label/image.png); other folders only organise the files.
            row.labels = [row.folder]
        if row.labels:
            if len(row.labels) > 1:
                row.labels = list(dict.fromkeys(row.labels))  # "spam|spam" is one label
            unknown = [label for label in row.labels if label not in self.class_names]
            if unknown:
                self.unknown_labels.update(unknown)
                self.error(row.line, f"unknown label {', '.join(map(repr, unknown))}")
                return
            if len(row.labels) > 1 and self.project.task_type != TaskType.MULTILABEL:
                self.error(
                    row.line,
                    f"{len(row.labels)} labels ({', '.join(map(repr, row.labels))}); a "
                    f"{self.project.task_type} project takes one label per item",
                )
                return
        if row.external_id and len(row.external_id) > MAX_EXTERNAL_ID:
            # Cutting it short could make two different ids one and merge their rows.
            self.error(
                row.line,
                f"external id is {len(row.external_id):,} characters; "
                f"the limit is {MAX_EXTERNAL_ID}",
            )
            return
        if row.image_bytes is not None:
            content_hash = hashlib.sha256(row.image_bytes).hexdigest()
        else:
            content_hash = text_hash(row.text or "")
        external_id = row.external_id or f"sha256:{content_hash}"
        key = _external_id_key(external_id)
        first_line = self.seen.get(key)
        if first_line is not None and not row.external_id:
            # The same content again, with no id to tell the rows apart: one item, not an error.
            self.counts["duplicate_rows"] += 1
            return
        if first_line is not None:
            self.error(
                row.line, f"duplicate external id {external_id!r} (first on line {first_line})"
            )
            return
        self.seen[key] = row.line
        split = _SPLITS[int.from_bytes(key[:4]) % 100]
        metadata_json = orjson.dumps(row.metadata).decode()
        self.batch.append((row, external_id, content_hash, split, metadata_json))
        self.batch_bytes += (
            len(row.image_bytes or b"")
            + len(row.text or "")
            + len(metadata_json)
            + len(external_id)
        )

    @property
    def batch_full(self) -> bool:
        """A batch is written at TANDEM_IMPORT_BATCH_SIZE rows or TANDEM_IMPORT_BATCH_MAX_BYTES
        bytes, whichever comes first: memory stays bounded for large images too."""
        return len(self.batch) >= self.batch_size or self.batch_bytes >= self.batch_max_bytes

    def _store_image(
        self, row: ParsedRow, content_hash: str, stored: dict[str, tuple[str, str, dict]]
    ) -> tuple[str, str, dict[str, Any]] | None:
        """Verify and store one image; the same bytes again in a batch (``stored``, by content
        hash) reuse the files written for them."""
        if content_hash in stored:
            image_name, thumb_name, verified = stored[content_hash]
            return image_name, thumb_name, {**row.metadata, **verified}
        try:
            checked = check_image(
                row.image_bytes or b"", max_pixels=settings.TANDEM_IMAGE_MAX_PIXELS
            )
        except ValueError as exc:
            self.error(row.line, f"{row.external_id}: {exc}")
            return None
        # Random names: nothing about the file (its hash, its name in the upload) shows in them.
        image_name = file_store(
            folder=f"items/{self.project.pk}",
            extension=image_extension(checked.format),
            content=row.image_bytes or b"",
        )
        thumb_name = file_store(
            folder=f"thumbnails/{self.project.pk}",
            extension=checked.thumbnail_ext,
            content=checked.thumbnail,
        )
        verified = {"width": checked.width, "height": checked.height, "format": checked.format}
        stored[content_hash] = (image_name, thumb_name, verified)
        return image_name, thumb_name, {**row.metadata, **verified}

    def take_batch(self) -> list[_Accepted]:
        batch, self.batch = self.batch, []
        self.batch_bytes = 0
        return batch

    def write_and_report(self, batch: list[_Accepted], bytes_read: int) -> None:
        # A batch that fails leaves no images behind: its rows were never committed.
        with files_removed_on_error():
            written = self._write(batch) if batch else {}
        # Writer threads may finish batches out of order: counts add up, progress only grows.
        # The row is written under the lock too: otherwise a thread holding an older total
        # could write it after a newer one, and the finished job would show too few items.
        with self._lock:
            for key, value in written.items():
                self.counts[key] += value
            self.bytes_done = max(self.bytes_done, bytes_read)
            progress = {"processed_bytes": self.bytes_done, **self.counts}
            errors, unknown = list(self.errors), sorted(self.unknown_labels)
            ImportJob.objects.filter(pk=self.job.pk).update(
                **progress, errors=errors, unknown_labels=unknown
            )

    @transaction.atomic
    def _write(self, batch: list[_Accepted]) -> dict[str, int]:
        """Insert one batch in one transaction; returns what it added to the counts."""
        if connection.vendor == "postgresql":
            # Not waiting for the WAL flush of each batch is safe here: a crash loses at most
            # the last batches, and running the import again restores them without duplicates.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        now = timezone.now()
        project_id = self.project.pk
        existing = (
            item_ids_by_external_id(
                project_id=project_id, external_ids=[entry[1] for entry in batch]
            )
            if self.lookup_existing
            else {}
        )
        id_floor = max_item_id()
        new_items = []
        images_stored: dict[str, tuple[str, str, dict]] = {}
        for row, external_id, content_hash, split, metadata_json in batch:
            if external_id in existing:
                continue
            image = thumbnail = None
            if row.image_bytes is not None:
                stored = self._store_image(row, content_hash, images_stored)
                if stored is None:
                    continue
                image, thumbnail, metadata = stored
                metadata_json = orjson.dumps(metadata).decode()
            new_items.append(
                (project_id, external_id, row.text, image, thumbnail, metadata_json,
                 content_hash, split, now)
            )  # fmt: skip
        # A concurrent import may have added some of these since the lookup: those are skipped.
        created = insert_new(Item, ITEM_FIELDS, new_items)
        if created < len(new_items):
            item_files_discard_unused(project_id=project_id, rows=new_items)
        written = {
            "items_created": created,
            "items_existing": len(existing) + len(new_items) - created,
        }
        labeled = {entry[1]: entry[0].labels for entry in batch if entry[0].labels}
        if not labeled:
            return written
        if created == len(new_items):
            item_ids = {k: v for k, v in existing.items() if k in labeled}
            if created:
                created_ids = item_ids_created_after(project_id=project_id, after_id=id_floor)
                item_ids.update((k, v) for k, v in created_ids.items() if k in labeled)
        else:
            item_ids = item_ids_by_external_id(project_id=project_id, external_ids=list(labeled))
        # One imported annotation per item (also a partial unique index): re-runs add nothing.
        already = (
            import_annotation_item_ids(item_ids=[existing[k] for k in labeled if k in existing])
            if existing
            else set()
        )
        job_id = self.job.pk
        annotations = [
            (item_id, orjson.dumps(labeled[external_id]).decode(), AnnotationSource.IMPORT,
             job_id, now, now)
            for external_id, item_id in item_ids.items()
            if item_id not in already
        ]  # fmt: skip
        written["annotations_created"] = insert_new(Annotation, ANNOTATION_FIELDS, annotations)
        return written


class _BackgroundWriter:
    """Writes batches on other threads, each with its own connection, while the caller parses.

    Most of an import's cost is PostgreSQL maintaining indexes and checking foreign keys in
    its own processes; with writer threads that work runs beside the parsing instead of after
    it. At most two batches wait in the queue, which keeps memory bounded: with ``W`` writer
    threads, at most ``W + 3`` batches are held at once (one being filled, two waiting, one
    being written by each thread), each under TANDEM_IMPORT_BATCH_MAX_BYTES plus one row.
    """

    def __init__(self, run: _ImportRun, *, threads: int):
        self._run = run
        self._queue: queue.Queue[tuple[list[Any], int] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._threads = [
            threading.Thread(target=self._loop, name=f"import-writer-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, batch: list[Any], bytes_read: int) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((batch, bytes_read))

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        if self._error is not None:
            raise self._error

    def _loop(self) -> None:
        try:
            while (work := self._queue.get()) is not None:
                if self._error is None:
                    try:
                        self._run.write_and_report(*work)
                    except BaseException as exc:
                        self._error = exc
        finally:
            connection.close()


def _reader(job: ImportJob, fh: IO[bytes]) -> Any:
    max_chars = settings.TANDEM_TEXT_MAX_CHARS
    if job.format == ImportFormat.CSV:
        return CsvReader(fh, filename=job.original_name, options=job.options, max_chars=max_chars)
    if job.format == ImportFormat.JSONL:
        return JsonlReader(
            fh, options=job.options, max_chars=max_chars, max_depth=settings.TANDEM_JSON_MAX_DEPTH
        )
    if job.format == ImportFormat.TEXT:
        return PlainTextReader(fh, max_chars=max_chars)
    return ImageReader(
        job.file.path,
        filename=job.original_name,
        max_bytes=settings.TANDEM_IMAGE_MAX_BYTES,
        max_entries=settings.TANDEM_ZIP_MAX_ENTRIES,
        max_total_bytes=settings.TANDEM_ZIP_MAX_TOTAL_BYTES,
    )


def import_job_run(*, job_id: int) -> ImportJob:
    """Stream the job's file into items, committing every batch and recording progress.

    Rows already present (same external id, or same content when no id is given) are counted
    as existing, so running a job again, after a crash or by retry, completes it without
    duplicates. Row problems are reported with their line; only an unreadable file fails the job.

    Each run counts an attempt before it starts (committed). A job whose earlier runs all ended
    with their worker (killed, out of memory: Celery requeues such a message) is marked failed,
    saying so, once TANDEM_TASK_MAX_ATTEMPTS runs have been used, instead of running again.

    Side effects: when items were added, requests an embedding job for the project (unless
    ``TANDEM_EMBED_AFTER_IMPORT`` is off).
    """
    job = ImportJob.objects.select_related("project").get(pk=job_id)
    first_run = job.started_at is None
    # Counted and committed before any work: a run that kills its worker leaves it behind.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        error_message="",
        attempts=F("attempts") + 1,
    )
    job.refresh_from_db(fields=["attempts"])
    if task_attempts_exhausted(job.attempts):
        message = worker_lost_message(
            what="this import",
            attempts=job.attempts,
            retry="Retry it by hand once the cause is fixed.",
        )
        logger.error("import %s: %s", job.pk, message)
        _finish(job, status=ImportStatus.FAILED, message=message)
        job.refresh_from_db()
        return job
    run = _ImportRun(job, first_run=first_run)
    # Inside an outer transaction (tests, callers that batch work) another connection could
    # not see uncommitted rows, so batches are then written on this thread.
    overlap = (
        settings.TANDEM_IMPORT_WRITER_THREADS > 0
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )
    writer = (
        _BackgroundWriter(run, threads=settings.TANDEM_IMPORT_WRITER_THREADS) if overlap else None
    )
    write = writer.submit if writer else run.write_and_report
    try:
        try:
            with job.file.open("rb") as stored:
                # Django's File re-splits lines in Python; the raw file is several times faster.
                raw = stored
                while hasattr(raw, "file"):
                    raw = raw.file
                reader = _reader(job, raw)
                for row in reader:
                    run.accept(row)
                    if run.batch_full:
                        write(run.take_batch(), reader.bytes_read)
                write(run.take_batch(), job.total_bytes)
        finally:
            if writer:
                writer.close()
    except ImportFileError as exc:
        _finish(job, status=ImportStatus.FAILED, message=str(exc))
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, message=f"Import stopped: {exc}")
        raise
    else:
        if run.counts["rows_seen"] == 0:
            _finish(job, status=ImportStatus.FAILED, message="The file has no rows to import.")
        else:
            _finish(job, status=ImportStatus.SUCCEEDED, message="")
            if run.counts["items_created"] and settings.TANDEM_EMBED_AFTER_IMPORT:
                _request_embedding(job)
    if run.counts["items_created"] >= 10_000:
        _refresh_statistics()
    job.refresh_from_db()
    return job


def _request_embedding(job: ImportJob) -> None:
    """New items get their vectors right away, on the embeddings queue."""
    from labeling.services.learning_jobs import project_embedding_request
    from models_app.choices import JobTrigger

    project_embedding_request(
        project=job.project, trigger=JobTrigger.IMPORT, requested_by=job.created_by
    )


def _refresh_statistics() -> None:
    """After a bulk load, refresh the planner's statistics instead of waiting for autovacuum.

    Without it, queries right after a large first import are planned for an empty table.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE labeling_item, labeling_annotation")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")


def _finish(job: ImportJob, *, status: str, message: str) -> None:
    # Imported labels count towards the annotation queue's annotations per item.
    item_queue_counts_recount_for_import(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, error_message=message, finished_at=timezone.now()
    )
