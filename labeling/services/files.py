"""Fetching an item's files when that is itself an event worth recording."""

from django.contrib.auth.models import User
from django.db import transaction

from core.services.audit import audit_record
from labeling.models import Item
from labeling.selectors.audit import project_audit_scope


@transaction.atomic
def item_image_reveal(*, item: Item, user: User) -> None:
    """Record that ``user`` is shown the full image of a media-restricted item.

    Side effects: one ``item.reveal`` audit record, committed before the caller sends a byte
    of the image (no reveal goes unrecorded).
    """
    audit_record(
        actor=user,
        action="item.reveal",
        object_type="labeling.item",
        object_id=item.pk,
        scope=project_audit_scope(project_id=item.project_id),
        after={"external_id": item.external_id},
    )
