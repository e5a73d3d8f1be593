"""Reads of the audit log, limited to what the caller may see.

Staff and superusers see every event. Everyone else sees the events of the scopes an app
grants them: labeling grants ``labeling.project:<id>`` for each project where the caller is an
admin or a senior moderator. Every event that belongs to a project (its settings, members,
model versions, and moderation's policies, decisions and appeals on its content) carries that
project's scope. core imports no app, so apps register how they grant scopes
(``audit_scope_resolver_register``, called from their ``AppConfig.ready``).
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from core.exceptions import ApplicationError
from core.models import AuditEvent

# user -> the scopes whose events the user may read.
ScopeResolver = Callable[[User], set[str]]
_scope_resolvers: list[ScopeResolver] = []


def audit_scope_resolver_register(resolver: ScopeResolver) -> None:
    """Let an app grant audit scopes to users (idempotent)."""
    if resolver not in _scope_resolvers:
        _scope_resolvers.append(resolver)


def audit_scopes_for_user(*, user: User) -> set[str] | None:
    """The scopes ``user`` may read; None means everything (staff and superusers)."""
    if user.is_staff or user.is_superuser:
        return None
    scopes: set[str] = set()
    for resolver in _scope_resolvers:
        scopes |= resolver(user)
    return scopes


def _visible(*, user: User) -> QuerySet[AuditEvent]:
    scopes = audit_scopes_for_user(user=user)
    if scopes is None:
        return AuditEvent.objects.all()
    if not scopes:
        raise ApplicationError(
            "Only site admins, project admins and senior moderators may read the audit log.",
            status_code=403,
        )
    return AuditEvent.objects.filter(scope__in=sorted(scopes))


def audit_event_list(
    *,
    user: User,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    scope: str = "",
    actor: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    request_id: str = "",
) -> QuerySet[AuditEvent]:
    """The events ``user`` may read, newest first, narrowed by the filters given.

    ``action`` matches exactly, or every action of an object when it ends with a dot
    (``member.``); ``actor`` is a username (kept after the user is deleted); ``since`` is
    inclusive and ``until`` exclusive. 403 for callers who may read no scope at all.
    """
    events = _visible(user=user)
    if action:
        events = (
            events.filter(action__startswith=action)
            if action.endswith(".")
            else events.filter(action=action)
        )
    exact = {
        "object_type": object_type,
        "object_id": object_id,
        "scope": scope,
        "actor_name": actor,
        "request_id": request_id,
    }
    events = events.filter(**{field: value for field, value in exact.items() if value})
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events.order_by("-created_at", "-id")


def audit_event_get(*, user: User, event_id: int) -> AuditEvent:
    """One event the user may read; 404 for one outside their scopes (or missing)."""
    event = _visible(user=user).filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event
