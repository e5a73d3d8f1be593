"""An item's annotation-queue counters: ``queue_leases``, ``queue_annotations``, ``queue_done``.

Every write that hands out or ends a lease, or adds a people's annotation (``HUMAN_SOURCES``),
changes these counters in the same transaction, so the annotation queue never hands out an item
that already has all the annotations it needs. The next-item query reads only them.
"""

from collections.abc import Sequence

import orjson
from django.db import connection

from labeling.choices import HUMAN_SOURCES

# The queue's hottest write (two per next+submit pair), kept as SQL: the ORM would build the
# same statement anew on every call. CASE keeps the counts from going below zero on both
# databases (SQLite has no GREATEST).
_COUNTS_LEASES_SQL = (
    "UPDATE labeling_item SET queue_leases = "
    "CASE WHEN queue_leases + %s > 0 THEN queue_leases + %s ELSE 0 END WHERE id = %s"
)
_COUNTS_SQL = (
    "UPDATE labeling_item SET queue_leases = "
    "CASE WHEN queue_leases + %s > 0 THEN queue_leases + %s ELSE 0 END, "
    "queue_annotations = "
    "CASE WHEN queue_annotations + %s > 0 THEN queue_annotations + %s ELSE 0 END, "
    "queue_done = (queue_annotations + %s >= %s) WHERE id = %s"
)


def item_queue_counts_change(
    *, item_id: int, annotations: int = 0, leases: int = 0, annotations_per_item: int = 1
) -> None:
    """Add to an item's queue counters; with ``annotations``, also recompute whether it now has
    the ``annotations_per_item`` it needs.

    Must run in the transaction that made the change the counters describe. In an UPDATE every
    expression reads the row as it was, so ``queue_done`` compares the old count plus the change.
    """
    with connection.cursor() as cursor:
        if annotations:
            cursor.execute(
                _COUNTS_SQL,
                [leases, leases, annotations, annotations, annotations, annotations_per_item,
                 item_id],
            )  # fmt: skip
        elif leases:
            cursor.execute(_COUNTS_LEASES_SQL, [leases, leases, item_id])


def item_queue_counts_recount(*, item_ids: Sequence[int]) -> int:
    """Count people's annotations again for these items (one set-based UPDATE), for writes
    that add annotations in bulk, such as an import adding labels to items that already
    existed. Must run in the transaction that added them. Returns how many items changed.

    A recount rather than an increment, so a write that adds nothing new (an import run again)
    cannot count a label twice; rows whose counters are already right are left untouched.
    """
    if not item_ids:
        return 0
    sources = ", ".join(["%s"] * len(HUMAN_SOURCES))
    ids_json = orjson.dumps(list(item_ids)).decode()
    if connection.vendor == "postgresql":
        ids = "ANY(ARRAY(SELECT CAST(jsonb_array_elements_text(%s::jsonb) AS bigint)))"
        item_match, count_match = f"labeling_item.id = {ids}", f"a.item_id = {ids}"
    else:
        ids = "(SELECT value FROM json_each(%s))"
        item_match, count_match = f"labeling_item.id IN {ids}", f"a.item_id IN {ids}"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE labeling_item SET queue_annotations = counts.n, "  # noqa: S608
            "queue_done = counts.n >= project.annotations_per_item "
            "FROM (SELECT a.item_id, COUNT(*) AS n FROM labeling_annotation AS a "
            f"WHERE a.source IN ({sources}) AND {count_match} "
            "GROUP BY a.item_id) AS counts, labeling_project AS project "
            f"WHERE labeling_item.id = counts.item_id AND {item_match} "
            "AND project.id = labeling_item.project_id "
            "AND (labeling_item.queue_annotations <> counts.n "
            "OR labeling_item.queue_done <> (counts.n >= project.annotations_per_item))",
            [*HUMAN_SOURCES, ids_json, ids_json],
        )
        return cursor.rowcount
