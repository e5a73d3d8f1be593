"""The annotation queue: hand out the next item on a lease, then take the answer, a skip or a
release.

Each annotator has at most one ``QueueAssignment`` per item, so nobody is handed the same item
twice. With ``annotations_per_item`` = k, up to k different people may hold or finish an item.
The item's queue counters (``queue_annotations``, ``queue_leases``, ``queue_done``) change in
the same transaction as the assignment row they describe; the next-item query reads only them
and the partial index ``item_queue_idx``, so handing out an item costs the same on 1,000 or
1,000,000 items.

Locks, always in this order so concurrent calls never wait on each other in a cycle: the
assignment row (submit, skip, release, renew), then the item row (counters). ``next`` locks
the item with ``SKIP LOCKED`` and never waits; expiring leases (``lease_expiry``) is serialised
per project by an advisory lock (PostgreSQL) or the database write lock (SQLite).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import rows
from core.exceptions import ApplicationError
from labeling.choices import AnnotationClient, AnnotationSource, AssignmentState
from labeling.models import Annotation, Item, Project, QueueAssignment
from labeling.services.annotations import (
    annotation_by_client_key,
    annotation_insert,
    annotation_labels_clean,
    annotation_replay,
)
from labeling.services.lease_expiry import project_leases_expire_and_count_open
from labeling.services.queue_counts import item_queue_counts_change
from labeling.services.suspect_reviews import (
    suspect_second_opinion_pick,
    suspect_second_opinion_record,
)
from models_app.models import ModelVersion

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A client prefetches the next item while showing the current one: a few leases per person are
# normal; more means items are being hoarded and hidden from everyone else.
MAX_OPEN_LEASES = 5

NOTHING_LEFT = "Nothing left to label in this project for you right now."


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.TANDEM_LEASE_SECONDS)


# --- next ----------------------------------------------------------------------------------------

# Both queries return the item's columns, ``reuse_id`` (the user's earlier assignment to hand
# back, if any), whether the predicted label is still a class of the project, and the version
# number of the model that predicted it: everything the lease and its response need, in one
# round trip.

# The highest-priority open item this user was never assigned, with room for one more person.
# Walks item_queue_idx (project, priority DESC, id) WHERE NOT queue_done and stops at the first
# row that qualifies; rows other transactions are leasing right now are skipped, not waited for.
# The OFFSET keeps the NOT EXISTS a probe of the (item, user) index for each row walked: as an
# anti-join PostgreSQL may read all of the user's assignments first (a sequential scan of the
# table when its statistics are old, as after a bulk of new leases), which grows with the table.
_NEXT_SQL = """
SELECT {item_columns}, NULL AS reuse_id,
  EXISTS (SELECT 1 FROM labeling_labelclass AS lc
          WHERE lc.project_id = i.project_id AND lc.name = i.predicted_label) AS suggestion_ok,
  (SELECT mv.version FROM models_app_modelversion AS mv WHERE mv.id = i.scored_by_id)
    AS scored_by_version
FROM labeling_item AS i
WHERE i.project_id = %s AND NOT i.queue_done AND i.queue_annotations + i.queue_leases < %s
  AND NOT EXISTS (
    SELECT 1 FROM labeling_queueassignment AS a WHERE a.item_id = i.id AND a.user_id = %s
    LIMIT 1 OFFSET 0
  )
ORDER BY i.priority DESC, i.id
LIMIT 1
"""
# When nothing else is left: an item this user released, or whose lease ran out, and that
# still needs someone. Otherwise a lone annotator who left an item could never finish it.
_RETURN_SQL = """
SELECT {item_columns}, a.id AS reuse_id,
  EXISTS (SELECT 1 FROM labeling_labelclass AS lc
          WHERE lc.project_id = i.project_id AND lc.name = i.predicted_label) AS suggestion_ok,
  (SELECT mv.version FROM models_app_modelversion AS mv WHERE mv.id = i.scored_by_id)
    AS scored_by_version
FROM labeling_queueassignment AS a
JOIN labeling_item AS i ON i.id = a.item_id
WHERE a.project_id = %s AND a.user_id = %s AND a.state IN ('released', 'expired')
  AND NOT i.queue_done AND i.queue_annotations + i.queue_leases < %s
