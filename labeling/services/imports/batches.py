"""One pass over an import file: rows accepted into batches, batches written and progress
reported.

``ImportRun`` checks each parsed row (labels, ids, duplicates inside the file) and holds it in
a batch written at ``TANDEM_IMPORT_BATCH_SIZE`` rows or ``TANDEM_IMPORT_BATCH_MAX_BYTES``
bytes, each batch in one transaction; counts, errors and progress are kept under one lock
because ``BackgroundWriter`` threads may write batches while the file is still being parsed.
``labeling.services.imports.run`` drives it.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.files import file_store, files_removed_on_error, image_extension
from core.images import check_image
from labeling.choices import AnnotationSource, TaskType
from labeling.models import Annotation, ImportJob, Item
from labeling.models.item import EXTERNAL_ID_MAX_LENGTH
from labeling.services.bulk_sql import (
    import_annotation_item_ids,
    insert_new,
    item_files_discard_unused,
    item_ids_by_external_id,
    item_ids_created_after,
    max_item_id,
)
from labeling.services.imports.item_rows import ITEM_FIELDS, external_id_key, split_for_key
from labeling.services.imports.readers.rows import ParsedRow, text_hash

MAX_EXTERNAL_ID = EXTERNAL_ID_MAX_LENGTH

ANNOTATION_FIELDS = ("item", "labels", "source", "import_job", "created_at", "updated_at")


# (row, external id, content hash, split, metadata as JSON)
_Accepted = tuple[ParsedRow, str, str, str, str]


class ImportRun:
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
        key = external_id_key(external_id)
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
        split = split_for_key(key)
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


class BackgroundWriter:
    """Writes batches on other threads, each with its own connection, while the caller parses.

    Most of an import's cost is PostgreSQL maintaining indexes and checking foreign keys in
    its own processes; with writer threads that work runs beside the parsing instead of after
    it. At most two batches wait in the queue, which keeps memory bounded: with ``W`` writer
    threads, at most ``W + 3`` batches are held at once (one being filled, two waiting, one
    being written by each thread), each under TANDEM_IMPORT_BATCH_MAX_BYTES plus one row.
    """

    def __init__(self, run: ImportRun, *, threads: int):
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
