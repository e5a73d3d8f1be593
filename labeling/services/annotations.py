"""People's annotations: the one writer of their labels, direct labels, and edits (undo).

``annotation_insert`` is the only place a person's annotation row is created: the queue's
submit (``labeling.services.queue``), a direct label with an optional client key
(``annotation_create`` below) and a decision made in another app (``external_labels``) all
call it, so cleaning the labels, measuring the outcome, moving the item's queue counters and
scheduling the retraining check happen the same way for each.

Two writers stay set-based, on purpose: an import job copies thousands of labels per statement
and recounts the queue counters once at its end (``imports``), and a training run adds
automatic labels (source ``auto``, no person, no counters to move: the item simply leaves the
queue) with one ``INSERT … SELECT`` (``bulk_sql.auto_annotations_insert``). Going row by row
through ``annotation_insert`` would cost them orders of magnitude.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import rows
from core.exceptions import ApplicationError
from labeling.choices import (
    AnnotationClient,
    AnnotationOutcome,
    AnnotationSource,
    AssignmentState,
    TaskType,
)
from labeling.models import Annotation, Item, Project, QueueAssignment
from labeling.selectors.projects import project_label_class_names
from labeling.services.queue_counts import item_queue_counts_change

# How long after submitting a person may still change their label (undo, fix a slip).
EDIT_WINDOW = timedelta(hours=24)


def annotation_labels_clean(*, item: Item, labels: list[str]) -> list[str]:
    """The labels as stored: stripped, blanks and repeats dropped, order kept.

    Refuses (400) an empty list, names that are not label classes of the item's project, and
    more than one label outside a multilabel project.
    """
    project = item.project
    cleaned = list(dict.fromkeys(label.strip() for label in labels if label and label.strip()))
    if not cleaned:
        raise ApplicationError("Give at least one label.", extra={"labels": labels})
    known = set(project_label_class_names(project=project))
    unknown = [label for label in cleaned if label not in known]
    if unknown:
        raise ApplicationError(
            f"Not a label class of this project: {', '.join(map(repr, unknown))}.",
            extra={"unknown": unknown, "label_classes": sorted(known)},
        )
    if len(cleaned) > 1 and project.task_type != TaskType.MULTILABEL:
        raise ApplicationError(
            f"A {project.task_type} project takes one label per item; got {len(cleaned)}.",
            extra={"labels": cleaned},
        )
    return cleaned


def annotation_outcome(*, labels: list[str], suggested_labels: list[str]) -> str:
    """How a label relates to the proposal shown: the same set of labels is an acceptance."""
    if not suggested_labels:
        return AnnotationOutcome.NO_SUGGESTION
    if set(labels) == set(suggested_labels):
        return AnnotationOutcome.ACCEPTED
    return AnnotationOutcome.CORRECTED


def item_suggestion(*, item: Item) -> tuple[list[str], float | None, int | None]:
    """The model's proposal for an item now: ``(labels, confidence, model version id)``.

    Empty when the item has no prediction, or when its predicted label is no longer a class
    of the project (classes were renamed or removed after the last scoring run).
    """
    label = item.predicted_label
    if not label or not item.project.label_classes.filter(name=label).exists():
        return [], None, None
    return [label], item.confidence, item.scored_by_id


def _retrain_check_after_commit(project_id: int) -> None:
    def check_retrain() -> None:
        from labeling.services.retraining import project_retrain_if_due

        project_retrain_if_due(project_id=project_id)

    # Robust: the label is saved whatever happens here (a broker that is down when the
    # training job is queued is already handled by enqueue_on_commit; the hourly
    # ``retrain_scheduled`` check requests training that was missed).
    transaction.on_commit(check_retrain, robust=True)


def annotation_insert(
    *,
    item: Item,
    annotator: User | None,
    labels: list[str],
    source: str,
    client: str,
    suggested_labels: list[str],
    suggested_by_id: int | None,
    time_on_item_ms: int | None = None,
    client_key: str = "",
    ends_lease: bool = False,
) -> Annotation:
    """Write one person's annotation of ``item``: the single writer of people's labels.

    Cleans the labels (``annotation_labels_clean``: 400 for none, unknown or too many) and
    stores them with the proposal the person was shown (``suggested_labels``, made by model
    version ``suggested_by_id``) and the outcome measured against it. Must run inside the
    caller's transaction, after the caller locked (and updated) the person's queue assignment
    if there is one: locks are always taken assignment first, then item.

    An already used ``client_key`` of the same annotator breaks the unique (annotator,
    client_key) constraint: the ``IntegrityError`` is the caller's to turn into a replay.

    Side effects: the item's annotation count goes up by one (it leaves the annotation queue
    when it has ``annotations_per_item``) and, with ``ends_lease``, its lease count down by one;
    after commit, the check whether enough new labels arrived to retrain
    (``project.retrain_every``) runs and, if so, requests a training run.
    """
    cleaned = annotation_labels_clean(item=item, labels=labels)
    annotation = Annotation(
        item=item,
        annotator=annotator,
        labels=cleaned,
        source=source,
        suggested_labels=suggested_labels,
        suggested_by_id=suggested_by_id,
        outcome=annotation_outcome(labels=cleaned, suggested_labels=suggested_labels),
        time_on_item_ms=time_on_item_ms,
        client=client,
        client_key=client_key,
    )
    # One INSERT written once (every label of every person comes through here).
    rows.insert(annotation)
    item_queue_counts_change(
        item_id=item.pk,
        annotations_per_item=item.project.annotations_per_item,
        annotations=1,
        leases=-1 if ends_lease else 0,
    )
    if item.project.retrain_every:
        # Projects with automatic retraining off have nothing to check after each label.
        _retrain_check_after_commit(item.project_id)
    return annotation


def annotation_by_client_key(*, user: User, client_key: str) -> Annotation | None:
    """The annotation ``user`` stored with ``client_key`` (their idempotency key), if any."""
    return (
        Annotation.objects.select_related("suggested_by")
        .filter(annotator=user, client_key=client_key)
        .first()
    )


def annotation_replay(*, annotation: Annotation, item: Item) -> Annotation:
    """A submission repeated with its client key: the stored annotation, untouched. 409 when
    the key was used for another item."""
    if annotation.item_id != item.pk:
        raise ApplicationError(
            "This client_key was already used for another item; use a new key per submission.",
            extra={"client_key": annotation.client_key, "item": annotation.item_id},
            status_code=409,
        )
    return annotation


def annotation_create(
    *,
    item: Item,
    annotator: User,
    labels: list[str],
    client: str = AnnotationClient.API,
    time_on_item_ms: int | None = None,
    client_key: str = "",
) -> tuple[Annotation, bool]:
    """Record a person's label(s) for an item directly, without a queue lease (source = human);
    returns ``(annotation, created)``.

    With a ``client_key`` it is idempotent as the queue's submit is: the same key again from
    the same person returns the stored annotation (created = False), also when both requests
    arrive at once (the unique (annotator, client_key) constraint decides); a key already used
    for another item is refused (409). Without one, every call stores a label.

    The suggestion recorded is the one of the caller's lease on the item if they hold one,
    else the item's current prediction (what the item views show next to it). The caller's
    queue assignment for the item becomes ``submitted`` (created if they had none), so the
    queue never hands them this item again; the item's queue counters follow.

    Side effects: after commit, checks whether enough new human labels arrived to retrain
    (``project.retrain_every``) and, if so, requests a training run.
    """
    try:
        with transaction.atomic():
            if client_key:
                existing = annotation_by_client_key(user=annotator, client_key=client_key)
                if existing is not None:
                    return annotation_replay(annotation=existing, item=item), False
            annotation = _annotation_create_unleased(
                item=item,
                annotator=annotator,
                labels=labels,
                client=client,
                time_on_item_ms=time_on_item_ms,
                client_key=client_key,
            )
            return annotation, True
    except IntegrityError:
        # The same key sent twice at once: the twin committed first and the unique
        # (annotator, client_key) constraint refused this insert.
        existing = (
            annotation_by_client_key(user=annotator, client_key=client_key) if client_key else None
        )
        if existing is None:
            raise
        return annotation_replay(annotation=existing, item=item), False


def _annotation_create_unleased(
    *,
    item: Item,
    annotator: User,
    labels: list[str],
    client: str,
    time_on_item_ms: int | None,
    client_key: str,
) -> Annotation:
    """``annotation_create``'s write: the caller's assignment (lease or none), then the
    annotation."""
    now = timezone.now()
    assignment = (
        QueueAssignment.objects.select_for_update().filter(item=item, user=annotator).first()
    )
    held = assignment is not None and assignment.state == AssignmentState.LEASED
    if assignment is not None and held:
        suggested, suggested_by_id = assignment.suggested_labels, assignment.suggested_by_id
    else:
        suggested, _, suggested_by_id = item_suggestion(item=item)
    if assignment is None:
        QueueAssignment.objects.create(
            project_id=item.project_id,
            item=item,
            user=annotator,
            state=AssignmentState.SUBMITTED,
            suggested_labels=suggested,
            suggested_by_id=suggested_by_id,
            leased_at=now,
            expires_at=now,
            finished_at=now,
        )
    else:
        assignment.state = AssignmentState.SUBMITTED
        assignment.finished_at = now
        assignment.save(update_fields=["state", "finished_at"])
    return annotation_insert(
        item=item,
        annotator=annotator,
        labels=labels,
        source=AnnotationSource.HUMAN,
        client=client,
        suggested_labels=suggested,
        suggested_by_id=suggested_by_id,
        time_on_item_ms=time_on_item_ms,
        client_key=client_key,
        ends_lease=held,
    )


def annotation_get_for_edit(
    *, project: Project, annotation_id: int, user: User, now: datetime | None = None
) -> Annotation:
    """The caller's own human annotation in ``project``, if it may still be changed.

    404 when it is not in the project; 403 when it is someone else's or not a person's label
    given here; 409 when the edit window has passed.
    """
    annotation = (
        Annotation.objects.select_related("item__project", "suggested_by")
        .filter(item__project=project, pk=annotation_id)
        .first()
    )
    if annotation is None:
        raise ApplicationError("Annotation not found.", status_code=404)
    if annotation.annotator_id != user.pk or annotation.source != AnnotationSource.HUMAN:
        raise ApplicationError(
            "You can only change your own labels.",
            extra={"annotation": annotation.pk},
            status_code=403,
        )
    now = now or timezone.now()
    if annotation.created_at < now - EDIT_WINDOW:
        hours = int(EDIT_WINDOW.total_seconds() // 3600)
        raise ApplicationError(
            f"This label was given more than {hours} hours ago and can no longer be changed.",
            extra={"annotation": annotation.pk, "created_at": annotation.created_at.isoformat()},
            status_code=409,
        )
    return annotation


@transaction.atomic
def annotation_update(*, annotation: Annotation, labels: list[str]) -> Annotation:
    """Change the labels of an annotation (undo / fix); the outcome is measured again against
    the proposal that was shown. Queue counters do not change: it is still one annotation."""
    cleaned = annotation_labels_clean(item=annotation.item, labels=labels)
    annotation.labels = cleaned
    annotation.outcome = annotation_outcome(
        labels=cleaned, suggested_labels=annotation.suggested_labels
    )
    annotation.save(update_fields=["labels", "outcome", "updated_at"])
    return annotation
