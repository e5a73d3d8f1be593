"""Writes to project memberships: who is in a project, with which role.

Every change writes its audit record (``member.add`` / ``member.role`` / ``member.remove``) in
the same transaction; a project always keeps at least one admin.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from labeling.choices import Role
from labeling.models import Project, ProjectMembership
from labeling.selectors.audit import project_audit_scope


def _membership_audit(
    *,
    actor: User | None,
    action: str,
    membership: ProjectMembership,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="labeling.membership",
        object_id=membership.pk,
        scope=project_audit_scope(project_id=membership.project_id),
        before=before,
        after=after,
    )


@transaction.atomic
def membership_add(
    *,
    project: Project,
    user: User,
    role: str,
    actor: User | None = None,
) -> ProjectMembership:
    """Make ``user`` a member with ``role`` (409 when they already are one).

    Side effects: one ``member.add`` audit record.
    """
    try:
        with transaction.atomic():
            membership = ProjectMembership.objects.create(project=project, user=user, role=role)
    except IntegrityError as exc:
        raise ApplicationError(
            f"{user.get_username()} is already a member of this project.", status_code=409
        ) from exc
    _membership_audit(
        actor=actor,
        action="member.add",
        membership=membership,
        before=None,
        after={"user": user.get_username(), "role": role},
    )
    return membership


def _ensure_admin_remains(*, membership: ProjectMembership) -> None:
    # Lock all the project's admin rows, in one order, so two admins demoting each other at
    # once are serialised (the second then sees one admin left) instead of both succeeding.
    admin_ids = list(
        ProjectMembership.objects.select_for_update()
        .filter(project_id=membership.project_id, role=Role.ADMIN)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not [pk for pk in admin_ids if pk != membership.pk]:
        raise ApplicationError("A project must keep at least one admin.", status_code=409)


@transaction.atomic
def membership_update(
    *, membership: ProjectMembership, role: str, actor: User | None = None
) -> ProjectMembership:
    """Change a member's role; a project always keeps an admin (409).

    Side effects: one ``member.role`` audit record when the role changes.
    """
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        _ensure_admin_remains(membership=membership)
    role_before = membership.role
    if role_before == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    username = membership.user.get_username()
    _membership_audit(
        actor=actor,
        action="member.role",
        membership=membership,
        before={"user": username, "role": role_before},
        after={"user": username, "role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: ProjectMembership, actor: User | None = None) -> None:
    """Remove a member; a project always keeps an admin (409).

    Side effects: one ``member.remove`` audit record.
    """
    if membership.role == Role.ADMIN:
        _ensure_admin_remains(membership=membership)
    _membership_audit(
        actor=actor,
        action="member.remove",
        membership=membership,
        before={"user": membership.user.get_username(), "role": membership.role},
        after=None,
    )
    membership.delete()
