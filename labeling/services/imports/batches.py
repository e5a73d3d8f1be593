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
    item_ids_reserve,
    item_scores_update,
    max_item_id,
)
from labeling.services.imports.item_rows import ITEM_FIELDS, external_id_key, split_for_key
from labeling.services.imports.readers.rows import ParsedRow, text_hash
from labeling.services.queue_counts import item_queue_counts_recount

MAX_EXTERNAL_ID = EXTERNAL_ID_MAX_LENGTH

# An imported item's row also sets its queue counters (``labeling.services.queue_counts``).
IMPORT_ITEM_FIELDS = (*ITEM_FIELDS, "queue_annotations", "queue_done")

ANNOTATION_FIELDS = (
    "item",
    "labels",
    "source",
    "import_job",
    "created_at",
    "updated_at",
    "import_annotator",
)


# (row, external id, content hash, split, metadata as JSON, [(import annotator, labels)])
_Accepted = tuple[ParsedRow, str, str, str, str, list[tuple[str, list[str]]]]


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
        # (item key, import annotator) of rows with people's labels: a later row of the same
        # item by someone else adds that person's annotation (Prodigy: one line per person).
        self.annotators_seen: set[tuple[bytes, str]] = set()
        # Those later rows' annotations, written once every batch is in (their item may be in
        # a batch another writer thread has not committed yet).
        self.deferred: list[tuple[int, str, str, list[str]]] = []
        # What rows held that is not imported, by reason (cancelled annotations, ignored
        # answers, …): each row is still imported.
        self.skipped: dict[str, int] = {}
        # Another tool's model version name -> the id of its "imported" ModelVersion.
        self.imported_versions: dict[str, int] = {}
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

    def skip(self, reasons: list[str]) -> None:
        with self._lock:
            for reason in reasons:
                self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def _labels_error(self, labels: list[str]) -> str | None:
        unknown = [label for label in labels if label not in self.class_names]
        if unknown:
            self.unknown_labels.update(unknown)
            return f"unknown label {', '.join(map(repr, unknown))}"
        if len(labels) > 1 and self.project.task_type != TaskType.MULTILABEL:
            return (
                f"{len(labels)} labels ({', '.join(map(repr, labels))}); a "
                f"{self.project.task_type} project takes one label per item"
            )
        return None

    def accept(self, row: ParsedRow) -> None:
        self.counts["rows_seen"] += 1
        if row.error:
            self.error(row.line, row.error)
            return
        if row.folder and row.folder in self.class_names:
            # ImageFolder layout (label/image.png); other folders only organise the files.
            row.labels = [row.folder]
        if row.annotations is None:
            annotations = [("", row.labels)] if row.labels else []
        else:
            annotations = row.annotations
        for index, (annotator, labels) in enumerate(annotations):
            if len(labels) > 1:
                labels = list(dict.fromkeys(labels))  # "spam|spam" is one label
                annotations[index] = (annotator, labels)
            problem = self._labels_error(labels)
            if problem:
                # Nothing of the row is stored: adding the class and retrying imports it whole.
                self.error(row.line, f"{problem} (annotator {annotator})" if annotator else problem)
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
        if (
            first_line is not None
            and annotations
            and all(
                annotator and (key, annotator) not in self.annotators_seen
                for annotator, _ in annotations
            )
        ):
            # The same item again with other people's labels: their annotations are added.
            for annotator, labels in annotations:
                self.annotators_seen.add((key, annotator))
                self.deferred.append((row.line, external_id, annotator, labels))
            self._report_row_extras(row)
            return
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
        for annotator, _ in annotations:
            if annotator:
                self.annotators_seen.add((key, annotator))
        self._report_row_extras(row)
        if row.prediction is not None:
            problem = self._labels_error([row.prediction[0]])
            if problem:
                self.error(row.line, f"proposal not imported: {problem}")
                row.prediction = None
            else:
                self._imported_version(row.prediction[2])
        split = row.split or split_for_key(key)
        metadata_json = orjson.dumps(row.metadata).decode()
        self.batch.append((row, external_id, content_hash, split, metadata_json, annotations))
        self.batch_bytes += (
            len(row.image_bytes or b"")
            + len(row.text or "")
            + len(metadata_json)
            + len(external_id)
        )

    def _report_row_extras(self, row: ParsedRow) -> None:
        if row.skipped:
            self.skip(row.skipped)
        if row.unmapped:
            self.error(row.line, row.unmapped)

    def _imported_version(self, name: str) -> int:
        """The "imported" model version standing for another tool's model ``name``."""
        if name not in self.imported_versions:
            from models_app.services.registry import model_version_register_imported

            version = model_version_register_imported(
                owner=self.project.owner_key, name=name, created_by=self.job.created_by
            )
            self.imported_versions[name] = version.pk
        return self.imported_versions[name]

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
            skipped = dict(self.skipped)
            ImportJob.objects.filter(pk=self.job.pk).update(
                **progress, errors=errors, unknown_labels=unknown, skipped=skipped
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
        # On PostgreSQL a batch with labels or proposals takes its new items' ids from the
        # sequence first: the labels then need no look-up of the ids just inserted.
        reserved = (
            item_ids_reserve(len(batch) - len(existing))
            if connection.vendor == "postgresql"
            and any(entry[5] or entry[0].prediction is not None for entry in batch)
            else None
        )
        id_floor = max_item_id() if reserved is None else 0
        next_id = iter(reserved or ())
        new_items: list[tuple[Any, ...]] = []
        images_stored: dict[str, tuple[str, str, dict]] = {}
        per_item = self.project.annotations_per_item
        for row, external_id, content_hash, split, metadata_json, people in batch:
            if external_id in existing:
                continue
            image = thumbnail = None
            if row.image_bytes is not None:
                stored = self._store_image(row, content_hash, images_stored)
                if stored is None:
                    continue
                image, thumbnail, metadata = stored
                metadata_json = orjson.dumps(metadata).decode()
            # A new item's queue counters are its imported labels, one per source annotator
            # (all of them are added below): no recount needed afterwards.
            labels = len({annotator for annotator, _ in people})
            new_items.append(
                (project_id, external_id, row.text, image, thumbnail, metadata_json,
                 content_hash, split, now, labels, labels >= per_item)
                if reserved is None
                else (project_id, external_id, row.text, image, thumbnail, metadata_json,
                      content_hash, split, now, labels, labels >= per_item, next(next_id))
            )  # fmt: skip
        # A concurrent import may have added some of these since the lookup: those are skipped.
        created = insert_new(
            Item, IMPORT_ITEM_FIELDS if reserved is None else (*IMPORT_ITEM_FIELDS, "id"), new_items
        )
        if created < len(new_items):
            item_files_discard_unused(project_id=project_id, rows=new_items)
        written = {
            "items_created": created,
            "items_existing": len(existing) + len(new_items) - created,
        }
        labeled = {entry[1]: entry[5] for entry in batch if entry[5]}
        # Another tool's proposals go on items this import created, never over a model's.
        predicted = {
            entry[1]: entry[0].prediction
            for entry in batch
            if entry[0].prediction is not None and entry[1] not in existing
        }
        if not labeled and not predicted:
            return written
        created_ids: dict[str, int] = {}
        if created == len(new_items):
            item_ids = {k: v for k, v in existing.items() if k in labeled}
            if created and reserved is not None:
                created_ids = {row[1]: row[-1] for row in new_items}
            elif created:
                created_ids = item_ids_created_after(project_id=project_id, after_id=id_floor)
        else:
            created_ids = item_ids_by_external_id(
                project_id=project_id, external_ids=[row[1] for row in new_items]
            )
            item_ids = {k: v for k, v in existing.items() if k in labeled}
        item_ids.update((k, v) for k, v in created_ids.items() if k in labeled)
        if predicted:
            self._write_predictions(predicted, created_ids)
        existing_ids = [existing[k] for k in labeled if k in existing]
        written["annotations_created"] = self._write_annotations(
            [
                (item_ids[external_id], annotator, labels)
                for external_id, annotations in labeled.items()
                if external_id in item_ids
                for annotator, labels in annotations
            ],
            existing_ids=existing_ids,
            now=now,
        )
        # Items this batch did not create (they existed, or a concurrent import made them
        # first) count their people's annotations again: labels may have been added to them.
        item_queue_counts_recount(
            item_ids=existing_ids if created == len(new_items) else list(item_ids.values())
        )
        return written

    def _write_predictions(
        self, predicted: dict[str, tuple[str, float | None, str]], item_ids: dict[str, int]
    ) -> None:
        rows = [
            (item_ids[external_id], label, confidence, self.imported_versions[name])
            for external_id, (label, confidence, name) in predicted.items()
            if external_id in item_ids
        ]
        item_scores_update(
            project_id=self.project.pk,
            columns=["predicted_label", "confidence", "scored_by_id"],
            rows=rows,
        )

    def _write_annotations(
        self, wanted: list[tuple[int, str, list[str]]], *, existing_ids: list[int], now: Any
    ) -> int:
        """One imported annotation per item and source annotator (also a partial unique
        index): re-runs add nothing."""
        already = import_annotation_item_ids(item_ids=existing_ids) if existing_ids else set()
        job_id = self.job.pk
        annotations = [
            (item_id, orjson.dumps(labels).decode(), AnnotationSource.IMPORT, job_id, now, now,
             annotator)
            for item_id, annotator, labels in wanted
            if (item_id, annotator) not in already
        ]  # fmt: skip
        return insert_new(Annotation, ANNOTATION_FIELDS, annotations)

    def write_deferred(self) -> None:
        """The annotations of rows that repeated an item with other people's labels, once
        every batch is committed; a row whose item was not imported is reported."""
        if not self.deferred:
            return
        step = self.batch_size
        for start in range(0, len(self.deferred), step):
            chunk = self.deferred[start : start + step]
            with transaction.atomic():
                item_ids = item_ids_by_external_id(
                    project_id=self.project.pk, external_ids=list({e[1] for e in chunk})
                )
                wanted = []
                for line, external_id, annotator, labels in chunk:
                    if external_id in item_ids:
                        wanted.append((item_ids[external_id], annotator, labels))
                    else:
                        self.error(line, f"the item {external_id!r} was not imported")
                labeled_ids = sorted({w[0] for w in wanted})
                added = self._write_annotations(
                    wanted, existing_ids=labeled_ids, now=timezone.now()
                )
                item_queue_counts_recount(item_ids=labeled_ids)
            with self._lock:
                self.counts["annotations_created"] += added
        self.deferred = []
        self.write_and_report([], self.bytes_done)


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
