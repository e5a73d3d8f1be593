"""A project's snapshot rows, page by page: raw SQL keyset pages of items and their labels,
resolved (``resolution``) into the columns of ``schema.SNAPSHOT_SCHEMA``.

Memory stays flat: one page of items (``PAGE_SIZE``) and its annotations at a time. The hot
path (an item with one label) builds no objects beyond the row's values; label lists, kept
label lists and annotator pseudonyms are decoded once per distinct value and shared.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction

from labeling.choices import AnnotationSource
from labeling.models import Project
from labeling.services.datasets.automatic import automatic_decision_labels
from labeling.services.datasets.filters import SnapshotFilters
from labeling.services.datasets.resolution import (
    NONE,
    Decision,
    Gold,
    Record,
    kept_labels,
    resolve,
)
from labeling.services.datasets.schema import AUTOMATIC_LABEL_SOURCES

PAGE_SIZE = 20_000
_DONE = object()  # the read-ahead thread's last message
COLUMNS = ("id", "external_id", "text", "image_name", "split", "labels", "label_source",
           "resolution", "is_automatic", "n_human", "n_import", "n_moderation", "n_appeal",
           "n_auto", "annotators", "proposal_accepted", "proposed_by", "labeled_at",
           "metadata", "content_hash", "is_audit")  # fmt: skip
COUNT_SOURCES = ("human", "import", "moderation", "appeal", "auto")
# Whether a person's label accepted the model's proposal, by outcome (None: none shown).
_ACCEPTED = {"accepted": True, "corrected": False}
# The n_<source> counts of an item with one label of that source.
_ONE_OF = {
    source: tuple(int(other == source) for other in COUNT_SOURCES) for source in COUNT_SOURCES
}


def _epoch_us(column: str) -> str:
    """Microseconds since the epoch (UTC), computed by the database: parsing datetimes in
    Python costs more than the rest of a row."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"
    # SQLite holds 'YYYY-MM-DD HH:MM:SS[.ffffff][+00:00]' in UTC. (%% : the query has parameters.)
    return (
        f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000 + CASE WHEN "
        f"substr({column}, 20, 1) = '.' THEN CAST(substr({column}, 21, 6) AS INTEGER) ELSE 0 END)"
    )


@contextmanager
def _without_jit(cursor: Any) -> Iterator[None]:
    """PostgreSQL's JIT compiles each page's queries afresh (about 25 ms a query): more than
    the queries take. Off for the cut's pages, as it was before for this connection after."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('jit')")
    before = cursor.fetchone()[0]
    cursor.execute("SET jit = off")
    try:
        yield
    finally:
        cursor.execute("SELECT set_config('jit', %s, false)", [before])


def pseudonym(user_id: int) -> str:
    """A stable pseudonym of a Tandem user: the same in every snapshot of this installation,
    and not the user's id or name (HMAC-SHA256 of the id with the SECRET_KEY)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), str(user_id).encode(), hashlib.sha256)
    return f"annotator-{digest.hexdigest()[:10]}"