ORDER BY i.priority DESC, i.id
LIMIT 1
"""


class _PickColumns(TypedDict):
    """The columns both queries add to the item's own."""

    reuse_id: int | None
    suggestion_ok: bool
    scored_by_version: int | None


def _pick(*, project: Project, user: User) -> "WithAnnotations[Item, _PickColumns] | None":
    """The item to lease, locked, with ``reuse_id`` (the user's earlier assignment to reuse, or
    None), ``suggestion_ok`` and ``scored_by_version``; None when nothing is left."""
    k = project.annotations_per_item
    postgresql = connection.vendor == "postgresql"
    item_columns = rows.columns(Item, "i")
    next_sql = _NEXT_SQL.format(item_columns=item_columns)
    return_sql = _RETURN_SQL.format(item_columns=item_columns)
    with connection.cursor() as cursor:
        cursor.execute(
            next_sql + ("FOR UPDATE OF i SKIP LOCKED" if postgresql else ""),
            [project.pk, k, user.pk],
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                return_sql + ("FOR UPDATE OF i, a SKIP LOCKED" if postgresql else ""),
                [project.pk, user.pk, k],
            )
            row = cursor.fetchone()
    item = rows.instance(Item, row) if row else None
    if item is None:
        return None
    picked = cast("WithAnnotations[Item, _PickColumns]", item)
    width = rows.width(Item)
    picked.reuse_id, picked.suggestion_ok, picked.scored_by_version = row[width : width + 3]
    # SQLite answers EXISTS with 0 or 1.
    picked.suggestion_ok = bool(picked.suggestion_ok)
    return picked


def queue_next(*, project: Project, user: User) -> QueueAssignment | None:
    """Lease the next item to ``user``: the highest-priority item that still needs an
    annotation, that fewer than ``annotations_per_item`` people hold or finished, and that this
    user was never handed (falling back to one they released or let expire). None when there is
    nothing left for them.

    Refuses (409) a user who already holds ``MAX_OPEN_LEASES`` open leases in the project.

    Side effects: first expires the project's leases past their time. Writes the assignment
    (lease, and the model's proposal shown with it) and the item's lease count in one
    transaction. Never scores anything.
    """
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                held = project_leases_expire_and_count_open(
                    project_id=project.pk, user_id=user.pk, now=now
                )
                if held >= MAX_OPEN_LEASES:
                    raise ApplicationError(
                        f"You already hold {MAX_OPEN_LEASES} items in this project: submit, "
                        "skip or release one before asking for another.",
                        extra={"max_open_leases": MAX_OPEN_LEASES},
                        status_code=409,
                    )
                # Items a manager sent for a second opinion come first (``suspects``).
                second = suspect_second_opinion_pick(
                    project=project, user=user, now=now, lease_until=now + lease_duration()
                )
                if second is not None:
                    return second
                item = _pick(project=project, user=user)
                if item is None:
                    return None
                return _lease(project=project, user=user, item=item, now=now)
        except IntegrityError:
            # The same user asked twice at once and both requests chose one item (possible
            # only with overlap > 1): the unique (item, user) row refused the second. Pick again.
            continue
    return None


@dataclass(frozen=True)
class QueueOffer:
    """The next item handed out with an answer: ``assignment``, or None and ``message`` saying
    why not."""

    assignment: QueueAssignment | None
    message: str


def queue_offer(*, project: Project, user: User) -> QueueOffer:
    """``queue_next`` for a submit or skip that asked for the next item in its answer, so a
    client needs one request per label instead of two.

    The same lease, in the same order, as ``queue_next``; but the lease limit is a message,
    not a refusal: the answer it rides on is already stored, and a 409 would say otherwise.

    Side effects: those of ``queue_next``, in a transaction of its own (after the answer's).
    """
    try:
        assignment = queue_next(project=project, user=user)
    except ApplicationError as refusal:
        if refusal.status_code != 409:
            raise
        return QueueOffer(assignment=None, message=refusal.message)
    return QueueOffer(assignment=assignment, message="" if assignment else NOTHING_LEFT)


