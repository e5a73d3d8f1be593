"""Import jobs: accept an upload, refuse what can be told wrong before it is queued, store it,
queue its run; run it again on request.

The run itself (streaming the file into items) is ``labeling.services.imports.run``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError, payload_too_large
from core.files import file_store, files_removed_on_error
from core.tasks import enqueue_on_commit
from labeling.choices import DataType, ImportFormat, ImportStatus
from labeling.models import ImportJob, Project
from labeling.services.imports.readers.csv_reader import csv_layout
from labeling.services.imports.readers.image_reader import IMAGE_EXTENSIONS, zip_summary
from labeling.services.imports.readers.lines import read_header_line
from labeling.services.imports.readers.parquet_reader import parquet_check
from labeling.services.imports.readers.prodigy_reader import is_prodigy_line
from labeling.services.imports.readers.rows import ImportFileError

OPTION_KEYS = ("text_column", "label_column", "id_column", "delimiter")


def _zip_names(upload: File) -> list[str] | None:
    """The file names in a zip upload, or None when it is not a zip."""
    upload.seek(0)
    try:
        if not zipfile.is_zipfile(upload):
            return None
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            return [i.filename for i in archive.infolist() if not i.is_dir()]
    except zipfile.BadZipFile as exc:
        raise ApplicationError(f"The zip file cannot be read: {exc}") from exc
    finally:
        upload.seek(0)


def _first_line_is_prodigy(upload: File) -> bool:
    import orjson

    upload.seek(0)
    try:
        first = read_header_line(upload)
        return is_prodigy_line(orjson.loads(first))
    except (ImportFileError, orjson.JSONDecodeError):
        return False  # the JSON Lines reader reports what is wrong with the line
    finally:
        upload.seek(0)


def import_format_detect(*, filename: str, data_type: str, upload: File | None = None) -> str:
    """The format of an upload from its name (and, for ``.jsonl`` and ``.zip``, its content):
    ``.json`` is a Label Studio export, ``.jsonl`` lines with ``answer`` or ``_task_hash`` are
    Prodigy's, ``.parquet`` (or a zip of them) is Parquet."""
    suffix = PurePosixPath(filename.lower()).suffix
    names = _zip_names(upload) if upload is not None and suffix == ".zip" else None
    holds = {PurePosixPath(n.lower()).suffix for n in names or []}
    if suffix == ".parquet" or ".parquet" in holds:
        # A snapshot export's zip also holds its manifest.json.
        return ImportFormat.PARQUET
    if suffix == ".json" or ".json" in holds:
        return ImportFormat.LABEL_STUDIO
    if data_type == DataType.IMAGE:
        if suffix == ".zip" or suffix in IMAGE_EXTENSIONS:
            return ImportFormat.IMAGES
        raise ApplicationError(
            f"An image project imports image files, a zip of images or a Label Studio export "
            f"(.json, or a zip of it with its images), not {suffix or 'this file'}."
        )
    if suffix in (".jsonl", ".ndjson") and upload is not None and _first_line_is_prodigy(upload):
        return ImportFormat.PRODIGY
    formats = {
        ".csv": ImportFormat.CSV,
        ".tsv": ImportFormat.CSV,
        ".jsonl": ImportFormat.JSONL,
        ".ndjson": ImportFormat.JSONL,
        ".txt": ImportFormat.TEXT,
    }
    if suffix not in formats:
        raise ApplicationError(
            f"Cannot tell the format of {filename!r}; use .csv, .tsv, .jsonl, .txt, .json "
            "(Label Studio), .parquet, or pass format."
        )
    return formats[suffix]


# Formats an image project takes; every other format is for text projects only.
_IMAGE_FORMATS = (ImportFormat.IMAGES, ImportFormat.LABEL_STUDIO)


def _check_json_array(upload: File) -> None:
    upload.seek(0)
    head = upload.read(64 * 1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    upload.seek(0)
    if not head.startswith(b"["):
        raise ImportFileError(
            "A Label Studio export is a JSON array of tasks (export it as JSON or JSON-MIN); "
            "this file does not start with '['."
        )


def _check_zipped(upload: File, fmt: str) -> None:
    """A zip for a Label Studio export (one .json and its images) or of Parquet files."""
    names = _zip_names(upload) or []
    if fmt == ImportFormat.LABEL_STUDIO:
        exports = [n for n in names if n.lower().endswith(".json") and "__MACOSX" not in n]
        if len(exports) != 1:
            raise ImportFileError(
                "The zip must hold exactly one Label Studio .json export "
                f"(it holds {len(exports)}) beside the image files."
            )
        return
    parquet_names = [n for n in names if n.lower().endswith(".parquet")]
    if not parquet_names:
        raise ImportFileError("The zip holds no .parquet file.")
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        for name in parquet_names:
            with archive.open(name) as member:
                try:
                    parquet_check(member)
                except ImportFileError as exc:
                    raise ImportFileError(f"{name}: {exc}") from exc
    upload.seek(0)


def _check_upload(*, project: Project, upload: File, fmt: str, options: dict[str, Any]) -> None:
    """Refuse files we can tell are wrong before queueing them, naming the problem."""
    if upload.size == 0:
        raise ApplicationError("The file is empty.", extra={"file": upload.name})
    if fmt == ImportFormat.IMAGES and project.data_type != DataType.IMAGE:
        raise ApplicationError("Images can only be imported into an image project.")
    if fmt not in _IMAGE_FORMATS and project.data_type != DataType.TEXT:
        raise ApplicationError("Text files can only be imported into a text project.")
    upload.seek(0)
    try:
        if fmt == ImportFormat.CSV:
            csv_layout(read_header_line(upload), filename=upload.name or "", options=options)
        elif fmt in (ImportFormat.JSONL, ImportFormat.TEXT, ImportFormat.PRODIGY):
            read_header_line(upload)
        elif fmt in (ImportFormat.LABEL_STUDIO, ImportFormat.PARQUET):
            if _zip_names(upload) is not None:
                _check_zip(upload)
                _check_zipped(upload, fmt)
            elif fmt == ImportFormat.LABEL_STUDIO:
                _check_json_array(upload)
            else:
                parquet_check(upload)
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
        fmt = fmt or import_format_detect(
            filename=original_name, data_type=project.data_type, upload=uploads[0]
        )
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
    ImportFormat.PRODIGY: "jsonl",
}


def _stored_extension(fmt: str, upload: File) -> str:
    if fmt in _STORED_EXTENSIONS:
        return _STORED_EXTENSIONS[fmt]
    upload.seek(0)
    try:
        if zipfile.is_zipfile(upload):
            return "zip"
    finally:
        upload.seek(0)
    return {"label_studio": "json", "parquet": "parquet"}.get(str(fmt), "bin")


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
