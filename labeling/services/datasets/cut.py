"""Cutting a dataset snapshot: the project's rows (``rows``) streamed into one Parquet file
with ``schema.SNAPSHOT_SCHEMA``, then stored (private, random name) with its counts, content
hash and manifest.

The file is deterministic: fixed writer options, row groups of exactly ``ROW_GROUP_ROWS``
rows whatever the pages were, no timestamps in it. Equal content gives equal bytes, and a
snapshot's file never changes once cut (exports are written from it alone).
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from django.contrib.auth.models import User
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from core.exceptions import ApplicationError
from core.files import file_store, files_removed_on_error
from core.limits import task_attempts_exhausted, text_problem, worker_lost_message
from core.services.audit import audit_record
from core.tasks import enqueue_on_commit
from labeling.choices import HUMAN_SOURCES, AnnotationSource, DataType, JobState, TaskType
from labeling.models import DatasetSnapshot, Project
from labeling.selectors.audit import project_audit_scope
from labeling.selectors.projects import project_label_class_names
from labeling.services.datasets.filters import SnapshotFilters, snapshot_filters_load
from labeling.services.datasets.formats import ExportSource
from labeling.services.datasets.formats.columnar import SplitFiles, parquet_file_name
from labeling.services.datasets.formats.zips import StagedZip
from labeling.services.datasets.rows import RowReader, candidate_count
from labeling.services.datasets.schema import LABEL_RULE, SNAPSHOT_SCHEMA
from labeling.services.snapshots import Snapshot

logger = logging.getLogger(__name__)

ROW_GROUP_ROWS = 50_000
# Progress is committed at most this often (each commit is a round trip and a transaction).
PROGRESS_EVERY_SECONDS = 1.0
FILE_NAME = "snapshot.parquet"
NAME_MAX_CHARS = 200
# Fixed, so the same rows always give the same bytes (pyarrow writes no time into the file).
WRITER_OPTIONS: dict[str, Any] = {
    "version": "2.6",
    # zstd level 1: measured at 1M rows, 0.37 s less to write than level 3 for a file 5 %
    # larger (66.0 against 63.1 MB). The stored file is read only by exports and diffs.
    "compression": "zstd",
    "compression_level": 1,
    "use_dictionary": ["split", "label_source", "resolution", "labels.list.element",
                       "annotators.list.element"],
    "write_statistics": True,
    "data_page_size": 1 << 20,
    "data_page_version": "1.0",
    "use_compliant_nested_type": True,
}  # fmt: skip


@dataclass
class CutResult:
    """A cut written to a temporary file, not stored yet."""

    path: Path
    rows: int
    counts: dict[str, Any]
    content_hash: str
    file_sha256: str
    # The project's label classes in their order when it was cut (exports' label codes).
    classes: list[str]
    # Training's view of the rows (only when asked for): the labels it learns from.
    training: Snapshot | None = None
    # Rows per split of the Parquet export written alongside (only when asked for).
    parquet_splits: dict[str, int] | None = None


def tandem_version() -> str:
    try:
        return package_metadata.version("tandem")
    except package_metadata.PackageNotFoundError:
        return "unknown"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _GroupWriter:
    """Writes the row groups on a thread of its own, in the order given: pyarrow encodes and
    compresses without holding the GIL, so the next pages are read and resolved meanwhile.
    The file is the same bytes as when written in line. At most one group waits."""

    def __init__(self, writer: pq.ParquetWriter):
        self._writer = writer
        self._groups: queue.Queue[pa.Table | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="snapshot-write", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (table := self._groups.get()) is not None:
            if self._error is None:
                try:
                    self._writer.write_table(table.combine_chunks(), row_group_size=ROW_GROUP_ROWS)
                except BaseException as exc:  # raised in the caller's thread
                    self._error = exc
            del table  # not kept while the next group is awaited

    def write(self, table: pa.Table) -> None:
        if self._error is not None:
            raise self._error
        self._groups.put(table)

    def close(self, *, failed: bool = False) -> None:
        """Wait for the groups handed over; raise what writing them raised (unless the caller
        is failing already)."""
        self._groups.put(None)
        self._thread.join()
        if self._error is not None and not failed:
            raise self._error


def snapshot_rows_write(
    *,
    project: Project,
    filters: SnapshotFilters,
    classes: list[str],
    on_page: Callable[[int], None] | None = None,
    for_training: bool = False,
    parquet_into: StagedZip | None = None,
) -> CutResult:
    """Read the project's rows and write them to a temporary Parquet file (the caller stores
    or removes it). ``on_page(items read so far)`` after each page (progress). With
    ``parquet_into``, the Parquet export's files are written there from the same pages (text
    projects): the bytes an export written later from the stored file would have."""
    reader = RowReader(project=project, filters=filters, classes=classes)
    parquet: SplitFiles | None = None
    if parquet_into is not None:
        parquet = _parquet_files(project=project, classes=classes, staging=parquet_into)
    handle, name = tempfile.mkstemp(prefix="tandem-snapshot-", suffix=".parquet")
    os.close(handle)
    path = Path(name)
    training: dict[str, list[Any]] = {key: [] for key in ("id", "labels", "split", "is_audit",
                                                          "label_source")}  # fmt: skip
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    items_read = 0
    rows = 0
    try:
        with pq.ParquetWriter(str(path), SNAPSHOT_SCHEMA, **WRITER_OPTIONS) as writer:
            groups = _GroupWriter(writer)

            def flush(limit: int) -> None:
                nonlocal pending, pending_rows
                table = pa.Table.from_batches(pending, schema=SNAPSHOT_SCHEMA)
                while table.num_rows >= limit and table.num_rows:
                    group = table.slice(0, ROW_GROUP_ROWS)
                    groups.write(group)
                    table = table.slice(group.num_rows)
                pending = table.to_batches()
                pending_rows = table.num_rows

            # A worker's cut reads ahead on a second connection; inside a transaction (tests,
            # callers batching work) that connection could not see its rows.
            read_ahead = connection.vendor == "postgresql" and not connection.in_atomic_block
            try:
                for page in reader.pages_read_ahead() if read_ahead else reader.pages():
                    items_read += page.items_read
                    if len(page):
                        rows += len(page)
                        pending.append(page.batch)
                        pending_rows += len(page)
                        if for_training:
                            for key, values in training.items():
                                values.extend(page.batch.column(key).to_pylist())
                        if parquet is not None:
                            parquet.add(page.batch)
                    if pending_rows >= ROW_GROUP_ROWS:
                        flush(ROW_GROUP_ROWS)
                    if on_page is not None:
                        on_page(items_read)
                if pending_rows:
                    flush(1)
            except BaseException:
                groups.close(failed=True)
                raise
            groups.close()
        parquet_splits = parquet.close() if parquet is not None else None
    except BaseException:
        if parquet is not None:
            parquet.close(failed=True)
        path.unlink(missing_ok=True)
        raise
    tally = reader.tally
    content_hash = tally.digest.hexdigest()
    result = CutResult(
        path=path,
        rows=rows,
        counts=tally.counts(),
        content_hash=content_hash,
        file_sha256=_file_sha256(path),
        classes=list(classes),
        parquet_splits=parquet_splits,
    )
    if for_training:
        result.training = Snapshot(
            item_ids=np.asarray(training["id"], dtype=np.int64),
            labels=training["labels"],
            splits=np.asarray(training["split"], dtype=object),
            is_audit=np.asarray(training["is_audit"], dtype=bool),
            human=np.asarray(
                [source != AnnotationSource.AUTO for source in training["label_source"]],
                dtype=bool,
            ),
            sources=np.asarray([str(source) for source in training["label_source"]], dtype=object),
            hash=content_hash,
        )
    return result


def _parquet_files(*, project: Project, classes: list[str], staging: StagedZip) -> SplitFiles:
    """The Parquet export's split files, written from the cut's pages. Its label codes are
    the project's classes in order: a cut keeps labels of existing classes only, so the
    stored file holds no other (which a later export would code after them)."""
    source = ExportSource(
        path="",
        project_id=project.pk,
        project_name=project.name,
        number=0,
        data_type=project.data_type,
        multilabel=project.task_type == TaskType.MULTILABEL,
        classes=tuple(classes),
        manifest={},
        manifest_sha256="",
    )
    return SplitFiles(
        source,
        hf=False,
        classes=list(classes),
        path_for=lambda split: staging.path(parquet_file_name(split)),
    )


def _manifest(snapshot: DatasetSnapshot, result: CutResult) -> dict[str, Any]:
    project = snapshot.project
    return {
        "snapshot": {"id": snapshot.pk, "number": snapshot.number, "name": snapshot.name},
        "project": {"id": project.pk, "name": project.name},
        "filters": snapshot.filters,
        "label_rule": LABEL_RULE,
        # What every export of it is written with, so a later rename of a class or an edit of
        # the guidelines does not change an export's bytes.
        "data_type": project.data_type,
        "task_type": project.task_type,
        "classes": result.classes,
        "guidelines": project.guidelines,
        "counts": result.counts,
        "content_hash": result.content_hash,
        "files": [{"path": FILE_NAME, "sha256": result.file_sha256, "rows": result.rows}],
        "tandem_version": tandem_version(),
        "created_by": snapshot.created_by.get_username() if snapshot.created_by else None,
        "created_at": snapshot.created_at.isoformat(),
        "training_job_id": snapshot.training_job_id,
    }


def manifest_sha256(manifest: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _store(snapshot: DatasetSnapshot, result: CutResult) -> DatasetSnapshot:
    """Store the cut's file under a random private name and record it on the snapshot, in one
    transaction (the file is removed again if that fails)."""
    with files_removed_on_error(), transaction.atomic(), result.path.open("rb") as fh:
        snapshot.file.name = file_store(
            folder=f"snapshots/{snapshot.project_id}",
            extension="parquet",
            content=File(fh, name=FILE_NAME),
        )
        snapshot.counts = result.counts
        snapshot.content_hash = result.content_hash
        snapshot.file_sha256 = result.file_sha256
        snapshot.label_rule = LABEL_RULE
        snapshot.rows_done = snapshot.rows_total
        snapshot.manifest = _manifest(snapshot, result)
        snapshot.manifest_sha256 = manifest_sha256(snapshot.manifest)
        snapshot.state = JobState.SUCCEEDED
        snapshot.error_message = ""
        snapshot.finished_at = timezone.now()
        snapshot.save()
    return snapshot


def snapshot_cut(snapshot: DatasetSnapshot) -> DatasetSnapshot:
    """Cut ``snapshot`` now, in this process: read its project's rows with its filters, write
    the Parquet file, store it with the counts, content hash and manifest; the snapshot ends
    ``succeeded``. A text project's Parquet export is written from the same pages and stored
    as the snapshot's succeeded export in that format (should storing it fail, the snapshot
    stands and the export is written when asked for). Progress (``rows_done`` of
    ``rows_total``, items read) is committed after a page, at most once a second, when not
    inside a transaction. Raises on failure (nothing is stored then)."""
    project = snapshot.project
    filters = snapshot_filters_load(snapshot.filters)
    total = candidate_count(project=project, filters=filters)
    DatasetSnapshot.objects.filter(pk=snapshot.pk).update(rows_total=total, rows_done=0)
    snapshot.rows_total = total

    last_written = time.monotonic()

    def progress(items_read: int) -> None:
        nonlocal last_written
        if time.monotonic() - last_written >= PROGRESS_EVERY_SECONDS:
            DatasetSnapshot.objects.filter(pk=snapshot.pk).update(rows_done=min(items_read, total))
            last_written = time.monotonic()

    from labeling.services.datasets.exports import parquet_export_store

    # A text project's Parquet export is written by the cut, from the same pages: ready when
    # the snapshot is (an image project's would embed every image, so it waits to be asked).
    with tempfile.TemporaryDirectory(prefix="tandem-export-") as folder:
        staging = StagedZip(Path(folder)) if project.data_type == DataType.TEXT else None
        result = snapshot_rows_write(
            project=project,
            filters=filters,
            classes=project_label_class_names(project=project),
            on_page=progress,
            parquet_into=staging,
        )
        try:
            if result.rows == 0:
                raise ApplicationError("The filters select no items (nothing to snapshot).")
            snapshot = _store(snapshot, result)
        finally:
            result.path.unlink(missing_ok=True)
        if staging is not None and result.parquet_splits is not None:
            try:
                parquet_export_store(
                    snapshot=snapshot,
                    staging=staging,
                    splits=result.parquet_splits,
                    rows=result.rows,
                )
            except Exception:
                # The snapshot stands; its Parquet export is written when asked for.
                logger.exception("snapshot %s: its Parquet export could not be stored", snapshot.pk)
    return snapshot


def snapshot_run(*, snapshot_id: int) -> DatasetSnapshot | None:
    """Run a queued snapshot (the Celery task's body): count the attempt (committed first, so
    a run that kills its worker is counted), cut it, record how it ended. A snapshot whose
    earlier runs all ended with their worker is failed once ``TANDEM_TASK_MAX_ATTEMPTS`` runs
    were used. Never raises for a failed cut: the snapshot says what went wrong."""
    snapshot = (
        DatasetSnapshot.objects.select_related("project", "created_by")
        .filter(pk=snapshot_id)
        .first()
    )
    if snapshot is None or snapshot.state in (JobState.SUCCEEDED, JobState.FAILED):
        return snapshot
    DatasetSnapshot.objects.filter(pk=snapshot.pk).update(
        state=JobState.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        error_message="",
        attempts=F("attempts") + 1,
    )
    snapshot.refresh_from_db(fields=["attempts", "state", "started_at"])
    if task_attempts_exhausted(snapshot.attempts):
        message = worker_lost_message(
            what="this snapshot",
            attempts=snapshot.attempts,
            retry="Cut a new snapshot once the cause is fixed.",
        )
        logger.error("snapshot %s: %s", snapshot.pk, message)
        return _fail(snapshot, message)
    try:
        return snapshot_cut(snapshot)
    except Exception as exc:
        logger.exception("snapshot %s failed", snapshot.pk)
        return _fail(snapshot, f"The snapshot could not be cut: {exc}")


def _fail(snapshot: DatasetSnapshot, message: str) -> DatasetSnapshot:
    DatasetSnapshot.objects.filter(pk=snapshot.pk).update(
        state=JobState.FAILED, error_message=message[:2000], finished_at=timezone.now()
    )
    snapshot.refresh_from_db()
    return snapshot


def _next_number(project: Project) -> int:
    # The project row is locked: two snapshots cut at once never get the same number.
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk").first()
    newest = DatasetSnapshot.objects.filter(project=project).aggregate(n=Max("number"))["n"]
    return (newest or 0) + 1


def snapshot_name_check(name: Any) -> str:
    if name is None:
        return ""
    if not isinstance(name, str):
        raise ApplicationError("name must be text.", extra={"field": "name"})
    name = name.strip()
    if len(name) > NAME_MAX_CHARS:
        raise ApplicationError(
            f"name: at most {NAME_MAX_CHARS} characters (this one has {len(name):,}).",
            extra={"field": "name", "limit": NAME_MAX_CHARS},
        )
    problem = text_problem(name)
    if problem:
        raise ApplicationError(f"name: {problem}.", extra={"field": "name"})
    return name


@transaction.atomic
def snapshot_create(
    *,
    project: Project,
    created_by: User | None,
    filters: SnapshotFilters,
    name: str = "",
    enqueue: bool = True,
) -> DatasetSnapshot:
    """Queue a snapshot of the project with these (validated) filters.

    Refuses (400, nothing stored) when the filters select nothing, or when the project has
    nothing to snapshot (see ``snapshot_selection_check``).

    Side effects: a ``dataset_snapshot.create`` audit record; after commit, queues
    ``labeling.tasks.snapshot_cut_task`` (unless ``enqueue`` is false: the caller runs
    ``snapshot_run`` itself) and records its task id.
    """
    from labeling.services.datasets.preview import snapshot_selection_check

    name = snapshot_name_check(name)
    snapshot_selection_check(project=project, filters=filters)
    snapshot = DatasetSnapshot.objects.create(
        project=project,
        number=_next_number(project),
        name=name,
        created_by=created_by,
        filters=filters.as_json(),
        label_rule=LABEL_RULE,
    )
    audit_record(
        actor=created_by,
        action="dataset_snapshot.create",
        object_type="labeling.dataset_snapshot",
        object_id=snapshot.pk,
        scope=project_audit_scope(project_id=project.pk),
        after={"number": snapshot.number, "name": name, "filters": snapshot.filters},
    )
    if enqueue:
        snapshot_enqueue(snapshot)
    return snapshot


def snapshot_enqueue(snapshot: DatasetSnapshot) -> None:
    from labeling.tasks import snapshot_cut_task

    enqueue_on_commit(
        snapshot_cut_task,
        snapshot.pk,
        on_sent=lambda task_id: DatasetSnapshot.objects.filter(pk=snapshot.pk, task_id="").update(
            task_id=task_id
        ),
    )


# --- training ------------------------------------------------------------------------------------


def dataset_snapshot_key(snapshot_id: int | None) -> str:
    """What a model version records as its training snapshot (``ModelVersion.snapshot_id``)."""
    return f"dataset-snapshot-{snapshot_id}"


def training_filters(project: Project) -> SnapshotFilters:
    """The filters a training run's snapshot is cut with: the labels training learns from."""
    sources = tuple(str(source) for source in HUMAN_SOURCES)
    if project.train_on_auto_labels:
        sources = (*sources, str(AnnotationSource.AUTO))
    return SnapshotFilters(
        sources=sources,
        splits=(),
        classes=(),
        labeled_only=True,
        labeled_after=None,
        labeled_before=None,
        metadata={},
    )


