"""Reads of projects, scoped to what the caller may see."""

from collections.abc import Collection
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from core.exceptions import ApplicationError
from labeling.models import Project, ProjectMembership

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


def project_get_for_user(
    *, project_id: int, user: User, roles: Collection[str] | None = None
) -> Project:
    """The project if the user belongs to it, with the role they need.

    Non-members get 404 (a project's existence is not revealed); members whose role is not in
    ``roles`` get 403.
    """
    if user.is_superuser:
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            raise Http404
        project.caller_role = "admin"
        return project
    # One query on the hot path (every queue call): the project with the caller's role.
    project = (
        Project.objects.filter(pk=project_id)
        .annotate(
            member_role=Subquery(
                ProjectMembership.objects.filter(project_id=OuterRef("pk"), user_id=user.pk).values(
                    "role"
                )[:1]
            )
        )
        .first()
    )
    if project is None or project.member_role is None:
        raise Http404
    role = project.member_role
    if roles is not None and role not in roles:
        raise ApplicationError(
            "Your role in this project does not allow this.",
            extra={"role": role, "allowed_roles": sorted(roles)},
            status_code=403,
        )
    project.caller_role = role
    return project


def membership_list(*, project: Project) -> QuerySet[ProjectMembership]:
    return ProjectMembership.objects.filter(project=project).select_related("user")
