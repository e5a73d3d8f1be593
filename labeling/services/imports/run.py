"""Running an import job: stream its file through the reader for its format into items, in
batches (``labeling.services.imports.batches``), and record how it ended."""

from __future__ import annotations

import logging
import zipfile
from contextlib import ExitStack
from typing import IO, Any

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from core.limits import task_attempts_exhausted, worker_lost_message
from labeling.choices import DataType, ImportFormat, ImportStatus, TaskType
from labeling.models import ImportJob
from labeling.services.imports.batches import BackgroundWriter, ImportRun
from labeling.services.imports.readers.csv_reader import CsvReader
from labeling.services.imports.readers.image_reader import ImageReader
from labeling.services.imports.readers.jsonl_reader import JsonlReader
from labeling.services.imports.readers.label_studio_reader import LabelStudioReader, LabelStudioZip
from labeling.services.imports.readers.parquet_reader import ParquetReader
from labeling.services.imports.readers.prodigy_reader import ProdigyReader
from labeling.services.imports.readers.rows import ImportFileError
from labeling.services.imports.readers.text_reader import PlainTextReader

# The package's name, as before the split: log lines (and filters on them) keep their logger.
logger = logging.getLogger("labeling.services.imports")


def _reader_for(job: ImportJob, fh: IO[bytes], stack: ExitStack) -> Any:
    max_chars = settings.TANDEM_TEXT_MAX_CHARS
    max_depth = settings.TANDEM_JSON_MAX_DEPTH
    if job.format == ImportFormat.LABEL_STUDIO:
        images = None
        is_zip = zipfile.is_zipfile(fh)
        fh.seek(0)
        if is_zip:
            bundle = LabelStudioZip(job.file.path, max_bytes=settings.TANDEM_IMAGE_MAX_BYTES)
            stack.callback(bundle.close)
            fh = stack.enter_context(bundle.open_export())
            images = bundle.resolve
        return LabelStudioReader(
            fh,
            options=job.options,
            max_chars=max_chars,
            max_depth=max_depth,
            images=images,
            image_project=job.project.data_type == DataType.IMAGE,
        )
    if job.format == ImportFormat.PRODIGY:
        project = job.project
        binary = (
            list(project.label_classes.order_by("order", "id").values_list("name", flat=True))
            if project.task_type == TaskType.BINARY
            else None
        )
        return ProdigyReader(fh, max_chars=max_chars, max_depth=max_depth, binary_classes=binary)
    if job.format == ImportFormat.PARQUET:
        return ParquetReader(
            job.file.path, filename=job.original_name, options=job.options, max_chars=max_chars
        )
    if job.format == ImportFormat.CSV:
        return CsvReader(fh, filename=job.original_name, options=job.options, max_chars=max_chars)
    if job.format == ImportFormat.JSONL:
        return JsonlReader(fh, options=job.options, max_chars=max_chars, max_depth=max_depth)
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
    run = ImportRun(job, first_run=first_run)
    # Inside an outer transaction (tests, callers that batch work) another connection could
    # not see uncommitted rows, so batches are then written on this thread.
    overlap = (
        settings.TANDEM_IMPORT_WRITER_THREADS > 0
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )
    writer = (
        BackgroundWriter(run, threads=settings.TANDEM_IMPORT_WRITER_THREADS) if overlap else None
    )
    write = writer.submit if writer else run.write_and_report
    try:
        try:
            with job.file.open("rb") as stored, ExitStack() as stack:
                # Django's File re-splits lines in Python; the raw file is several times faster.
                raw = stored
                while hasattr(raw, "file"):
                    raw = raw.file
                reader = _reader_for(job, raw, stack)
                for row in reader:
                    run.accept(row)
                    if run.batch_full:
                        write(run.take_batch(), reader.bytes_read)
                write(run.take_batch(), job.total_bytes)
        finally:
            if writer:
                writer.close()
        run.write_deferred()
    except ImportFileError as exc:
        # The batch being filled is dropped (nothing after a broken part of a file is trusted);
        # batches already written stay, and the message says how many.
        message = str(exc)
        if run.counts["items_created"] or run.counts["annotations_created"]:
            message += (
                f" {run.counts['items_created']:,} items and "
                f"{run.counts['annotations_created']:,} labels written before it were kept; "
                "running the import again on the whole file adds the rest without duplicates."
            )
        _finish(job, status=ImportStatus.FAILED, message=message)
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
        _refresh_statistics(
            items=run.counts["items_created"], annotations=run.counts["annotations_created"]
        )
    job.refresh_from_db()
    return job


def _request_embedding(job: ImportJob) -> None:
    """New items get their vectors right away, on the embeddings queue."""
    from labeling.services.learning_jobs import project_embedding_request
    from models_app.choices import JobTrigger

    project_embedding_request(
        project=job.project, trigger=JobTrigger.IMPORT, requested_by=job.created_by
    )


def _refresh_statistics(*, items: int, annotations: int) -> None:
    """After a bulk load, refresh the planner's statistics of a table the import at least
    doubled, instead of waiting for autovacuum.

    Without it, queries right after a large first import are planned for an empty table. A
    table that grew by less than that is left to autovacuum, which analyzes a table once a
    tenth of its rows changed (within a minute): its statistics are off by less than half
    meanwhile, which does not change a plan, while analyzing a table of a million rows costs
    most of a second of the import.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
        return
    added = {"labeling_item": items, "labeling_annotation": annotations}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class "
            "WHERE oid IN ('labeling_item'::regclass, 'labeling_annotation'::regclass)"
        )
        known = dict(cursor.fetchall())
        # reltuples is -1 (or 0) before a table's first analysis; it counted the rows before
        # the import when the table was analyzed since.
        stale = [
            table
            for table, rows in added.items()
            if rows and (known.get(table, -1) <= 0 or rows >= known[table])
        ]
        if stale:
            cursor.execute(f"ANALYZE {', '.join(stale)}")


def _finish(job: ImportJob, *, status: str, message: str) -> None:
    # No queue recount here: each batch sets its items' counters in its own transaction.
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, error_message=message, finished_at=timezone.now()
    )
