"""What an audit event's object is now: its name, the page that shows it, or that it is gone.

core imports no app, so each app registers a resolver per object type it writes to the log
(``audit_object_resolver_register``, from its ``AppConfig.ready``). A resolver gets the ids of
one page of events at once and answers with one query, so a page of the log costs one query
per object type on it, not one per event.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from core.choices import AuditObjectPage, AuditObjectState
from core.models import ApiToken, AuditEvent


@dataclass(frozen=True)
class AuditObjectRef:
    """An object as the audit page shows it. ``page`` is an ``AuditObjectPage`` (blank when
    the app has no page for it); the ids are what that page's address needs."""

    label: str = ""
    page: str = ""
    project_id: int | None = None
    item_id: int | None = None
    policy_id: int | None = None
    platform_id: int | None = None


@dataclass(frozen=True)
class AuditObject:
    """The object of one event: ``ref`` is None unless ``state`` is present."""

    state: str
    ref: AuditObjectRef | None = None


# ids of one object type -> the refs of those that still exist (missing ids: deleted).
ObjectResolver = Callable[[list[int]], dict[int, AuditObjectRef]]
_object_resolvers: dict[str, ObjectResolver] = {}

UNKNOWN = AuditObject(state=AuditObjectState.UNKNOWN)
DELETED = AuditObject(state=AuditObjectState.DELETED)
# Object ids are primary keys kept as text; anything longer is not one of ours.
_MAX_ID_DIGITS = 18


def audit_object_resolver_register(*, object_type: str, resolver: ObjectResolver) -> None:
    """Describe the objects of ``object_type`` (``moderation.policy``) in the log."""
    _object_resolvers[object_type] = resolver


def _as_id(object_id: str) -> int | None:
    if object_id.isascii() and object_id.isdigit() and len(object_id) <= _MAX_ID_DIGITS:
        return int(object_id)
    return None


def audit_objects_resolve(*, events: Iterable[AuditEvent]) -> dict[int, AuditObject]:
    """Event id -> its object now, for a page of events: present (with its name and page),
    deleted, or unknown (a type no app describes, or no id)."""
    events = list(events)
    wanted: dict[str, set[int]] = {}
    for event in events:
        object_id = _as_id(event.object_id)
        if object_id is not None and event.object_type in _object_resolvers:
            wanted.setdefault(event.object_type, set()).add(object_id)
    found = {
        object_type: _object_resolvers[object_type](sorted(ids))
        for object_type, ids in wanted.items()
    }
    resolved: dict[int, AuditObject] = {}
    for event in events:
        object_id = _as_id(event.object_id)
        if object_id is None or event.object_type not in found:
            resolved[event.pk] = UNKNOWN
            continue
        ref = found[event.object_type].get(object_id)
        resolved[event.pk] = (
            DELETED if ref is None else AuditObject(state=AuditObjectState.PRESENT, ref=ref)
        )
    return resolved


def audit_objects_of_users(ids: list[int]) -> dict[int, AuditObjectRef]:
    """``auth.user``: the username; the Users page lists them (site admins)."""
    users = get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")
    return {
        pk: AuditObjectRef(label=username, page=AuditObjectPage.USERS) for pk, username in users
    }


def audit_objects_of_api_tokens(ids: list[int]) -> dict[int, AuditObjectRef]:
    """``core.api_token``: whose token it is (a new token replaces, so deletes, the old one);
    a token has no page of its own."""
    tokens = ApiToken.objects.filter(pk__in=ids).values_list("pk", "user__username")
    return {pk: AuditObjectRef(label=f"token of {username}") for pk, username in tokens}
