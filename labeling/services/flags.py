"""Flags: an annotator marks an item as unclear; the project's data people review the list."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from labeling.models import Item, ItemFlag


def item_flag_create(*, item: Item, user: User, reason: str = "") -> tuple[ItemFlag, bool]:
    """Flag ``item`` as unclear; returns ``(flag, created)``. One flag per user and item: a
    second flag (also two at once) returns the first, unchanged."""
    existing = ItemFlag.objects.filter(item=item, user=user).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return ItemFlag.objects.create(item=item, user=user, reason=reason.strip()), True
    except IntegrityError:
        return ItemFlag.objects.get(item=item, user=user), False


@transaction.atomic
def item_flag_resolve(*, flag: ItemFlag, user: User) -> ItemFlag:
    """Mark a flag as dealt with (by ``user``, now). Resolving it again changes nothing."""
    flag = ItemFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.resolved_at is None:
        flag.resolved_at = timezone.now()
        flag.resolved_by = user
        flag.save(update_fields=["resolved_at", "resolved_by"])
    return flag
