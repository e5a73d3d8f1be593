"""Gold labels: a data owner settles what an item's label is when its annotators disagree."""

from django.contrib.auth.models import User
from django.db import transaction

from core.services.audit import audit_record
from labeling.models import Adjudication, Item
from labeling.selectors.audit import project_audit_scope
from labeling.services.annotations import annotation_labels_clean


@transaction.atomic
def adjudication_resolve(
    *, item: Item, resolved_by: User, labels: list[str], note: str = ""
) -> Adjudication:
    """Set (or change) the item's gold label; training uses it over every annotation.

    The labels are checked as a person's annotation is (known label classes; one label unless
    the project is multilabel). Any item of the project may be resolved, not only those whose
    annotators disagree: a data owner may also settle a single annotator's mistake.

    Side effects: writes the item's one ``Adjudication`` row (created or updated, with who and
    when) and, in the same transaction, the audit event ``adjudication.resolve`` (the gold
    label and note before — None the first time — and after, by whom). No training is
    requested: the next run's snapshot picks the gold label up. The annotators' own
    annotations are left as they are, so agreement figures do not change.
    """
    cleaned = annotation_labels_clean(item=item, labels=labels)
    previous = Adjudication.objects.select_for_update().filter(item=item).first()
    before = None if previous is None else {"labels": previous.labels, "note": previous.note}
    adjudication, _created = Adjudication.objects.update_or_create(
        item=item, defaults={"labels": cleaned, "resolved_by": resolved_by, "note": note}
    )
    audit_record(
        actor=resolved_by,
        action="adjudication.resolve",
        object_type="labeling.item",
        object_id=item.pk,
        scope=project_audit_scope(project_id=item.project_id),
        before=before,
        after={"labels": adjudication.labels, "note": adjudication.note},
    )
    return adjudication
