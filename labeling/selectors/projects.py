"""Reads of projects, scoped to what the caller may see."""

import json
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, QuerySet
from django.http import Http404

from core import rows
from core.exceptions import ApplicationError
from labeling.models import Item, LabelClass, Project, ProjectMembership

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ItemCount(TypedDict):
    item_count: int


def project_list(*, user: User) -> QuerySet[Project]:
    projects = Project.objects.all()
    if not user.is_superuser:
        projects = projects.filter(memberships__user=user)
    # Meta.ordering is dropped from GROUP BY queries, and pagination needs a stable order.
    return (
        projects.prefetch_related("label_classes")
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-created_at", "-id")
    )


def project_with_item_count(*, project: Project) -> "WithAnnotations[Project, ItemCount]":
    """``project`` with ``item_count`` set, as :func:`project_list` annotates it (one query)."""
    counted = cast("WithAnnotations[Project, ItemCount]", project)
    counted.item_count = project.items.count()
    return counted


def _label_names_sql() -> str:
    """The project's label class names as one JSON array (a scalar subquery on ``p``)."""
    aggregate = (
        "json_agg(lc.name)" if connection.vendor == "postgresql" else "json_group_array(lc.name)"
    )
    table = LabelClass._meta.db_table
    return f"(SELECT {aggregate} FROM {table} AS lc WHERE lc.project_id = p.id)"  # noqa: S608


def _label_names(value: object) -> list[str]:
    if value is None:
        return []
    names = json.loads(value) if isinstance(value, str) else value
    return [name for name in cast("list[str | None]", names) if name is not None]


def _caller_role(*, project: Project | None, role: str | None, user: User, roles) -> Project:
    """The project with ``caller_role`` set; 404 for non-members, 403 for a role not in
    ``roles`` (site admins are admins of every project)."""
    if user.is_superuser and project is not None:
        role = "admin"
    if project is None or role is None:
        raise Http404
    if roles is not None and role not in roles:
        raise ApplicationError(
            "Your role in this project does not allow this.",
            extra={"role": role, "allowed_roles": sorted(roles)},
            status_code=403,
        )
    project.caller_role = role
    return project


def _project_row(
    *, project_id: int, user: User, roles: Collection[str] | None, item_id: int | None = None
) -> tuple[Project, tuple]:
    """The project with the caller's role checked and its label class names, and the row it
    came from (the item's columns follow when ``item_id`` is given). One statement, written
    out: every queue call runs it, and the ORM would compile the same subqueries each time."""
    item_columns = f", {rows.columns(Item, 'i')}" if item_id is not None else ""
    item_join = (
        f"LEFT JOIN {Item._meta.db_table} AS i ON i.id = %s AND i.project_id = p.id "
        if item_id is not None
        else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Project, 'p')}, "  # noqa: S608
            f"(SELECT m.role FROM {ProjectMembership._meta.db_table} AS m "
            "WHERE m.project_id = p.id AND m.user_id = %s), "
            f"{_label_names_sql()}{item_columns} "
            f"FROM {Project._meta.db_table} AS p {item_join}WHERE p.id = %s",
            [user.pk, *([item_id] if item_id is not None else []), project_id],
        )
        row = cursor.fetchone() or ()
    width = rows.width(Project)
    project = rows.instance(Project, row) if row else None
    if project is not None:
        project._label_class_names = _label_names(row[width + 1])
    role = row[width] if row else None
    return _caller_role(project=project, role=role, user=user, roles=roles), row


def project_get_for_user(
    *, project_id: int, user: User, roles: Collection[str] | None = None
) -> Project:
    """The project if the user belongs to it, with the role they need, and its label class
    names (``project_label_class_names``) read in the same statement.

    Non-members get 404 (a project's existence is not revealed); members whose role is not in
    ``roles`` get 403.
    """
    return _project_row(project_id=project_id, user=user, roles=roles)[0]


def item_get_for_labeler(
    *, project_id: int, item_id: int, user: User, roles: Collection[str]
) -> Item:
    """An item of the project, with ``project`` as :func:`project_get_for_user` returns it, in
    one statement (the queue's submit, skip, release and renew). 404 outside the project or
    for non-members, 403 for a role not in ``roles``."""
    project, row = _project_row(project_id=project_id, user=user, roles=roles, item_id=item_id)
    item = rows.instance(Item, row, rows.width(Project) + 2)
    if item is None:
        raise Http404
    item.project = project
    return item


def project_label_class_names(*, project: Project) -> list[str]:
    """The project's label class names: as read with the project by the selectors above, or
    from the database."""
    names = project._label_class_names
    if names is None:
        names = list(project.label_classes.values_list("name", flat=True))
    return list(names)


def membership_list(*, project: Project) -> QuerySet[ProjectMembership]:
    return ProjectMembership.objects.filter(project=project).select_related("user")


# --- for other apps (moderation): reads by id, so they never query labeling's models ---------


def project_get_or_none(*, project_id: int) -> Project | None:
    """The project, or None when there is no such project (no access check: the caller's)."""
    return Project.objects.filter(pk=project_id).first()


def project_member_role(*, project_id: int, user_id: int) -> str | None:
    """The user's role in the project, or None for a non-member (superusers are not special
    here: the caller decides what they may do)."""
    return (
        ProjectMembership.objects.filter(project_id=project_id, user_id=user_id)
        .values_list("role", flat=True)
        .first()
    )


def label_class_names(*, project_id: int) -> list[str]:
    """The names of the project's label classes, in their order."""
    return list(
        LabelClass.objects.filter(project_id=project_id)
        .order_by("order", "id")
        .values_list("name", flat=True)
    )


def project_owner_keys(*, project_ids: Iterable[int]) -> list[str]:
    """How models_app names the models of these projects (``Project.owner_key``), one per
    existing project; ``project_ids`` may be a queryset (one query then)."""
    return [project.owner_key for project in Project.objects.filter(pk__in=project_ids).only("pk")]


def project_named(*, name: str) -> Project | None:
    """The oldest project called ``name`` (the demos find theirs so), or None."""
    return Project.objects.filter(name=name).order_by("pk").first()
