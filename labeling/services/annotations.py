"""Labels given by people: direct labels, edits (undo), and the queue counters they move.

Every write that adds or removes a people's annotation (``HUMAN_SOURCES``) changes
``Item.queue_annotations`` / ``queue_done`` in the same transaction, so the annotation queue
never hands out an item that already has all the annotations it needs.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from labeling.choices import (
    HUMAN_SOURCES,
    AnnotationClient,
    AnnotationOutcome,
    AnnotationSource,
    AssignmentState,
    TaskType,
)
from labeling.models import Annotation, Item, Project, QueueAssignment

# How long after submitting a person may still change their label (undo, fix a slip).
EDIT_WINDOW = timedelta(hours=24)


def _clean_labels(*, item: Item, labels: list[str]) -> list[str]:
    project = item.project
    cleaned = list(dict.fromkeys(label.strip() for label in labels if label and label.strip()))
    if not cleaned:
        raise ApplicationError("Give at least one label.", extra={"labels": labels})
    known = set(project.label_classes.values_list("name", flat=True))
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


def _after_commit_check_retrain(project_id: int) -> None:
    def check_retrain() -> None:
        from labeling.services.retraining import project_retrain_if_due

        project_retrain_if_due(project_id=project_id)

    # Robust: the label is saved whatever happens here (a broker that is down when the
    # training job is queued is already handled by enqueue_on_commit; the hourly
    # ``retrain_scheduled`` check requests training that was missed).
    transaction.on_commit(check_retrain, robust=True)


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
            annotation = _annotation_store(
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


def _annotation_store(
    *,
    item: Item,
    annotator: User,
    labels: list[str],
    client: str,
    time_on_item_ms: int | None,
    client_key: str,
) -> Annotation:
    cleaned = _clean_labels(item=item, labels=labels)
    now = timezone.now()
    assignment = (
        QueueAssignment.objects.select_for_update().filter(item=item, user=annotator).first()
    )
    held = assignment is not None and assignment.state == AssignmentState.LEASED
    if assignment is not None and held:
        suggested, suggested_by_id = assignment.suggested_labels, assignment.suggested_by_id
    else:
        suggested, _, suggested_by_id = item_suggestion(item=item)
    annotation = Annotation.objects.create(
        item=item,
        annotator=annotator,
        labels=cleaned,
        source=AnnotationSource.HUMAN,
        suggested_labels=suggested,
        suggested_by_id=suggested_by_id,
        outcome=annotation_outcome(labels=cleaned, suggested_labels=suggested),
        time_on_item_ms=time_on_item_ms,
        client=client,
        client_key=client_key,
    )
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
    item_queue_counts_change(
        item_id=item.pk,
        annotations_per_item=item.project.annotations_per_item,
        annotations=1,
        leases=-1 if held else 0,
    )
    _after_commit_check_retrain(item.project_id)
    return annotation


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
    cleaned = _clean_labels(item=annotation.item, labels=labels)
    annotation.labels = cleaned
    annotation.outcome = annotation_outcome(
        labels=cleaned, suggested_labels=annotation.suggested_labels
    )
    annotation.save(update_fields=["labels", "outcome", "updated_at"])
    return annotation
