"""A project's snapshot rows, page by page: raw SQL keyset pages of items and their labels,
resolved (``resolution``) into the columns of ``schema.SNAPSHOT_SCHEMA``.

Memory stays flat: one page of items (``PAGE_SIZE``) and its annotations at a time. Pages are
read column by column into Arrow tables: a worker's cut on PostgreSQL reads them on connections
of ADBC's PostgreSQL driver (binary ``COPY``, decoded in C++); inside a transaction a page comes
as one CSV text parsed by pyarrow; on SQLite through Python. They are resolved column by
column: the common item, with exactly one label and no gold label or automatic decision, never
becomes a Python object; the others (several labels, gold, decisions, none) go through
``resolution.resolve`` one by one. Label lists, metadata texts and
annotator pseudonyms are decoded once per distinct value on the page.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.conf import settings
from django.db import connection, transaction
from psycopg import sql as psycopg_sql
from psycopg.adapt import Loader

from core.read_ahead import put_until_stopped
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
from labeling.services.datasets.schema import AUTOMATIC_LABEL_SOURCES, SNAPSHOT_SCHEMA

PAGE_SIZE = 20_000
PAGE_MAX_BYTES = 128 << 20  # of item text and metadata per page (PostgreSQL)
_DONE = object()  # the read-ahead thread's last message
COLUMNS = ("id", "external_id", "text", "image_name", "split", "labels", "label_source",
           "resolution", "is_automatic", "n_human", "n_import", "n_moderation", "n_appeal",
           "n_auto", "annotators", "proposal_accepted", "proposed_by", "labeled_at",
           "metadata", "content_hash", "is_audit")  # fmt: skip
COUNT_SOURCES = ("human", "import", "moderation", "appeal", "auto")
# What a page reads, column by column (as Arrow types).
ITEM_FIELDS = pa.schema([
    ("id", pa.int64()), ("external_id", pa.string()), ("text", pa.string()),
    ("image", pa.string()), ("split", pa.string()), ("metadata", pa.string()),
    ("content_hash", pa.string()), ("is_audit", pa.bool_()),
])  # fmt: skip
ANNOTATION_FIELDS = pa.schema([
    ("item_id", pa.int64()), ("id", pa.int64()), ("labels", pa.string()),
    ("source", pa.string()), ("annotator_id", pa.int64()), ("import_annotator", pa.string()),
    ("outcome", pa.string()), ("suggested_by_id", pa.int64()), ("model_version_id", pa.int64()),
    ("created_us", pa.int64()),
])  # fmt: skip
_ITEM_COLUMNS = [f"i.{name}" for name in ITEM_FIELDS.names]
_LIST = pa.list_(pa.string())
# A page's resolved columns, before the filters: name -> Arrow type.
_RESOLVED = {
    "labels": _LIST, "label_source": pa.string(), "resolution": pa.string(),
    **{f"n_{source}": pa.int32() for source in COUNT_SOURCES},
    "annotators": _LIST, "proposal_accepted": pa.bool_(), "proposed_by": pa.int64(),
    "labeled_at": pa.int64(),
}  # fmt: skip


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


def _snapshot_id(value: str) -> str:
    """An exported snapshot's id, checked before it is written into SQL."""
    if not value or any(char not in "0123456789ABCDEFabcdef-" for char in value):
        raise ValueError(f"unexpected snapshot id {value!r}")
    return value


_PLACEHOLDER = re.compile(r"%%|%s")


def _bound(query: str, params: list[Any]) -> str:
    """``query`` with its ``%s`` parameters written in as SQL literals, quoted by psycopg (for
    the Arrow connection, whose queries run as ``COPY … TO STDOUT``, which takes no
    parameters). ``%%`` is a percent sign, as for psycopg."""
    values = iter(params)

    def literal(match: re.Match[str]) -> str:
        if match.group() == "%%":
            return "%"
        return psycopg_sql.Literal(next(values)).as_string(None)

    bound = _PLACEHOLDER.sub(literal, query)
    if next(values, _DONE) is not _DONE:
        raise ValueError("more parameters than placeholders")
    return bound