def _in(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def item_where(*, filters: SnapshotFilters, labeled: bool = False) -> tuple[str, list[Any]]:
    """SQL conditions on ``labeling_item i`` for the filters that can be told from the item
    alone: splits, metadata values (PostgreSQL; SQLite checks those in Python), and, with
    ``labeled`` for a labeled-only snapshot, having a label of the selected sources at all.

    The cut's pages leave ``labeled`` out: PostgreSQL plans that test as a hashed subplan over
    every annotation of the table, once per page; the cut drops unlabeled items itself."""
    sql: list[str] = []
    params: list[Any] = []
    if filters.splits:
        sql.append(f"i.split IN ({_in(filters.splits)})")
        params.extend(filters.splits)
    if filters.metadata and connection.vendor == "postgresql":
        for key, values in filters.metadata.items():
            # A JSON array contains the scalars it lists (PostgreSQL's containment rule).
            sql.append(
                "jsonb_typeof(i.metadata -> %s) NOT IN ('object', 'array') "
                "AND CAST(%s AS jsonb) @> (i.metadata -> %s)"
            )
            params.extend([key, orjson.dumps(values).decode(), key])
    if labeled and filters.labeled_only and not filters.automatic_decisions:
        sources = filters.annotation_sources
        exists = [
            "EXISTS (SELECT 1 FROM labeling_annotation a WHERE a.item_id = i.id "  # noqa: S608 - fixed SQL, parameters bound
            f"AND a.source IN ({_in(sources)}))"
        ]
        params.extend(sources)
        if AnnotationSource.HUMAN in sources:
            exists.append("EXISTS (SELECT 1 FROM labeling_adjudication g WHERE g.item_id = i.id)")
        sql.append(f"({' OR '.join(exists)})")
    return "".join(f" AND {condition}" for condition in sql), params


def candidate_count(*, project: Project, filters: SnapshotFilters) -> int:
    """Items the cut will read (its progress total): those the item-level filters keep."""
    where, params = item_where(filters=filters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM labeling_item i WHERE i.project_id = %s{where}",  # noqa: S608 - fixed SQL, parameters bound
            [project.pk, *params],
        )
        return int(cursor.fetchone()[0])


def _metadata_matches(metadata: dict[str, Any], wanted: dict[str, list[Any]]) -> bool:
    for key, values in wanted.items():
        value = metadata.get(key)
        if key not in metadata or isinstance(value, dict | list):
            return False
        if not any(v == value and isinstance(v, bool) == isinstance(value, bool) for v in values):
            return False
    return True


class _Decoded(dict):
    """Label lists decoded once per distinct JSON text (shared: never changed)."""

    def __missing__(self, raw: Any) -> list[str]:
        value = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
        self[raw] = labels = [str(label) for label in (value or [])]
        return labels


@dataclass
class Tally:
    """What the rows so far add up to: the snapshot's counts and content hash."""

    classes: list[str]
    items: int = 0
    labeled: int = 0
    automatic: int = 0
    splits: dict[str, int] = field(default_factory=dict)
    class_counts: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    resolutions: dict[str, int] = field(default_factory=dict)
    digest: Any = field(default_factory=hashlib.sha256)

    def counts(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "labeled": self.labeled,
            "automatic": self.automatic,
            "splits": dict(sorted(self.splits.items())),
            "classes": {name: self.class_counts.get(name, 0) for name in self.classes},
            "sources": dict(sorted(self.sources.items())),
            "resolutions": dict(sorted(self.resolutions.items())),
        }


@dataclass
class Page:
    """One page of rows, column by column (``COLUMNS``), and how many items it read."""

    columns: dict[str, list[Any]]
    items_read: int

    def __len__(self) -> int:
        return len(self.columns["id"])


class RowReader:
    """Reads a project's snapshot rows page by page (``pages``), keeping the tally."""

    def __init__(self, *, project: Project, filters: SnapshotFilters, classes: list[str]):
        self.project = project
        self.filters = filters
        self.known = frozenset(classes)
        self.single = project.task_type != "multilabel"
        self.tally = Tally(classes=list(classes))
        self._labels = _Decoded()
        self._kept_cache: dict[Any, tuple[list[str], tuple[str, ...], str]] = {}
        self._solo_cache: dict[Any, list[str]] = {}
        self._people: dict[int, str] = {}
        self._gold = AnnotationSource.HUMAN in filters.annotation_sources
        self._class_filter = frozenset(filters.classes)
        self._after_us = _us(filters.labeled_after)
        self._before_us = _us(filters.labeled_before)
        self._python_metadata = bool(filters.metadata)

    def _pseudonym(self, user_id: int) -> str:
        name = self._people.get(user_id)
        if name is None:
            name = self._people[user_id] = pseudonym(user_id)
        return name

    def pages(
        self,
        *,
        page_size: int = PAGE_SIZE,
        after_id: int = 0,
        up_to_id: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[Page]:
        """The rows of the items after ``after_id`` (all of them, or those up to ``up_to_id``
        and at most ``max_items``: previews read samples), one page at a time."""
        for raw in self._raw_pages(
            page_size=page_size, after_id=after_id, up_to_id=up_to_id, max_items=max_items
        ):
            yield self._resolve_page(raw)

    def pages_read_ahead(self) -> Iterator[Page]:
        """Every page, read by a second thread on its own connection while this one resolves
        and writes the previous page (the database's time and Python's overlap), all in one
        read-only REPEATABLE READ transaction: the snapshot is of one moment, however labels
        change while it is cut. Only outside a transaction (another connection would not see
        its uncommitted rows): the caller checks."""
        pipe: queue.Queue[Any] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def read() -> None:
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    for raw in self._raw_pages():
                        while not stop.is_set():
                            try:
                                pipe.put(raw, timeout=0.5)
                                break
                            except queue.Full:
                                continue
                        if stop.is_set():
                            return
                pipe.put(_DONE)
            except BaseException as exc:  # handed to the reading thread, raised there
                pipe.put(exc)
            finally:
                connection.close()

        reader = threading.Thread(target=read, name="snapshot-read-ahead", daemon=True)
        reader.start()
        try:
            while True:
                raw = pipe.get()
                if raw is _DONE:
                    return
                if isinstance(raw, BaseException):
                    raise raw
                yield self._resolve_page(raw)
        finally:
            stop.set()
            reader.join()

    def _resolve_page(self, raw: tuple[Any, ...]) -> Page:
        items, annotations, gold_rows, decisions = raw
        gold = {row[0]: Gold(self._labels[row[1]], row[2]) for row in gold_rows}
        return self._page(items, annotations, gold, decisions)

    def _raw_pages(
        self,
        *,
        page_size: int = PAGE_SIZE,
        after_id: int = 0,
        up_to_id: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """What ``pages`` reads, as the database answers it: (items, their labels, gold
        labels, automatic decisions) per page."""
        where, params = item_where(filters=self.filters)
        if up_to_id is not None:
            where, params = f"{where} AND i.id <= %s", [*params, up_to_id]
        sources = self.filters.annotation_sources
        items_sql = (
            "SELECT i.id, i.external_id, i.text, i.image, i.split, CAST(i.metadata AS TEXT), "  # noqa: S608 - fixed SQL, parameters bound
            f"i.content_hash, i.is_audit FROM labeling_item i WHERE i.project_id = %s "
            f"AND i.id > %s{where} ORDER BY i.id LIMIT %s"
        )
        annotations_sql = (
            "SELECT a.item_id, a.id, CAST(a.labels AS TEXT), a.source, a.annotator_id, "  # noqa: S608 - fixed SQL, parameters bound
            "a.import_annotator, a.outcome, a.suggested_by_id, a.model_version_id, "
            f"{_epoch_us('a.created_at')} FROM labeling_annotation a "
            "WHERE a.item_id > %s AND a.item_id <= %s "
            f"AND a.source IN ({_in(sources)}) ORDER BY a.item_id, a.id"
        )
        # No join with the items: labels of items that are not on the page (other projects'
        # items between its ids, items the filters left out) are skipped while walking it.
        gold_sql = (
            f"SELECT g.item_id, CAST(g.labels AS TEXT), {_epoch_us('g.updated_at')} "  # noqa: S608 - fixed SQL, parameters bound
            "FROM labeling_adjudication g WHERE g.item_id > %s AND g.item_id <= %s"
        )
        last_id = after_id
        remaining = max_items
        with connection.cursor() as cursor, _without_jit(cursor):
            while True:
                if remaining is not None and remaining <= 0:
                    return
                limit = page_size if remaining is None else min(page_size, remaining)
                cursor.execute(items_sql, [self.project.pk, last_id, *params, limit])
                items = cursor.fetchall()
                if not items:
                    return
                page_end = items[-1][0]
                cursor.execute(annotations_sql, [last_id, page_end, *sources])
                annotations = cursor.fetchall()
                gold_rows: list[tuple[Any, ...]] = []
                if self._gold:
                    cursor.execute(gold_sql, [last_id, page_end])
                    page_ids = {item[0] for item in items}
                    gold_rows = [row for row in cursor.fetchall() if row[0] in page_ids]
                decisions: dict[int, Decision] = {}
                if self.filters.automatic_decisions:
                    decisions = {
                        item_id: Decision(found.labels, found.decided_at_us, found.model_version_id)
                        for item_id, found in automatic_decision_labels(
                            project_id=self.project.pk, after_id=last_id, up_to_id=page_end
                        ).items()
                    }
                yield items, annotations, gold_rows, decisions
                last_id = page_end
                if remaining is not None:
                    remaining -= len(items)

    def _kept(self, raw: Any) -> tuple[list[str], tuple[str, ...], str]:
        """The kept labels of a label list as stored, as a list, a tuple and joined with |."""
        found = self._kept_cache.get(raw)
        if found is None:
            kept = kept_labels(self._labels[raw], self.known, self.single)
            found = self._kept_cache[raw] = (kept, tuple(kept), "|".join(kept))
        return found

    def _solo(self, annotator_id: int | None, import_annotator: str) -> list[str]:
        """The annotators column of an item with one label (shared lists: never changed)."""
        key = annotator_id if annotator_id is not None else import_annotator
        found = self._solo_cache.get(key)
        if found is None:
            if annotator_id is not None:
                found = [self._pseudonym(annotator_id)]
            else:
                found = [import_annotator] if import_annotator else []
            self._solo_cache[key] = found
        return found

    def _page(
        self,
        items: list[tuple[Any, ...]],
        annotations: list[tuple[Any, ...]],
        gold: dict[int, Gold],
        decisions: dict[int, Decision],
    ) -> Page:
        columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        (add_id, add_external_id, add_text, add_image, add_split, add_labels, add_source,
         add_resolution, add_automatic, add_n_human, add_n_import, add_n_moderation,
         add_n_appeal, add_n_auto, add_annotators, add_accepted, add_proposed_by,
         add_labeled_at, add_metadata, add_content_hash, add_audit) = (
            columns[name].append for name in COLUMNS
        )  # fmt: skip
        filters = self.filters
        labeled_only = filters.labeled_only
        class_filter = self._class_filter
        after_us, before_us = self._after_us, self._before_us
        dated = after_us is not None or before_us is not None
        python_metadata = self._python_metadata
        kept_of = self._kept
        solo = self._solo
        one_of = _ONE_OF
        # Tallied per page by (labels, source) and (split, resolution), expanded at the end.
        combos: dict[tuple[tuple[str, ...], str | None], int] = {}
        split_resolutions: dict[tuple[str, str], int] = {}
        lines: list[str] = []
        dumps, loads, sort_keys = orjson.dumps, orjson.loads, orjson.OPT_SORT_KEYS
        position, total = 0, len(annotations)
        for item_id, external_id, text, image, split, metadata, content_hash, is_audit in items:
            # Both lists are ordered by item id: walk the annotations alongside the items.
            # (Labels of items that are not on the page lie in the id range too.)
            while position < total and annotations[position][0] < item_id:
                position += 1
            start = position
            while position < total and annotations[position][0] == item_id:
                position += 1
            item_gold = gold.get(item_id) if gold else None
            decision = decisions.get(item_id) if decisions else None
            if position - start == 1 and item_gold is None and decision is None:
                (_i, _id, raw, source, annotator_id, import_annotator, outcome,
                 suggested_by, model_version, labeled_us) = annotations[start]  # fmt: skip
                labels, key, joined = kept_of(raw)
                counts = one_of[source]
                people = solo(annotator_id, import_annotator)
                resolution = "latest"
                accepted = (
                    True if outcome == "accepted" else False if outcome == "corrected" else None
                )
                proposed_by = model_version if source == "auto" else suggested_by
            else:
                tally_counts = [0, 0, 0, 0, 0]
                people_set: set[str] = set()
                records = []
                for row in annotations[start:position]:
                    tally_counts[COUNT_SOURCES.index(row[3])] += 1
                    if row[4] is not None:
                        people_set.add(self._pseudonym(row[4]))
                    elif row[5]:
                        people_set.add(row[5])
                    records.append(Record(row[1], self._labels[row[2]], *row[3:]))
                counts = tuple(tally_counts)
                people = sorted(people_set)
                resolved = (
                    resolve(records, item_gold, decision)
                    if records or item_gold or decision
                    else NONE
                )
                labels = kept_labels(resolved.labels, self.known, self.single)
                key, joined = tuple(labels), "|".join(labels)
                source, resolution = resolved.source, resolved.resolution
                labeled_us = resolved.labeled_us
                accepted, proposed_by = resolved.proposal_accepted, resolved.proposed_by
            if not labels:
                if labeled_only:
                    continue
                if resolution != "none":
                    # Its labels were all of deleted classes: nothing a model could learn.
                    source, resolution, labeled_us, accepted, proposed_by = NONE[1:]
            if class_filter and class_filter.isdisjoint(labels):
                continue
            if dated:
                if labeled_us is None:
                    continue
                if after_us is not None and labeled_us < after_us:
                    continue
                if before_us is not None and labeled_us >= before_us:
                    continue
            if (metadata is None or metadata == "{}") and not python_metadata:
                metadata_text = "{}"
            else:
                decoded = loads(metadata) if metadata else {}
                if python_metadata and not _metadata_matches(decoded, filters.metadata):
                    continue
                metadata_text = dumps(decoded, option=sort_keys).decode()
            add_id(item_id)
            add_external_id(external_id)
            add_text(text)
            add_image(image or None)
            add_split(split)
            add_labels(labels)
            add_source(source)
            add_resolution(resolution)
            add_automatic(source in AUTOMATIC_LABEL_SOURCES)
            add_n_human(counts[0])
            add_n_import(counts[1])
            add_n_moderation(counts[2])
            add_n_appeal(counts[3])
            add_n_auto(counts[4])
            add_annotators(people)
            add_accepted(accepted)
            add_proposed_by(proposed_by)
            add_labeled_at(labeled_us)
            add_metadata(metadata_text)
            add_content_hash(content_hash)
            add_audit(bool(is_audit))
            combo = (key, source)
            combos[combo] = combos.get(combo, 0) + 1
            split_resolution = (split, resolution)
            split_resolutions[split_resolution] = split_resolutions.get(split_resolution, 0) + 1
            # The content hash, in training's format: id, split, labels.
            lines.append(f"{item_id}\t{split}\t{joined}\n")
        self._tally_page(combos, split_resolutions, lines)
        return Page(columns=columns, items_read=len(items))

    def _tally_page(
        self,
        combos: dict[tuple[tuple[str, ...], str | None], int],
        split_resolutions: dict[tuple[str, str], int],
        lines: list[str],
    ) -> None:
        tally = self.tally
        for (split, resolution), n in split_resolutions.items():
            tally.items += n
            tally.splits[split] = tally.splits.get(split, 0) + n
            tally.resolutions[resolution] = tally.resolutions.get(resolution, 0) + n
        for (labels, source), n in combos.items():
            if not labels:
                continue
            tally.labeled += n
            for label in labels:
                tally.class_counts[label] = tally.class_counts.get(label, 0) + n
            tally.sources[str(source)] = tally.sources.get(str(source), 0) + n
            if source in AUTOMATIC_LABEL_SOURCES:
                tally.automatic += n
        tally.digest.update("".join(lines).encode())


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(value: datetime | None) -> int | None:
    return None if value is None else (value - _EPOCH) // timedelta(microseconds=1)
