"""Reviewer wellness, written: a person's own settings, the organisation's defaults, exposure to
graphic content and answered break reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from core.services.audit import audit_record
from moderation.choices import RevealKind
from moderation.models import (
    Content,
    ExposureEvent,
    WellnessBreak,
    WellnessDefaults,
    WellnessSettings,
)
from moderation.selectors.wellness import (
    DEFAULTS_PK,
    WELLNESS_FIELDS,
    content_is_graphic,
    exposure_day,
)


@transaction.atomic
def wellness_settings_update(*, user: User, values: dict[str, Any]) -> WellnessSettings:
    """Set ``user``'s own values (validated by the caller); a null value goes back to following
    the organisation's default. Only the person's own view changes: nothing is audited."""
    row, _ = WellnessSettings.objects.select_for_update().get_or_create(user=user)
    for field, value in values.items():
        if field in WELLNESS_FIELDS:
            setattr(row, field, value)
    row.save()
    return row


@transaction.atomic
def wellness_settings_reset(*, user: User) -> None:
    """Forget ``user``'s own values: everything follows the organisation's defaults again."""
    WellnessSettings.objects.filter(user=user).delete()


@transaction.atomic
def wellness_defaults_update(*, user: User, values: dict[str, Any]) -> WellnessDefaults:
    """Change the organisation's defaults (site staff; the caller checks).

    Side effects: audit record ``wellness.defaults`` with the changed values before and after.
    """
    row, _ = WellnessDefaults.objects.select_for_update().get_or_create(pk=DEFAULTS_PK)
    before = {field: getattr(row, field) for field in WELLNESS_FIELDS}
    for field, value in values.items():
        if field in WELLNESS_FIELDS:
            setattr(row, field, value)
    row.updated_by = user
    row.save()
    after = {field: getattr(row, field) for field in WELLNESS_FIELDS}
    changed = [field for field in WELLNESS_FIELDS if before[field] != after[field]]
    if changed:
        audit_record(
            actor=user,
            action="wellness.defaults",
            object_type="moderation.wellnessdefaults",
            object_id=row.pk,
            before={field: before[field] for field in changed},
            after={field: after[field] for field in changed},
        )
    return row


@transaction.atomic
def content_reveal_record(
    *, content: Content, user: User, kind: str, now: datetime | None = None
) -> bool:
    """Record that ``user`` is shown ``content`` unmasked (its full image, or the text of its
    flagged terms); returns whether it counted as a new exposure.

    Side effects: a ``content.reveal`` audit record (``after.kind`` says what was revealed)
    every time; for graphic content, one ``ExposureEvent`` per person, content and day (the
    server's date): revealing it again that day counts once.
    """
    now = now or timezone.now()
    audit_record(
        actor=user,
        action="content.reveal",
        object_type="moderation.content",
        object_id=content.pk,
        scope=f"moderation.policy:{content.policy_id}",
        after={"kind": kind} if kind != RevealKind.IMAGE else None,
    )
    if not content_is_graphic(content=content):
        return False
    _, created = ExposureEvent.objects.get_or_create(
        user=user,
        content=content,
        day=exposure_day(now),
        defaults={"kind": kind, "created_at": now},
    )
    return created


def wellness_break_record(*, user: User, action: str, graphic_seconds: int) -> WellnessBreak:
    """Keep a break reminder's answer (dismissed, or a break taken) for the person's managers."""
    return WellnessBreak.objects.create(user=user, action=action, graphic_seconds=graphic_seconds)
