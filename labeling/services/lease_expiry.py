"""Expiring the annotation queue's leases: a lease past its time goes back to the queue.

``queue_next`` expires its project's leases before it picks an item; a periodic task
(``labeling.tasks.queue_leases_expire_task``) sweeps every project. Expiring is serialised per
project: by an advisory lock on PostgreSQL, by the database write lock on SQLite.
"""

from collections import Counter
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from labeling.choices import AssignmentState
from labeling.models import Item, QueueAssignment

# Advisory-lock namespace for expiring a project's leases (key 2 is the project id).
_EXPIRE_LOCK_NAMESPACE = 0x7A51

# One statement: lock the project's expired leases that nobody else is touching (a submit in
# flight keeps its row), mark them expired and give their items' lease counts back. The
# advisory lock lets one expiry per project run at a time (two at once could lock the same items,
# with overlap, in different orders): it is tried, never waited for, and held to the end of the
# transaction; a ``next`` that does not get it leaves the expiring to the one that did.
_EXPIRE_CTES = """
WITH expired AS (
    SELECT id FROM labeling_queueassignment
    WHERE state = 'leased' AND expires_at <= %(now)s AND project_id = %(project_id)s
      AND (SELECT pg_try_advisory_xact_lock(%(namespace)s, %(lock_key)s))
    FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE labeling_queueassignment AS a SET state = 'expired', finished_at = %(now)s
    FROM expired WHERE a.id = expired.id
    RETURNING a.item_id
), per_item AS (
    SELECT item_id, COUNT(*) AS n FROM marked GROUP BY item_id
)"""
_ITEMS_UPDATE = """
UPDATE labeling_item AS i SET queue_leases = GREATEST(i.queue_leases - per_item.n, 0)
FROM per_item WHERE i.id = per_item.item_id
RETURNING per_item.n"""
_EXPIRE_SQL_POSTGRESQL = _EXPIRE_CTES + _ITEMS_UPDATE

# The same expiry and, in the same statement, the caller's leases that still run: ``queue_next``
# needs both before it picks an item, and one round trip costs less than two. The count reads
# the snapshot from before the expiry (all parts of one statement do) and needs nothing newer:
# it counts leases whose time has not run out, which the expiry never touches. (A CTE that
# changes rows runs whether or not the query reads it.)
_EXPIRE_AND_COUNT_SQL_POSTGRESQL = (
    _EXPIRE_CTES
    + ", released AS ("
    + _ITEMS_UPDATE
    + """
)
SELECT COUNT(*) FROM labeling_queueassignment
WHERE project_id = %(project_id)s AND user_id = %(user_id)s AND state = 'leased'
  AND expires_at > %(now)s"""
)


def _expire_params(*, project_id: int, now: datetime) -> dict[str, datetime | int]:
    return {
        "now": now,
        "project_id": project_id,
        "namespace": _EXPIRE_LOCK_NAMESPACE,
        "lock_key": project_id % 2_147_483_647,
    }


def project_leases_expire(*, project_id: int, now: datetime) -> int:
    """Expire a project's leases past their time; returns how many. Runs in the caller's
    transaction (SQLite: inside the write lock that transaction holds)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_EXPIRE_SQL_POSTGRESQL, _expire_params(project_id=project_id, now=now))
            return sum(row[0] for row in cursor.fetchall())
    rows = list(
        QueueAssignment.objects.filter(
            project_id=project_id, state=AssignmentState.LEASED, expires_at__lte=now
        ).values_list("id", "item_id")
    )
    if not rows:
        return 0
    QueueAssignment.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        state=AssignmentState.EXPIRED, finished_at=now
    )
    by_count: dict[int, list[int]] = {}
    for item_id, n in Counter(item_id for _, item_id in rows).items():
        by_count.setdefault(n, []).append(item_id)
    for n, item_ids in by_count.items():
        Item.objects.filter(pk__in=item_ids).update(
            queue_leases=Greatest(F("queue_leases") - n, Value(0))
        )
    return len(rows)


def project_leases_expire_and_count_open(*, project_id: int, user_id: int, now: datetime) -> int:
    """``project_leases_expire``, then how many leases ``user_id`` holds in the project that
    run past ``now``. One statement on PostgreSQL. Runs in the caller's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _EXPIRE_AND_COUNT_SQL_POSTGRESQL,
                {**_expire_params(project_id=project_id, now=now), "user_id": user_id},
            )
            return int(cursor.fetchone()[0])
    project_leases_expire(project_id=project_id, now=now)
    return QueueAssignment.objects.filter(
        project_id=project_id, user_id=user_id, state=AssignmentState.LEASED, expires_at__gt=now
    ).count()


def queue_leases_expire(*, now: datetime | None = None) -> int:
    """For the periodic task: expire every project's leases past their time, one short
    transaction per project. Returns how many leases expired."""
    now = now or timezone.now()
    project_ids = list(
        QueueAssignment.objects.filter(state=AssignmentState.LEASED, expires_at__lte=now)
        .values_list("project_id", flat=True)
        .distinct()
        .order_by()
    )
    expired = 0
    for project_id in project_ids:
        with transaction.atomic():
            expired += project_leases_expire(project_id=project_id, now=now)
    return expired