# What the Arrow connection takes of the database connection's parameters: those every libpq
# since PostgreSQL 10 knows (ADBC's driver brings its own libpq, maybe older than psycopg's).
_CONNINFO_KEYS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "connect_timeout",
    "options", "application_name", "sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl",
    "sslpassword", "target_session_attrs", "keepalives", "keepalives_idle",
    "keepalives_interval", "keepalives_count", "service",
})  # fmt: skip


def _conninfo() -> str:
    """How this thread's database connection was made (libpq's connection string)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    connection.ensure_connection()
    info = connection.connection.info
    params = {
        key: value for key, value in conninfo_to_dict(info.dsn).items() if key in _CONNINFO_KEYS
    }
    if info.password:
        params["password"] = info.password
    return make_conninfo("", **params)


@contextmanager
def _arrow_session(conninfo: str, snapshot_id: str) -> Iterator[Any]:
    """A connection (``conninfo``) that answers queries as Arrow tables (ADBC's PostgreSQL
    driver: binary ``COPY``, decoded in C++, no text formatting on either side), in a
    read-only REPEATABLE READ transaction of the exported snapshot ``snapshot_id``."""
    import adbc_driver_postgresql.dbapi as adbc

    arrow = adbc.connect(conninfo, autocommit=True)
    try:
        with arrow.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{_snapshot_id(snapshot_id)}'")
            cursor.execute("SET LOCAL jit = off")
        yield arrow
        with arrow.cursor() as cursor:
            cursor.execute("COMMIT")
    finally:
        arrow.close()


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
    """One page of rows (``SNAPSHOT_SCHEMA``), and how many items it read."""

    batch: pa.RecordBatch
    items_read: int

    def __len__(self) -> int:
        return int(self.batch.num_rows)


def _csv_line(select: list[str], fields: pa.Schema) -> str:
    """SQL for one CSV line of ``select``: text quoted (quotes doubled), NULL left empty."""
    parts = [
        f"""'"' || replace({expression}, '"', '""') || '"'""" if kind == pa.string() else expression
        for expression, kind in zip(select, fields.types, strict=True)
    ]
    return "concat(" + ", ',', ".join(parts) + ")"


class _RawText(Loader):
    """Text from PostgreSQL as the bytes it came in (a page's CSV goes to pyarrow as it is:
    not decoded into a Python string and encoded again)."""

    def load(self, data: Any) -> bytes:
        return bytes(data)


def _in_order(table: pa.Table, keys: list[str]) -> pa.Table:
    """``table`` ordered by its integer columns ``keys`` (unique together). The database sends
    it so; the check is cheap, and the file's bytes must never depend on a plan."""
    if table.num_rows < 2:
        return table
    first = _column(table, keys[0]).to_numpy()
    after = first[1:] > first[:-1]
    if len(keys) > 1:
        second = _column(table, keys[1]).to_numpy()
        after |= (first[1:] == first[:-1]) & (second[1:] > second[:-1])
    if after.all():
        return table
    return table.sort_by([(key, "ascending") for key in keys])


