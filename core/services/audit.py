"""The audit log: one append-only record per change that matters.

Callers record inside the transaction that makes the change, so a change and its record commit
(or roll back) together.
"""

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder

from core.middleware import current_request_id
from core.models import AuditEvent


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates, decimals, UUIDs as strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


ACTOR_NAME_MAX = AuditEvent._meta.get_field("actor_name").max_length or 150


def platform_actor_name(name: str) -> str:
    """How the log names a platform that acted through its API key."""
    return f"platform:{name}"


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: Any = "",
    scope: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event. ``actor`` None means the system (a task, an automatic decision), or
    whoever ``actor_name`` names when no user acted: a platform through its API key is
    ``platform:<name>`` (``platform_actor_name``).

    ``action`` is ``<object>.<verb>`` (``decision.create``, ``policy.update``, ``member.role``);
    ``scope`` names what it belongs to for filtering (``labeling.project:3``,
    ``moderation.policy:2``); ``before`` / ``after`` are the changed fields' values.
    """
    known = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=known,
        actor_name=known.get_username() if known is not None else actor_name[:ACTOR_NAME_MAX],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        scope=scope,
        before=_plain(before),
        after=_plain(after),
        request_id=current_request_id.get(),
    )


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as ``(before, after)``."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def audit_export_record(*, user: User, fmt: str, filters: dict[str, Any]) -> AuditEvent:
    """Record that ``user`` downloaded the audit log (``audit.export``), with the format and
    the filters, before the file is sent: reading the whole log is itself worth knowing.

    The event's scope is the scope filtered on (so that scope's readers see it), else blank
    (site admins read it)."""
    return audit_record(
        actor=user,
        action="audit.export",
        object_type="core.auditevent",
        scope=str(filters.get("scope") or ""),
        after={"format": fmt, "filters": {key: value for key, value in filters.items() if value}},
    )
