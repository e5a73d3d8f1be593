"""Export jobs: one file per (snapshot, format), written by a Celery task from the snapshot's
stored file (``labeling.services.datasets.formats``), stored privately, downloaded as is.

Requesting is idempotent: the export of a (snapshot, format) that exists and did not fail is
returned as it is; a failed one is queued again. A run counts its attempt before it starts, so
a worker killed mid-run (Celery requeues its message) is retried at most
``TANDEM_TASK_MAX_ATTEMPTS`` times and then marked failed; a failed run leaves no file behind.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from core.files import file_store, files_removed_on_error
from core.limits import task_attempts_exhausted, worker_lost_message
from core.services.audit import audit_record
from core.tasks import enqueue_on_commit
from labeling.choices import DatasetFormat, DataType, JobState, TaskType
from labeling.models import DatasetExport, DatasetSnapshot
from labeling.selectors.audit import project_audit_scope
from labeling.services.datasets.formats import (
    ExportError,
    ExportResult,
    ExportSource,
    export_file_name,
    export_finish,
    export_write,
    format_problem,
)
from labeling.services.datasets.formats.zips import StagedZip, sha256_file

logger = logging.getLogger(__name__)

# Progress is written at most this often (and at the end).
PROGRESS_EVERY_SECONDS = 1.0


def _multilabel(snapshot: DatasetSnapshot) -> bool:
    return snapshot.project.task_type == TaskType.MULTILABEL


def dataset_export_check(*, snapshot: DatasetSnapshot, fmt: str) -> None:
    """Refuse, before anything is stored, an export that cannot be made: an unknown format,
    one the project cannot have (ImageFolder of a text or multilabel project), or a snapshot
    that has not been cut (yet)."""
    if fmt not in DatasetFormat.values:
        raise ApplicationError(
            f"Unknown export format {fmt!r}.", extra={"formats": list(DatasetFormat.values)}
        )
    problem = format_problem(
        fmt=fmt, data_type=snapshot.project.data_type, multilabel=_multilabel(snapshot)
    )
    if problem:
        raise ApplicationError(problem)
    if snapshot.state != JobState.SUCCEEDED or not snapshot.file:
        raise ApplicationError(
            f"Snapshot {snapshot.number} is {snapshot.state}; it can be exported once it "
            "has been cut.",
            status_code=409,
        )


@transaction.atomic
def dataset_export_request(
    *, snapshot: DatasetSnapshot, fmt: str, user: User | None, enqueue: bool = True
) -> tuple[DatasetExport, bool]:
    """The ``fmt`` export of ``snapshot``: the existing one unless it failed, else a new (or
    the failed one, reset) queued export. Returns ``(export, queued)``.

    Side effects (when queued): a ``dataset_export.create`` audit record; after commit,
    ``labeling.tasks.dataset_export_run_task`` on the default queue (unless ``enqueue`` is
    false, for callers that run it themselves).
    """
    dataset_export_check(snapshot=snapshot, fmt=fmt)
    export, created = DatasetExport.objects.select_for_update().get_or_create(
        snapshot=snapshot, format=fmt, defaults={"created_by": user}
    )
    if not created and export.state != JobState.FAILED:
        return export, False
    if not created:
        export.state = JobState.QUEUED
        export.error_message = ""
        export.task_id = ""
        export.attempts = 0
        export.rows_done = 0
        export.created_by = user
        export.started_at = export.finished_at = None
        export.save()
    audit_record(
        actor=user,
        action="dataset_export.create",
        object_type="labeling.dataset_export",
        object_id=export.pk,
        scope=project_audit_scope(project_id=snapshot.project_id),
        after={"snapshot": snapshot.number, "format": fmt},
    )
    if enqueue:
        _enqueue(export)
    return export, True


def _enqueue(export: DatasetExport) -> None:
    from labeling.tasks import dataset_export_run_task

    enqueue_on_commit(
        dataset_export_run_task,
        export.pk,
        on_sent=lambda task_id: DatasetExport.objects.filter(pk=export.pk, task_id="").update(
            task_id=task_id
        ),
    )


@contextlib.contextmanager
def _local_copy(snapshot: DatasetSnapshot) -> Iterator[str]:
    """A local path of the snapshot's stored file: the file itself on a local disk, a
    temporary copy (streamed) from an object store."""
    try:
        local = snapshot.file.path
    except NotImplementedError:
        local = ""
    if local:
        yield local
        return
    with tempfile.NamedTemporaryFile(suffix=".parquet") as copy:
        with snapshot.file.open("rb") as stored:
            shutil.copyfileobj(stored, copy, length=1024 * 1024)
        copy.flush()
        yield copy.name


def _read_image(name: str) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(name, "rb") as handle:
        return handle.read()


def export_source(*, snapshot: DatasetSnapshot, path: str) -> ExportSource:
    """What the writers need. The class names and guidelines are the manifest's when it
    records them (as they were when the snapshot was cut), else the project's."""
    project = snapshot.project
    manifest = snapshot.manifest or {}
    classes = manifest.get("classes") or list(
        project.label_classes.order_by("order", "id").values_list("name", flat=True)
    )
    guidelines = manifest.get("guidelines")
    image_url = ""
    if project.data_type == DataType.IMAGE:  # (reversing loads the URLconf: only when needed)
        image_url = reverse("item-image", kwargs={"project_id": project.pk, "item_id": 0})
    return ExportSource(
        path=path,
        project_id=project.pk,
        project_name=project.name,
        number=snapshot.number,
        data_type=project.data_type,
        multilabel=_multilabel(snapshot),
        classes=tuple(str(name) for name in classes),
        manifest=manifest,
        manifest_sha256=snapshot.manifest_sha256,
        guidelines=guidelines if isinstance(guidelines, str) else project.guidelines,
        image_url_template=image_url.replace("/items/0/", "/items/%d/"),
        read_image=_read_image,
    )