def _as(column: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    """An Arrow connection's column as ``kind``: JSON (an extension type) as its text, a
    timestamp as microseconds since the epoch (what the database would have computed with
    ``_epoch_us``, left to Arrow: numeric arithmetic per row cost PostgreSQL more than
    sending the rows)."""
    if isinstance(column.type, pa.ExtensionType):
        column = pa.chunked_array(
            [chunk.storage for chunk in column.chunks], type=column.type.storage_type
        )
    if pa.types.is_timestamp(column.type):
        if column.type.unit != "us":
            column = column.cast(pa.timestamp("us", tz=column.type.tz))
        column = column.cast(pa.int64())
    return column.cast(kind)


def _read_table(
    cursor: Any,
    *,
    select: list[str],
    rest: str,
    order: list[str],
    params: list[Any],
    fields: pa.Schema,
    arrow: Any = None,
) -> pa.Table:
    """``SELECT select rest`` (``rest``: FROM ... ending with ORDER BY the columns ``order`` of
    ``fields``) as an Arrow table of ``fields``. PostgreSQL answers a page as one CSV text
    (NULL unquoted and empty, text quoted), aggregated in the order the query reads it (no
    second sort), parsed by pyarrow: no Python object per value. SQLite's rows go through
    Python. With ``arrow`` (``_arrow_session``), PostgreSQL's answer comes as Arrow."""
    if arrow is not None:
        with arrow.cursor() as reader:
            reader.execute(_bound(f"SELECT {', '.join(select)} {rest}", params))
            found = reader.fetch_arrow_table()
        table = pa.Table.from_arrays(
            [_as(column, kind) for column, kind in zip(found.columns, fields.types, strict=True)],
            schema=fields,
        ).combine_chunks()
        return _in_order(table, order)
    if connection.vendor == "postgresql":
        # A cursor of its own: only this query's text arrives as bytes.
        with cursor.cursor.connection.cursor() as raw:
            raw.adapters.register_loader("text", _RawText)
            raw.execute(
                f"SELECT string_agg(line, chr(10)) FROM "  # noqa: S608 - fixed SQL, parameters bound
                f"(SELECT {_csv_line(select, fields)} AS line {rest}) page",
                params,
            )
            data = raw.fetchone()[0]
        if not data:
            return fields.empty_table()
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            # One block: a value never straddles two.
            read_options=pa_csv.ReadOptions(
                column_names=fields.names, block_size=len(data) + 1, use_threads=False
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict(zip(fields.names, fields.types, strict=True)),
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                null_values=[""],
                true_values=["t"],
                false_values=["f"],
            ),
        ).combine_chunks()
        return _in_order(table, order)
    cursor.execute(f"SELECT {', '.join(select)} {rest}", params)
    rows = cursor.fetchall()
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * len(fields)
    return pa.table(
        [
            pa.array([bool(v) for v in values] if kind == pa.bool_() else values, type=kind)
            for values, kind in zip(columns, fields.types, strict=True)
        ],
        schema=fields,
    )


