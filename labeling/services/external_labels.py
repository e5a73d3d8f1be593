"""Labels decided outside the labeling queue: a moderator's verdict or an appeal's outcome.

Another app (moderation) calls this service when a person's final decision about a piece of
content should become training data; it never writes annotations itself. The annotation counts
like any person's label: the item's queue counters follow, and the retraining check runs.
"""

from django.contrib.auth.models import User
from django.db import transaction

from core.exceptions import ApplicationError
from labeling.choices import AnnotationClient, AnnotationSource
from labeling.models import Annotation, Item
from labeling.services.annotations import annotation_insert

# Sources another app may record through this service: people's decisions made elsewhere.
EXTERNAL_SOURCES = (AnnotationSource.MODERATION, AnnotationSource.APPEAL)


@transaction.atomic
def annotation_record_external(
    *,
    item: Item,
    labels: list[str],
    source: str,
    annotator: User | None,
    suggested_labels: list[str] | None = None,
    suggested_by_id: int | None = None,
    time_on_item_ms: int | None = None,
) -> Annotation:
    """Record a person's decision made outside the labeling queue as an annotation on ``item``
    (source ``moderation`` or ``appeal``), with the model proposal they were shown, if any.

    The latest annotation of an item is the one training learns from, so an appeal's label
    recorded after a moderation label corrects it without deleting the history.

    Refuses (400) labels that are not classes of the item's project and sources other than
    ``moderation`` / ``appeal`` (automatic decisions must never come back as people's labels).

    Side effects: the item's annotation count goes up by one (it leaves the annotation queue
    when it has ``annotations_per_item``); after commit, the retraining check runs.
    """
    if source not in EXTERNAL_SOURCES:
        raise ApplicationError(
            f"Only people's decisions become labels here, not {source!r}.",
            extra={"source": source, "allowed": list(EXTERNAL_SOURCES)},
        )
    suggested = list(suggested_labels or [])
    return annotation_insert(
        item=item,
        annotator=annotator,
        labels=labels,
        source=source,
        client=AnnotationClient.WEB,
        suggested_labels=suggested,
        suggested_by_id=suggested_by_id if suggested else None,
        time_on_item_ms=time_on_item_ms,
    )