def _lease(
    *,
    project: Project,
    user: User,
    item: "WithAnnotations[Item, _PickColumns]",
    now: datetime,
) -> QueueAssignment:
    suggested = bool(item.predicted_label and item.suggestion_ok)
    values = {
        "state": AssignmentState.LEASED,
        "suggested_labels": [item.predicted_label] if suggested else [],
        "suggested_confidence": item.confidence if suggested else None,
        "suggested_by_id": item.scored_by_id if suggested else None,
        "skip_reason": "",
        "leased_at": now,
        "expires_at": now + lease_duration(),
        "finished_at": None,
    }
    if item.reuse_id is not None:
        QueueAssignment.objects.filter(pk=item.reuse_id).update(**values)
        assignment = QueueAssignment(
            pk=item.reuse_id, project=project, item=item, user=user, **values
        )
    else:
        assignment = QueueAssignment(project=project, item=item, user=user, **values)
        rows.insert(assignment)
    if suggested and item.scored_by_id is not None:
        # The client shows the version number; the rest of the version is not needed here.
        assignment.suggested_by = ModelVersion.from_db(
            None, ["id", "version"], [item.scored_by_id, item.scored_by_version]
        )
    item_queue_counts_change(item_id=item.pk, leases=1)
    return assignment


# --- renew, release, skip ------------------------------------------------------------------------


def _assignment_locked(*, item: Item, user: User) -> QueueAssignment | None:
    """The user's assignment to the item, locked, with the proposal's model version number
    (``suggested_by`` holds only ``id`` and ``version``); None when they were never handed it.
    One statement, written out: submit runs it on every label."""
    lock = " FOR UPDATE OF a" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(QueueAssignment, 'a')}, mv.version "  # noqa: S608
            f"FROM {QueueAssignment._meta.db_table} AS a "
            f"LEFT JOIN {ModelVersion._meta.db_table} AS mv ON mv.id = a.suggested_by_id "
            f"WHERE a.item_id = %s AND a.user_id = %s{lock}",
            [item.pk, user.pk],
        )
        row = cursor.fetchone()
    assignment = rows.instance(QueueAssignment, row) if row else None
    if assignment is None:
        return None
    assignment.item = item
    if assignment.suggested_by_id is not None:
        assignment.suggested_by = ModelVersion.from_db(
            None, ["id", "version"], [assignment.suggested_by_id, row[rows.width(QueueAssignment)]]
        )
    else:
        assignment.suggested_by = None
    return assignment


def _no_lease(*, item: Item) -> ApplicationError:
    return ApplicationError(
        "You do not hold a lease on this item: ask for items with queue/next/.",
        extra={"item": item.pk},
        status_code=409,
    )


def _refuse_without_lease(
    *, assignment: QueueAssignment | None, item: Item, now: datetime
) -> QueueAssignment:
    """The assignment if it is a lease that still runs; otherwise a 409 saying why not."""
    if assignment is None:
        raise _no_lease(item=item)
    extra = {"item": item.pk, "state": assignment.state}
    if assignment.state == AssignmentState.LEASED and assignment.expires_at <= now:
        raise ApplicationError(
            "Your lease on this item expired; it went back to the queue.",
            extra={**extra, "state": AssignmentState.EXPIRED},
            status_code=409,
        )
    messages: dict[str, str] = {
        AssignmentState.SUBMITTED: "You already labeled this item; change it from your history.",
        AssignmentState.SKIPPED: "You skipped this item; your lease on it is finished.",
        AssignmentState.RELEASED: "You released this item; your lease on it is finished.",
        AssignmentState.EXPIRED: "Your lease on this item expired; it went back to the queue.",
    }
    if assignment.state != AssignmentState.LEASED:
        raise ApplicationError(messages[assignment.state], extra=extra, status_code=409)
    return assignment


@transaction.atomic
def queue_renew(*, item: Item, user: User) -> QueueAssignment:
    """Extend the caller's running lease on ``item`` by the lease length (from now).

    409 when they hold no lease on it, or it expired or finished."""
    now = timezone.now()
    assignment = _refuse_without_lease(
        assignment=_assignment_locked(item=item, user=user), item=item, now=now
    )
    assignment.expires_at = now + lease_duration()
    assignment.save(update_fields=["expires_at"])
    return assignment


def _finish(*, assignment: QueueAssignment, state: str, now: datetime, reason: str = "") -> None:
    was_leased = assignment.state == AssignmentState.LEASED
    assignment.state = state
    assignment.finished_at = now
    assignment.skip_reason = reason
    assignment.save(update_fields=["state", "finished_at", "skip_reason"])
    if was_leased:
        # Even past its time: the expiry sweep only counts rows still marked leased.
        item_queue_counts_change(item_id=assignment.item_id, leases=-1)


