"""Second opinions on suspect labels: send a batch to the annotation queue, hand its items out
blind, and record what the second person said (``queue_next`` and ``queue_submit`` call the
last two inside their transactions; kept apart from the job so the queue imports no ML code).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core import rows as row_tools
from core.exceptions import ApplicationError
from core.services.audit import audit_record
from labeling.choices import AssignmentState, SuspectStatus
from labeling.models import Item, Project, QueueAssignment, SuspectLabel
from labeling.selectors.audit import project_audit_scope
from labeling.services.queue_counts import item_queue_counts_change

# Items sent for a second opinion in one request.
MAX_BATCH = 200


@transaction.atomic
def suspects_send_for_second_opinion(
    *, project: Project, suspect_ids: list[int], user: User
) -> list[SuspectLabel]:
    """Send open suspects of ``project`` to the annotation queue for a blind second opinion.

    Refuses (400) more than ``MAX_BATCH`` ids or ids that are not open suspects of the project
    (none is sent then). Side effects: the rows become ``sent``; an audit event
    ``suspects.sent`` records who sent which items."""
    wanted = list(dict.fromkeys(suspect_ids))
    if not wanted:
        raise ApplicationError("Choose at least one suspect label to send.", status_code=400)
    if len(wanted) > MAX_BATCH:
        raise ApplicationError(
            f"Send at most {MAX_BATCH} suspect labels at a time.",
            extra={"max_batch": MAX_BATCH},
            status_code=400,
        )
    suspects = list(SuspectLabel.objects.select_for_update().filter(project=project, pk__in=wanted))
    found = {s.pk: s for s in suspects}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ApplicationError(
            "Some of these are not suspect labels of this project.",
            extra={"unknown": missing[:20]},
            status_code=400,
        )
    not_open = [s.pk for s in suspects if s.status != SuspectStatus.OPEN]
    if not_open:
        raise ApplicationError(
            "Some of these were already sent for a second opinion.",
            extra={"already_sent": not_open[:20]},
            status_code=400,
        )
    now = timezone.now()
    SuspectLabel.objects.filter(pk__in=wanted).update(
        status=SuspectStatus.SENT, sent_at=now, sent_by=user
    )
    Project.objects.filter(pk=project.pk).update(
        second_opinions_waiting=F("second_opinions_waiting") + len(wanted)
    )
    project.second_opinions_waiting += len(wanted)
    audit_record(
        actor=user,
        action="suspects.sent",
        object_type="labeling.project",
        object_id=project.pk,
        scope=project_audit_scope(project_id=project.pk),
        after={"items": [found[pk].item_id for pk in wanted]},
    )
    return list(SuspectLabel.objects.filter(pk__in=wanted).select_related("item"))


# Items out for a second opinion that this user may give: never one they (or anyone whose
# label it is) labeled or were handed, nobody holding it now. Oldest request first.
_SECOND_OPINION_SQL = """
SELECT {item_columns}, s.id AS suspect_id
FROM labeling_suspectlabel AS s
JOIN labeling_item AS i ON i.id = s.item_id
WHERE s.project_id = %s AND s.status = 'sent' AND i.queue_leases = 0
  AND NOT EXISTS (SELECT 1 FROM labeling_annotation AS a
                  WHERE a.item_id = s.item_id AND a.annotator_id = %s)
  AND NOT EXISTS (SELECT 1 FROM labeling_queueassignment AS qa
                  WHERE qa.item_id = s.item_id AND qa.user_id = %s
                    AND qa.state IN ('leased', 'submitted', 'skipped'))
  AND (s.annotator_id IS NULL OR s.annotator_id <> %s)
ORDER BY s.sent_at, s.id
LIMIT 1
"""


def suspect_second_opinion_pick(
    *, project: Project, user: User, now: datetime, lease_until: datetime
) -> QueueAssignment | None:
    """Lease an item out for a second opinion to ``user``, if one is waiting for them; must run
    inside the queue's transaction. The lease carries no proposal: the annotator sees the item
    alone, blind to the first label and to the model."""
    if not project.second_opinions_waiting:
        return None  # the usual case: no query at all
    if not SuspectLabel.objects.filter(project=project, status=SuspectStatus.SENT).exists():
        # Stale (the items were deleted, a batch was answered elsewhere): put it right.
        Project.objects.filter(pk=project.pk).update(second_opinions_waiting=0)
        return None
    lock = " FOR UPDATE OF i SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = _SECOND_OPINION_SQL.format(item_columns=row_tools.columns(Item, "i")) + lock
    with connection.cursor() as cursor:
        cursor.execute(sql, [project.pk, user.pk, user.pk, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    item = row_tools.instance(Item, row)
    assert item is not None  # a row was found
    values: dict[str, Any] = {
        "state": AssignmentState.LEASED,
        "suggested_labels": [],
        "suggested_confidence": None,
        "suggested_by_id": None,
        "skip_reason": "",
        "leased_at": now,
        "expires_at": lease_until,
        "finished_at": None,
    }
    earlier = QueueAssignment.objects.filter(item=item, user=user).first()
    if earlier is not None:
        QueueAssignment.objects.filter(pk=earlier.pk).update(**values)
        assignment = QueueAssignment(pk=earlier.pk, project=project, item=item, user=user, **values)
    else:
        assignment = QueueAssignment(project=project, item=item, user=user, **values)
        row_tools.insert(assignment)
    assignment.suggested_by = None
    item_queue_counts_change(item_id=item.pk, leases=1)
    return assignment


def suspect_second_opinion_record(*, item: Item, user: User, labels: list[str]) -> None:
    """Record a person's answer on an item out for a second opinion (within the submit's
    transaction): ``confirmed`` when their label is the judged one, else ``corrected``. An
    answer by the person whose label was judged does not count."""
    if not item.project.second_opinions_waiting:
        return  # the usual case: no query at all
    suspect = (
        SuspectLabel.objects.select_for_update()
        .filter(item_id=item.pk, status=SuspectStatus.SENT)
        .first()
    )
    if suspect is None or suspect.annotator_id == user.pk:
        return
    suspect.status = (
        SuspectStatus.CONFIRMED if labels[:1] == [suspect.given_label] else SuspectStatus.CORRECTED
    )
    suspect.reviewer = user
    suspect.review_labels = list(labels)
    suspect.reviewed_at = timezone.now()
    suspect.save(update_fields=["status", "reviewer", "review_labels", "reviewed_at"])
    Project.objects.filter(pk=item.project_id, second_opinions_waiting__gt=0).update(
        second_opinions_waiting=F("second_opinions_waiting") - 1
    )
