"""An item's annotation-queue counters: ``queue_leases``, ``queue_annotations``, ``queue_done``.

Every write that hands out or ends a lease, or adds a people's annotation (``HUMAN_SOURCES``),
changes these counters in the same transaction, so the annotation queue never hands out an item
that already has all the annotations it needs. The next-item query reads only them.
"""

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


def item_queue_counts_recount_for_import(*, job_id: int) -> int:
    """Count people's annotations again for the items that got an imported label from import
    job ``job_id`` (one set-based UPDATE; runs when the job ends, also after a failure, since
    the batches before it are committed). Returns how many items it updated.

    A recount rather than an increment, so running the job again cannot count a label twice.
    """
    sources = ", ".join(["%s"] * len(HUMAN_SOURCES))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE labeling_item SET queue_annotations = counts.n, "  # noqa: S608
            "queue_done = counts.n >= project.annotations_per_item "
            "FROM (SELECT a.item_id, COUNT(*) AS n FROM labeling_annotation AS a "
            f"WHERE a.source IN ({sources}) AND a.item_id IN "
            "(SELECT item_id FROM labeling_annotation WHERE import_job_id = %s) "
            "GROUP BY a.item_id) AS counts, labeling_project AS project "
            "WHERE labeling_item.id = counts.item_id "
            "AND project.id = labeling_item.project_id",
            [*HUMAN_SOURCES, job_id],
        )
        return cursor.rowcount