@transaction.atomic
def queue_release(*, item: Item, user: User) -> None:
    """Leave an item without an answer: it goes back to the queue for others (and to the
    caller only when nothing else is left). Releasing what one does not hold does nothing."""
    assignment = _assignment_locked(item=item, user=user)
    if assignment is not None and assignment.state == AssignmentState.LEASED:
        _finish(assignment=assignment, state=AssignmentState.RELEASED, now=timezone.now())


@transaction.atomic
def queue_skip(*, item: Item, user: User, reason: str = "") -> QueueAssignment:
    """Skip an item (with an optional reason): the caller is never handed it again; others are.

    Works on a lease that ran out too (the caller saw the item). Skipping twice is a no-op;
    409 for an item the caller was never handed or already labeled.
    """
    assignment = _assignment_locked(item=item, user=user)
    if assignment is None:
        raise _no_lease(item=item)
    if assignment.state == AssignmentState.SUBMITTED:
        raise ApplicationError(
            "You already labeled this item; change it from your history.",
            extra={"item": item.pk, "state": assignment.state},
            status_code=409,
        )
    if assignment.state != AssignmentState.SKIPPED:
        _finish(
            assignment=assignment, state=AssignmentState.SKIPPED, now=timezone.now(), reason=reason
        )
    return assignment


# --- submit --------------------------------------------------------------------------------------


def queue_submit(
    *,
    item: Item,
    user: User,
    labels: list[str],
    client_key: str,
    time_on_item_ms: int | None = None,
    client: str = AnnotationClient.API,
) -> tuple[Annotation, bool]:
    """Store the caller's label(s) for an item they hold a lease on; returns ``(annotation,
    created)``.

    Idempotent by ``client_key``: the same key again from the same user returns the stored
    annotation (created = False), also when both requests arrive at once and after the lease
    finished. The annotation records the proposal shown with the lease and the outcome
    (accepted / corrected / no suggestion).

    Refuses: unknown labels or too many for the task type (400); no lease, or one that expired
    or finished (409).

    Side effects: the assignment becomes ``submitted``; the item's lease count goes down and its
    annotation count up (it leaves the queue when it has ``annotations_per_item``); after
    commit, the retraining check runs.
    """
    try:
        with transaction.atomic():
            now = timezone.now()
            assignment = _assignment_locked(item=item, user=user)
            # A running lease means no answer yet: the key can only be stored already if the
            # lease is finished (looked up after the lock: a twin of this request may have
            # committed while this one waited for it).
            if assignment is None or assignment.state != AssignmentState.LEASED:
                existing = annotation_by_client_key(user=user, client_key=client_key)
                if existing is not None:
                    return annotation_replay(annotation=existing, item=item), False
            try:
                assignment = _refuse_without_lease(assignment=assignment, item=item, now=now)
            except ApplicationError:
                # Labels that could never be stored are the first thing to say (400), before
                # the lease (409).
                annotation_labels_clean(item=item, labels=labels)
                raise
            assignment.state = AssignmentState.SUBMITTED
            assignment.finished_at = now
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {QueueAssignment._meta.db_table} "  # noqa: S608
                    "SET state = %s, finished_at = %s WHERE id = %s",
                    [AssignmentState.SUBMITTED.value, now, assignment.pk],
                )
            annotation = annotation_insert(
                item=item,
                annotator=user,
                labels=labels,
                source=AnnotationSource.HUMAN,
                client=client,
                suggested_labels=assignment.suggested_labels,
                suggested_by_id=assignment.suggested_by_id,
                time_on_item_ms=time_on_item_ms,
                client_key=client_key,
                ends_lease=True,
            )
            suspect_second_opinion_record(item=item, user=user, labels=annotation.labels)
            # The response shows the proposal's version number: the lock already read it.
            annotation.suggested_by = assignment.suggested_by
            return annotation, True
    except IntegrityError:
        # The same key sent at once for two different items: each request held its own
        # item's lease, so only the unique (annotator, client_key) constraint tells them apart.
        existing = annotation_by_client_key(user=user, client_key=client_key)
        if existing is None:
            raise
        return annotation_replay(annotation=existing, item=item), False