def dataset_export_run(*, export_id: int) -> DatasetExport:
    """Write the export's file from its snapshot's stored file and record it.

    Safe to run twice: a succeeded export is left as it is. Progress (``rows_done`` of
    ``rows_total``) is written as the rows are read. A failure (the snapshot file unreadable,
    an image missing) marks the export failed with a message; the staging files and any
    stored file are removed.
    """
    export = DatasetExport.objects.select_related("snapshot__project").get(pk=export_id)
    if export.state == JobState.SUCCEEDED:
        return export
    DatasetExport.objects.filter(pk=export.pk).update(
        state=JobState.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        error_message="",
        rows_done=0,
        attempts=F("attempts") + 1,
    )
    export.refresh_from_db(fields=["attempts"])
    if task_attempts_exhausted(export.attempts):
        message = worker_lost_message(
            what="this export",
            attempts=export.attempts,
            retry="Request it again once the cause is fixed.",
        )
        return _fail(export, message)
    snapshot = export.snapshot
    last_written = time.monotonic()

    def progress(done: int) -> None:
        nonlocal last_written
        if time.monotonic() - last_written >= PROGRESS_EVERY_SECONDS:
            DatasetExport.objects.filter(pk=export.pk).update(rows_done=done)
            last_written = time.monotonic()

    try:
        with tempfile.TemporaryDirectory(prefix="tandem-export-") as folder:
            out = Path(folder) / "export.zip"
            with _local_copy(snapshot) as path:
                source = export_source(snapshot=snapshot, path=path)
                rows_total = source.rows_total
                DatasetExport.objects.filter(pk=export.pk).update(rows_total=rows_total)
                result = export_write(fmt=export.format, source=source, out=out, progress=progress)
            with files_removed_on_error(), transaction.atomic():
                DatasetExport.objects.filter(pk=export.pk).update(
                    **_stored_zip(snapshot=snapshot, fmt=export.format, out=out, result=result),
                    state=JobState.SUCCEEDED,
                    rows_total=rows_total,
                    rows_done=rows_total,
                    finished_at=timezone.now(),
                )
    except ExportError as exc:
        return _fail(export, str(exc))
    except (pa.ArrowException, FileNotFoundError) as exc:
        # The stored file is missing, truncated or not Parquet: nothing a retry would change.
        return _fail(export, f"The snapshot's stored file cannot be read: {exc}")
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        _fail(export, f"Export stopped: {exc}")
        raise
    export.refresh_from_db()
    return export


def _stored_zip(
    *, snapshot: DatasetSnapshot, fmt: str, out: Path, result: ExportResult
) -> dict[str, Any]:
    """Store the export's zip ``out`` under a random private name (the caller's transaction
    and ``files_removed_on_error``); returns the export's fields that describe it."""
    with out.open("rb") as handle:
        name = file_store(
            folder=f"snapshot-exports/{snapshot.project_id}", extension="zip", content=File(handle)
        )
    return {
        "file": name,
        "file_name": export_file_name(
            project_id=snapshot.project_id, number=snapshot.number, fmt=fmt
        ),
        "size_bytes": out.stat().st_size,
        "sha256": sha256_file(out),
        "files": result.files,
    }


def parquet_export_store(
    *, snapshot: DatasetSnapshot, staging: StagedZip, splits: dict[str, int], rows: int
) -> DatasetExport:
    """Store the Parquet export a cut wrote from its pages (``staging``: the split files) as
    the snapshot's succeeded export in that format: the zip a requested export would write
    (same manifest, same bytes), recorded and audited as if it had been requested by whoever
    asked for the snapshot. Runs right after the snapshot is stored, before anyone can ask."""
    source = export_source(snapshot=snapshot, path="")
    started = timezone.now()
    with tempfile.TemporaryDirectory(prefix="tandem-export-") as folder:
        out = Path(folder) / "export.zip"
        result = export_finish(
            fmt=DatasetFormat.PARQUET, source=source, staging=staging,
            details={"splits": splits}, out=out,
        )  # fmt: skip
        with files_removed_on_error(), transaction.atomic():
            export = DatasetExport.objects.create(
                **_stored_zip(snapshot=snapshot, fmt=DatasetFormat.PARQUET, out=out, result=result),
                snapshot=snapshot,
                format=DatasetFormat.PARQUET,
                created_by=snapshot.created_by,
                state=JobState.SUCCEEDED,
                rows_total=rows,
                rows_done=rows,
                attempts=1,
                started_at=started,
            )
            # Finished when it was recorded (never before it was created).
            export.finished_at = export.created_at
            export.save(update_fields=["finished_at"])
            audit_record(
                actor=snapshot.created_by,
                action="dataset_export.create",
                object_type="labeling.dataset_export",
                object_id=export.pk,
                scope=project_audit_scope(project_id=snapshot.project_id),
                after={"snapshot": snapshot.number, "format": export.format, "with_cut": True},
            )
    return export


def _fail(export: DatasetExport, message: str) -> DatasetExport:
    logger.error("export %s: %s", export.pk, message)
    DatasetExport.objects.filter(pk=export.pk).update(
        state=JobState.FAILED, error_message=message, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def dataset_export_download_check(*, export: DatasetExport | None) -> DatasetExport:
    """The export to download: 404 when never requested, 409 while not (yet) written."""
    if export is None:
        raise ApplicationError(
            "This snapshot has not been exported in this format.", status_code=404
        )
    if export.state != JobState.SUCCEEDED or not export.file:
        raise ApplicationError(
            f"The export is {export.state}; download it once it has succeeded.",
            status_code=409,
            extra={"state": export.state, "error_message": export.error_message},
        )
    return export