def _column(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


def _decoded_list(values: pa.Array, decode: Any) -> pa.Array:
    """A list<string> column from a column of few distinct values: ``decode`` once each."""
    encoded = values.dictionary_encode()
    lists = [decode(value) for value in encoded.dictionary.to_pylist()]
    return pa.array(lists, type=_LIST).take(encoded.indices)


def _numpy_ints(values: pa.Array) -> Any:
    return pc.fill_null(values, 0).to_numpy()


class RowReader:
    """Reads a project's snapshot rows page by page (``pages``), keeping the tally."""

    def __init__(self, *, project: Project, filters: SnapshotFilters, classes: list[str]):
        self.project = project
        self.filters = filters
        self.known = frozenset(classes)
        self.single = project.task_type != "multilabel"
        self.tally = Tally(classes=list(classes))
        self._labels = _Decoded()
        self._kept_cache: dict[Any, list[str]] = {}
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
        """Every page, read by two more threads on their own connections while this one
        resolves and writes the previous page (the database's time and Python's overlap):
        one reads the items, the other their labels. Both in read-only REPEATABLE READ
        transactions of one snapshot (exported by the first, imported by the second): the
        snapshot is of one moment, however labels change while it is cut. Only outside a
        transaction (another connection would not see its uncommitted rows): the caller
        checks."""
        pipe: queue.Queue[Any] = queue.Queue(maxsize=2)
        requests: queue.Queue[Any] = queue.Queue()
        replies: queue.Queue[Any] = queue.Queue(maxsize=2)
        stop = threading.Event()
        imported = threading.Event()
        exported: list[str] = []
        conninfo = _conninfo()

        def put(target: queue.Queue[Any], value: Any) -> bool:
            return put_until_stopped(target, value, stop)

        def read_items() -> None:
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        cursor.execute("SELECT pg_export_snapshot()")
                        exported.append(str(cursor.fetchone()[0]))
                    labels.start()
                    # The snapshot lives as long as this transaction: until it is imported.
                    while not imported.wait(timeout=0.5):
                        if stop.is_set():
                            return
                    with _arrow_session(conninfo, exported[0]) as arrow:
                        for raw in self._raw_pages(annotations_from=requests.put, arrow=arrow):
                            if not put(pipe, raw):
                                return
                put(pipe, _DONE)
            except BaseException as exc:  # handed to the reading thread, raised there
                put(pipe, exc)
            finally:
                requests.put(None)
                connection.close()

        def read_labels() -> None:
            try:
                with _arrow_session(conninfo, exported[0]) as arrow:
                    imported.set()
                    while not stop.is_set():
                        try:
                            page = requests.get(timeout=0.5)
                        except queue.Empty:
                            continue
                        if page is None:
                            return
                        after_id, up_to_id = page
                        if not put(replies, self._labels_of(None, after_id, up_to_id, arrow=arrow)):
                            return
            except BaseException as exc:
                put(replies, exc)
            finally:
                imported.set()

        items = threading.Thread(target=read_items, name="snapshot-read-items", daemon=True)
        labels = threading.Thread(target=read_labels, name="snapshot-read-labels", daemon=True)
        items.start()
        try:
            while True:
                raw = pipe.get()
                if raw is _DONE:
                    return
                if isinstance(raw, BaseException):
                    raise raw
                annotations = replies.get()
                if isinstance(annotations, BaseException):
                    raise annotations
                yield self._resolve_page((raw[0], annotations, *raw[2:]))
        finally:
            stop.set()
            items.join()
            if labels.ident is not None:  # started
                labels.join()

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
        annotations_from: Callable[[tuple[int, int]], Any] | None = None,
        arrow: Any = None,
    ) -> Iterator[tuple[Any, ...]]:
        """What ``pages`` reads, as the database answers it: (items, their labels: Arrow
        tables of ``ITEM_FIELDS`` and ``ANNOTATION_FIELDS``, gold labels, automatic
        decisions) per page. With ``annotations_from``, the labels are not read here: it is
        given each page's (after id, last id) and the page holds None instead."""
        where, params = item_where(filters=self.filters)
        if up_to_id is not None:
            where, params = f"{where} AND i.id <= %s", [*params, up_to_id]
        metadata = "i.metadata" if arrow is not None else "CAST(i.metadata AS TEXT)"
        items_select = [*_ITEM_COLUMNS[:5], metadata, *_ITEM_COLUMNS[6:]]
        items_rest = (
            "FROM labeling_item i WHERE i.project_id = %s "
            f"AND i.id > %s{where} ORDER BY i.id LIMIT %s"
        )
        page_params: list[Any] = []
        if connection.vendor == "postgresql":
            # A page of long texts ends early: its CSV text stays far below PostgreSQL's 1 GB.
            size = "COALESCE(octet_length(i.text), 0) + pg_column_size(i.metadata)"
            items_rest = (
                f"FROM (SELECT {', '.join(_ITEM_COLUMNS)}, {size} AS own_bytes, "
                f"SUM({size}) OVER (ORDER BY i.id ROWS UNBOUNDED PRECEDING) AS page_bytes "
                f"{items_rest}) i "
                "WHERE i.page_bytes - i.own_bytes < %s "
                "ORDER BY i.id"
            )
            page_params = [PAGE_MAX_BYTES]
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
                items = _read_table(
                    cursor,
                    select=items_select,
                    rest=items_rest,
                    order=["id"],
                    params=[self.project.pk, last_id, *params, limit, *page_params],
                    fields=ITEM_FIELDS,
                    arrow=arrow,
                )
                if not items.num_rows:
                    return
                page_end = int(items.column("id")[-1].as_py())
                annotations = None
                if annotations_from is None:
                    annotations = self._labels_of(cursor, last_id, page_end)
                else:
                    annotations_from((last_id, page_end))
                gold_rows: list[tuple[Any, ...]] = []
                if self._gold:
                    cursor.execute(gold_sql, [last_id, page_end])
                    found = cursor.fetchall()
                    if found:
                        page_ids = set(items.column("id").to_pylist())
                        gold_rows = [row for row in found if row[0] in page_ids]
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
                    remaining -= items.num_rows

    def _labels_of(self, cursor: Any, after_id: int, up_to_id: int, arrow: Any = None) -> pa.Table:
        """The labels of the selected sources of the items with ids in (after_id, up_to_id],
        ordered by item and label id (of other projects' items and of items the filters left
        out too: they are skipped while walking the page)."""
        sources = self.filters.annotation_sources
        # On an Arrow connection the JSON and the time come as they are stored (``_as``).
        annotations_select = ["a.item_id", "a.id",
                              "a.labels" if arrow is not None else "CAST(a.labels AS TEXT)",
                              "a.source", "a.annotator_id", "a.import_annotator", "a.outcome",
                              "a.suggested_by_id", "a.model_version_id",
                              "a.created_at" if arrow is not None else _epoch_us("a.created_at")
                              ]  # fmt: skip
        annotations_rest = (
            "FROM labeling_annotation a WHERE a.item_id > %s AND a.item_id <= %s "
            f"AND a.source IN ({_in(sources)}) ORDER BY a.item_id, a.id"
        )
        return _read_table(
            cursor,
            select=annotations_select,
            rest=annotations_rest,
            order=["item_id", "id"],
            params=[after_id, up_to_id, *sources],
            fields=ANNOTATION_FIELDS,
            arrow=arrow,
        )

    def _kept(self, raw: Any) -> list[str]:
        """The kept labels of a label list as stored (shared lists: never changed)."""
        found = self._kept_cache.get(raw)
        if found is None:
            found = self._kept_cache[raw] = kept_labels(self._labels[raw], self.known, self.single)
        return found

    def _one_label(self, annotations: pa.Table) -> dict[str, pa.Array]:
        """The resolved columns of items with exactly one label (``annotations``: that label
        of each), column by column: the label as it is, resolution "latest"."""
        n = annotations.num_rows
        source = _column(annotations, "source")
        people = _column(annotations, "annotator_id")
        imported = pc.fill_null(_column(annotations, "import_annotator"), "")
        who = imported
        if people.null_count < n:
            ids, positions = np.unique(_numpy_ints(people), return_inverse=True)
            names = pa.array([self._pseudonym(int(user)) for user in ids], type=pa.string())
            who = pc.if_else(pc.is_valid(people), names.take(pa.array(positions)), imported)
        outcome = _column(annotations, "outcome")
        no_answer = pa.scalar(None, pa.bool_())
        return {
            "labels": _decoded_list(pc.fill_null(_column(annotations, "labels"), "[]"), self._kept),
            "label_source": source,
            "resolution": pa.repeat(pa.scalar("latest", pa.string()), n),
            **{f"n_{name}": pc.cast(pc.equal(source, name), pa.int32()) for name in COUNT_SOURCES},
            "annotators": _decoded_list(who, lambda name: [name] if name else []),
            "proposal_accepted": pc.if_else(
                pc.equal(outcome, "accepted"),
                True,
                pc.if_else(pc.equal(outcome, "corrected"), False, no_answer),
            ),
            # An automatic label's proposer is the model version that made it.
            "proposed_by": pc.if_else(
                pc.equal(source, "auto"),
                _column(annotations, "model_version_id"),
                _column(annotations, "suggested_by_id"),
            ),
            "labeled_at": _column(annotations, "created_us"),
        }

    def _weighed(
        self,
        item_ids: Any,
        ranges: list[tuple[int, int]],
        annotations: pa.Table,
        gold: dict[int, Gold],
        decisions: dict[int, Decision],
    ) -> dict[str, pa.Array]:
        """The resolved columns of the other items (several labels, a gold label, an
        automatic decision, or no label), one by one through ``resolve``."""
        columns: dict[str, list[Any]] = {name: [] for name in _RESOLVED}
        if not len(item_ids):
            return {name: pa.array([], type=kind) for name, kind in _RESOLVED.items()}
        wanted = [index for start, end in ranges for index in range(start, end)]
        rows: list[tuple[Any, ...]] = []
        if wanted:
            taken = annotations.take(pa.array(wanted, type=pa.int64()))
            rows = list(zip(*(_column(taken, name).to_pylist() for name in taken.column_names),
                            strict=True))  # fmt: skip
        position = 0
        for item_id, (start, end) in zip(item_ids.tolist(), ranges, strict=True):
            item_rows = rows[position : position + end - start]
            position += end - start
            tally_counts = [0, 0, 0, 0, 0]
            people_set: set[str] = set()
            records = []
            for row in item_rows:
                tally_counts[COUNT_SOURCES.index(row[3])] += 1
                if row[4] is not None:
                    people_set.add(self._pseudonym(row[4]))
                elif row[5]:
                    people_set.add(row[5])
                records.append(Record(row[1], self._labels[row[2]], *row[3:]))
            item_gold = gold.get(item_id)
            decision = decisions.get(item_id)
            resolved = (
                resolve(records, item_gold, decision) if records or item_gold or decision else NONE
            )
            columns["labels"].append(kept_labels(resolved.labels, self.known, self.single))
            columns["label_source"].append(resolved.source)
            columns["resolution"].append(resolved.resolution)
            for name, count in zip(COUNT_SOURCES, tally_counts, strict=True):
                columns[f"n_{name}"].append(count)
            columns["annotators"].append(sorted(people_set))
            columns["proposal_accepted"].append(resolved.proposal_accepted)
            columns["proposed_by"].append(resolved.proposed_by)
            columns["labeled_at"].append(resolved.labeled_us)
        return {name: pa.array(columns[name], type=kind) for name, kind in _RESOLVED.items()}

    def _metadata(self, metadata: pa.Array) -> tuple[pa.Array, Any]:
        """The metadata column as stored (JSON, keys sorted; "{}" for none) and, with a
        metadata filter, which items it keeps: decoded once per distinct text."""
        encoded = metadata.dictionary_encode()
        wanted = self.filters.metadata
        check = self._python_metadata
        texts: list[str] = []
        kept: list[bool] = []
        for text in [*encoded.dictionary.to_pylist(), None]:  # the last: a null
            if text in (None, "{}") and not check:
                texts.append("{}")
                kept.append(True)
                continue
            decoded = orjson.loads(text) if text else {}
            kept.append(not check or _metadata_matches(decoded, wanted))
            texts.append(orjson.dumps(decoded, option=orjson.OPT_SORT_KEYS).decode())
        indices = pc.fill_null(encoded.indices, len(texts) - 1)
        keep = np.asarray(kept, dtype=bool)[indices.to_numpy()]
        return pa.array(texts, type=pa.string()).take(indices), keep

    def _page(
        self,
        items: pa.Table,
        annotations: pa.Table,
        gold: dict[int, Gold],
        decisions: dict[int, Decision],
    ) -> Page:
        n = items.num_rows
        item_ids = _column(items, "id").to_numpy()
        # Both tables are ordered by item id: each item's labels are one run of annotations.
        # (Labels of items that are not on the page lie in the id range too.)
        labeled_ids = _column(annotations, "item_id").to_numpy()
        starts = np.searchsorted(labeled_ids, item_ids, side="left")
        ends = np.searchsorted(labeled_ids, item_ids, side="right")
        one = (ends - starts) == 1
        if gold or decisions:
            special = np.fromiter({*gold, *decisions}, dtype=np.int64)
            one &= ~np.isin(item_ids, special)
        one_at = np.flatnonzero(one)
        other_at = np.flatnonzero(~one)
        single = annotations
        if len(one_at) != annotations.num_rows:
            single = annotations.take(pa.array(starts[one_at], type=pa.int64()))
        quick = self._one_label(single)
        slow = self._weighed(
            item_ids[other_at],
            list(zip(starts[other_at].tolist(), ends[other_at].tolist(), strict=True)),
            annotations,
            gold,
            decisions,
        )
        if not len(other_at):
            resolved = {name: quick[name].cast(kind) for name, kind in _RESOLVED.items()}
        else:
            order = pa.array(np.argsort(np.concatenate([one_at, other_at]), kind="stable"))
            resolved = {
                name: pa.concat_arrays([quick[name].cast(kind), slow[name]]).take(order)
                for name, kind in _RESOLVED.items()
            }
        filters = self.filters
        keep = np.ones(n, dtype=bool)
        labels = resolved["labels"]
        has_labels = pc.greater(pc.list_value_length(labels), 0)
        if filters.labeled_only:
            keep &= has_labels.to_numpy(zero_copy_only=False)
        elif has_labels.false_count:
            # No label, or its labels were all of deleted classes: nothing a model could learn.
            none = pc.invert(has_labels)
            for name in ("label_source", "proposal_accepted", "proposed_by", "labeled_at"):
                resolved[name] = pc.if_else(none, pa.scalar(None, _RESOLVED[name]), resolved[name])
            resolved["resolution"] = pc.if_else(none, "none", resolved["resolution"])
        if self._class_filter:
            hit = pc.is_in(pc.list_flatten(labels), value_set=pa.array(sorted(self._class_filter)))
            parents = pc.list_parent_indices(labels).to_numpy()
            matched = np.zeros(n, dtype=bool)
            matched[parents[hit.to_numpy(zero_copy_only=False)]] = True
            keep &= matched
        if self._after_us is not None or self._before_us is not None:
            labeled_at = resolved["labeled_at"]
            keep &= pc.is_valid(labeled_at).to_numpy(zero_copy_only=False)
            when = _numpy_ints(labeled_at)
            if self._after_us is not None:
                keep &= when >= self._after_us
            if self._before_us is not None:
                keep &= when < self._before_us
        metadata, metadata_kept = self._metadata(_column(items, "metadata"))
        keep &= metadata_kept
        image = _column(items, "image")
        source = resolved["label_source"]
        columns = {
            "id": _column(items, "id"),
            "external_id": _column(items, "external_id"),
            "text": _column(items, "text"),
            "image_name": pc.if_else(pc.equal(image, ""), pa.scalar(None, pa.string()), image),
            "split": _column(items, "split"),
            **resolved,
            "is_automatic": pc.fill_null(
                pc.is_in(source, value_set=pa.array(AUTOMATIC_LABEL_SOURCES)), False
            ),
            "labeled_at": resolved["labeled_at"].cast(SNAPSHOT_SCHEMA.field("labeled_at").type),
            "metadata": metadata,
            "content_hash": _column(items, "content_hash"),
            "is_audit": _column(items, "is_audit"),
        }
        arrays = [columns[name] for name in COLUMNS]
        if not keep.all():
            rows = pa.array(np.flatnonzero(keep), type=pa.int64())
            arrays = [array.take(rows) for array in arrays]
        batch = pa.RecordBatch.from_arrays(arrays, schema=SNAPSHOT_SCHEMA)
        self._tally_page(batch)
        return Page(batch=batch, items_read=n)

    def _tally_page(self, batch: pa.RecordBatch) -> None:
        if not batch.num_rows:
            return
        tally = self.tally

        def add(counts: dict[str, int], values: pa.Array) -> None:
            for entry in pc.value_counts(values).to_pylist():
                key = str(entry["values"])
                counts[key] = counts.get(key, 0) + int(entry["counts"])

        tally.items += batch.num_rows
        add(tally.splits, batch.column("split"))
        add(tally.resolutions, batch.column("resolution"))
        labels = batch.column("labels")
        labeled = pc.greater(pc.list_value_length(labels), 0)
        tally.labeled += int(labeled.true_count)
        add(tally.class_counts, pc.list_flatten(labels))
        add(tally.sources, pc.filter(batch.column("label_source"), labeled))
        tally.automatic += int(pc.and_(labeled, batch.column("is_automatic")).true_count)
        # The content hash, in training's format: id, split, labels (one line each).
        lines = pc.binary_join_element_wise(
            pc.binary_join_element_wise(
                pc.cast(batch.column("id"), pa.string()),
                batch.column("split"),
                pc.binary_join(labels, "|"),
                "\t",
            ),
            pa.scalar("", pa.string()),
            "\n",
        )
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
        start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
        tally.digest.update(memoryview(lines.buffers()[2])[start:end])


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(value: datetime | None) -> int | None:
    return None if value is None else (value - _EPOCH) // timedelta(microseconds=1)
