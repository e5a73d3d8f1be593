"""The audit log as labeling sees it: who may read a project's events, and how its objects
(projects, items, members, model versions) are named and linked on the audit page."""

from django.contrib.auth.models import User

from core.choices import AuditObjectPage
from core.selectors.audit_objects import AuditObjectRef
from labeling.choices import Role
from labeling.models import Item, Project, ProjectMembership
from models_app.models import ModelVersion

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


def audit_objects_of_projects(ids: list[int]) -> dict[int, AuditObjectRef]:
    projects = Project.objects.filter(pk__in=ids).values_list("pk", "name")
    return {
        pk: AuditObjectRef(label=name, page=AuditObjectPage.PROJECT, project_id=pk)
        for pk, name in projects
    }


def audit_objects_of_items(ids: list[int]) -> dict[int, AuditObjectRef]:
    items = Item.objects.filter(pk__in=ids).values_list("pk", "project_id", "external_id")
    return {
        pk: AuditObjectRef(
            label=external_id, page=AuditObjectPage.ITEM, project_id=project_id, item_id=pk
        )
        for pk, project_id, external_id in items
    }


def audit_objects_of_memberships(ids: list[int]) -> dict[int, AuditObjectRef]:
    memberships = ProjectMembership.objects.filter(pk__in=ids).values_list(
        "pk", "project_id", "user__username"
    )
    return {
        pk: AuditObjectRef(label=username, page=AuditObjectPage.MEMBERS, project_id=project_id)
        for pk, project_id, username in memberships
    }


def audit_objects_of_model_versions(ids: list[int]) -> dict[int, AuditObjectRef]:
    """Model versions of projects (their owner is ``Project.owner_key``,
    ``labeling.project:<id>``)."""
    refs: dict[int, AuditObjectRef] = {}
    for pk, owner, version in ModelVersion.objects.filter(pk__in=ids).values_list(
        "pk", "owner", "version"
    ):
        project_id = owner.removeprefix("labeling.project:")
        refs[pk] = AuditObjectRef(
            label=f"version {version}",
            page=AuditObjectPage.MODELS if project_id.isdigit() else "",
            project_id=int(project_id) if project_id.isdigit() else None,
        )
    return refs


AUDIT_OBJECT_RESOLVERS = {
    "labeling.project": audit_objects_of_projects,
    "labeling.item": audit_objects_of_items,
    "labeling.membership": audit_objects_of_memberships,
    "models_app.modelversion": audit_objects_of_model_versions,
}
