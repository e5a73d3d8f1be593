"""Reads of projects, scoped to what the caller may see."""

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from core.exceptions import ApplicationError
from labeling.models import LabelClass, Project, ProjectMembership

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
