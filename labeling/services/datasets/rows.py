"""A project's snapshot rows, page by page: raw SQL keyset pages of items and their labels,
resolved (``resolution``) into the columns of ``schema.SNAPSHOT_SCHEMA``.

Memory stays flat: one page of items (``PAGE_SIZE``) and its annotations at a time. The hot
path (an item with one label) builds no objects beyond the row's values; label lists, kept
label lists and annotator pseudonyms are decoded once per distinct value and shared.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import connection

from labeling.choices import AnnotationSource
from labeling.models import Project
from labeling.services.datasets.automatic import automatic_decision_labels
from labeling.services.datasets.filters import SnapshotFilters
from labeling.services.datasets.resolution import (
    NONE,
    Decision,
    Gold,
    Record,
    Resolved,
    kept_labels,
    resolve,
)
from labeling.services.datasets.schema import AUTOMATIC_LABEL_SOURCES

PAGE_SIZE = 20_000
COLUMNS = ("id", "external_id", "text", "image_name", "split", "labels", "label_source",
           "resolution", "is_automatic", "n_human", "n_import", "n_moderation", "n_appeal",
           "n_auto", "annotators", "proposal_accepted", "proposed_by", "labeled_at",
           "metadata", "content_hash", "is_audit")  # fmt: skip
COUNT_SOURCES = ("human", "import", "moderation", "appeal", "auto")


def _epoch_us(column: str) -> str:
    """Microseconds since the epoch (UTC), computed by the database: parsing datetimes in
    Python costs more than the rest of a row."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"
    # SQLite holds 'YYYY-MM-DD HH:MM:SS[.ffffff][+00:00]' in UTC.
    return (
        f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000 + CASE WHEN "
        f"substr({column}, 20, 1) = '.' THEN CAST(substr({column}, 21, 6) AS INTEGER) ELSE 0 END)"
    )