def training_snapshot_cut(
    *, project: Project, classes: list[str], job_id: int, requested_by: User | None
) -> tuple[DatasetSnapshot, Snapshot]:
    """The dataset snapshot a training run learns from, cut synchronously, and training's
    view of its rows. When the project's newest succeeded snapshot has the same filters and
    the same content hash, that one is linked instead of storing a second, equal file.

    Side effects: a new snapshot (numbered, ``training_job_id`` set, named "Training job N")
    with its stored file, unless an identical one is reused.
    """
    filters = training_filters(project)
    stored_filters = filters.as_json()
    result = snapshot_rows_write(project=project, filters=filters, classes=classes,
                                 for_training=True)  # fmt: skip
    assert result.training is not None
    try:
        newest = (
            DatasetSnapshot.objects.filter(project=project, state=JobState.SUCCEEDED)
            .order_by("-number")
            .first()
        )
        if (
            newest is not None
            and newest.filters == stored_filters
            and newest.content_hash == result.content_hash
        ):
            return newest, result.training
        with transaction.atomic():
            snapshot = DatasetSnapshot.objects.create(
                project=project,
                number=_next_number(project),
                name=f"Training job {job_id}",
                created_by=requested_by,
                training_job_id=job_id,
                filters=stored_filters,
                label_rule=LABEL_RULE,
                state=JobState.RUNNING,
                started_at=timezone.now(),
                rows_total=result.rows,
            )
            snapshot = _store(snapshot, result)
        return snapshot, result.training
    finally:
        result.path.unlink(missing_ok=True)
