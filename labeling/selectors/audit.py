"""Which audit-log scopes a person may read, as labeling grants them."""

from django.contrib.auth.models import User

from labeling.choices import Role
from labeling.models import ProjectMembership

# Project admins and senior moderators answer for what happens in a project: they read its log.
AUDIT_READ_ROLES = frozenset({Role.ADMIN, Role.SENIOR_MODERATOR})


def project_audit_scope(*, project_id: int) -> str:
    """The audit log's ``scope`` of everything that belongs to a project: its settings,
    members, model versions, and moderation's policies, decisions and appeals on its content."""
    return f"labeling.project:{project_id}"


def audit_scopes_of_projects(user: User) -> set[str]:
    """``labeling.project:<id>`` for every project where ``user`` is an admin or senior
    moderator (the audit log's resolver for project-scoped events)."""
    if not user.is_authenticated:
        return set()
    project_ids = ProjectMembership.objects.filter(
        user_id=user.pk, role__in=list(AUDIT_READ_ROLES)
    ).values_list("project_id", flat=True)
    return {project_audit_scope(project_id=project_id) for project_id in project_ids}