def pseudonym(user_id: int) -> str:
    """A stable pseudonym of a Tandem user: the same in every snapshot of this installation,
    and not the user's id or name (HMAC-SHA256 of the id with the SECRET_KEY)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), str(user_id).encode(), hashlib.sha256)
    return f"annotator-{digest.hexdigest()[:10]}"


def _in(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def item_where(*, filters: SnapshotFilters) -> tuple[str, list[Any]]:
    """SQL conditions on ``labeling_item i`` for the filters that can be told from the item
    alone: splits, metadata values (PostgreSQL; SQLite checks those in Python), and, for a
    labeled-only snapshot, having a label of the selected sources at all."""
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
    if filters.labeled_only and not filters.automatic_decisions:
        sources = filters.annotation_sources
        labeled = [
            "EXISTS (SELECT 1 FROM labeling_annotation a WHERE a.item_id = i.id "  # noqa: S608 - fixed SQL, parameters bound
            f"AND a.source IN ({_in(sources)}))"
        ]
        params.extend(sources)
        if AnnotationSource.HUMAN in sources:
            labeled.append("EXISTS (SELECT 1 FROM labeling_adjudication g WHERE g.item_id = i.id)")
        sql.append(f"({' OR '.join(labeled)})")
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
        self._kept: dict[Any, list[str]] = {}
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

    def pages(self, *, page_size: int = PAGE_SIZE) -> Iterator[Page]:
        where, params = item_where(filters=self.filters)
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
            "JOIN labeling_item i ON i.id = a.item_id WHERE i.project_id = %s "
            "AND a.item_id > %s AND a.item_id <= %s AND i.id > %s AND i.id <= %s "
            f"AND a.source IN ({_in(sources)}) ORDER BY a.item_id, a.id"
        )
        gold_sql = (
            f"SELECT g.item_id, CAST(g.labels AS TEXT), {_epoch_us('g.updated_at')} "  # noqa: S608 - fixed SQL, parameters bound
            "FROM labeling_adjudication g JOIN labeling_item i ON i.id = g.item_id "
            "WHERE i.project_id = %s AND g.item_id > %s AND g.item_id <= %s"
        )
        last_id = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(items_sql, [self.project.pk, last_id, *params, page_size])
                items = cursor.fetchall()
                if not items:
                    return
                page_end = items[-1][0]
                cursor.execute(
                    annotations_sql,
                    [self.project.pk, last_id, page_end, last_id, page_end, *sources],
                )
                annotations = cursor.fetchall()
                gold: dict[int, Gold] = {}
                if self._gold:
                    cursor.execute(gold_sql, [self.project.pk, last_id, page_end])
                    gold = {row[0]: Gold(self._labels[row[1]], row[2]) for row in cursor}
                decisions: dict[int, Decision] = {}
                if self.filters.automatic_decisions:
                    decisions = {
                        item_id: Decision(found.labels, found.decided_at_us, found.model_version_id)
                        for item_id, found in automatic_decision_labels(
                            project_id=self.project.pk, after_id=last_id, up_to_id=page_end
                        ).items()
                    }
                yield self._page(items, annotations, gold, decisions)
                last_id = page_end

    def _page(
        self,
        items: list[tuple[Any, ...]],
        annotations: list[tuple[Any, ...]],
        gold: dict[int, Gold],
        decisions: dict[int, Decision],
    ) -> Page:
        columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        c = columns
        labels_of = self._labels
        kept_of = self._kept
        tally = self.tally
        filters = self.filters
        position, total = 0, len(annotations)
        for item_id, external_id, text, image, split, metadata, content_hash, is_audit in items:
            # Both lists are ordered by item id: walk the annotations alongside the items.
            # (Items the item-level filters left out have annotations in the range too.)
            while position < total and annotations[position][0] < item_id:
                position += 1
            start = position
            while position < total and annotations[position][0] == item_id:
                position += 1
            group = annotations[start:position]
            item_gold = gold.get(item_id)
            decision = decisions.get(item_id)
            counts = [0, 0, 0, 0, 0]
            people: set[str] = set()
            if len(group) == 1 and item_gold is None and decision is None:
                (_i, _id, raw, source, annotator_id, import_annotator, outcome,
                 suggested_by, model_version, created_us) = group[0]  # fmt: skip
                counts[COUNT_SOURCES.index(source)] = 1
                if annotator_id is not None:
                    people.add(self._pseudonym(annotator_id))
                elif import_annotator:
                    people.add(import_annotator)
                kept = kept_of.get(raw)
                if kept is None:
                    kept = kept_of[raw] = kept_labels(labels_of[raw], self.known, self.single)
                resolved = Resolved(
                    kept,
                    source,
                    "latest",
                    created_us,
                    True if outcome == "accepted" else False if outcome == "corrected" else None,
                    model_version if source == "auto" else suggested_by,
                )
            else:
                records = []
                for row in group:
                    counts[COUNT_SOURCES.index(row[3])] += 1
                    if row[4] is not None:
                        people.add(self._pseudonym(row[4]))
                    elif row[5]:
                        people.add(row[5])
                    records.append(Record(row[1], labels_of[row[2]], *row[3:]))
                resolved = resolve(records, item_gold, decision) if (
                    records or item_gold or decision
                ) else NONE  # fmt: skip
                resolved = resolved._replace(
                    labels=kept_labels(resolved.labels, self.known, self.single)
                )
            labels = resolved.labels
            if not labels and resolved.resolution != "none":
                # Its labels were all of deleted classes: nothing a model could learn.
                resolved = NONE._replace(labels=labels)
            if not labels and filters.labeled_only:
                continue
            if self._class_filter and self._class_filter.isdisjoint(labels):
                continue
            labeled_us = resolved.labeled_us
            if self._after_us is not None or self._before_us is not None:
                if labeled_us is None:
                    continue
                if self._after_us is not None and labeled_us < self._after_us:
                    continue
                if self._before_us is not None and labeled_us >= self._before_us:
                    continue
            if (metadata is None or metadata == "{}") and not self._python_metadata:
                metadata_text = "{}"
            else:
                decoded = orjson.loads(metadata) if metadata else {}
                if self._python_metadata and not _metadata_matches(decoded, filters.metadata):
                    continue
                metadata_text = orjson.dumps(decoded, option=orjson.OPT_SORT_KEYS).decode()
            source = resolved.source
            automatic = source in AUTOMATIC_LABEL_SOURCES
            c["id"].append(item_id)
            c["external_id"].append(external_id)
            c["text"].append(text)
            c["image_name"].append(image or None)
            c["split"].append(split)
            c["labels"].append(labels)
            c["label_source"].append(source)
            c["resolution"].append(resolved.resolution)
            c["is_automatic"].append(automatic)
            c["n_human"].append(counts[0])
            c["n_import"].append(counts[1])
            c["n_moderation"].append(counts[2])
            c["n_appeal"].append(counts[3])
            c["n_auto"].append(counts[4])
            c["annotators"].append(sorted(people))
            c["proposal_accepted"].append(resolved.proposal_accepted)
            c["proposed_by"].append(resolved.proposed_by)
            c["labeled_at"].append(labeled_us)
            c["metadata"].append(metadata_text)
            c["content_hash"].append(content_hash)
            c["is_audit"].append(bool(is_audit))
            # The counts and the content hash (training's format: id, split, labels).
            tally.items += 1
            tally.splits[split] = tally.splits.get(split, 0) + 1
            resolutions = tally.resolutions
            resolutions[resolved.resolution] = resolutions.get(resolved.resolution, 0) + 1
            if labels:
                tally.labeled += 1
                for label in labels:
                    tally.class_counts[label] = tally.class_counts.get(label, 0) + 1
                source_name = str(source)
                tally.sources[source_name] = tally.sources.get(source_name, 0) + 1
                tally.automatic += automatic
            tally.digest.update(f"{item_id}\t{split}\t{'|'.join(labels)}\n".encode())
        return Page(columns=columns, items_read=len(items))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(value: datetime | None) -> int | None:
    return None if value is None else (value - _EPOCH) // timedelta(microseconds=1)
