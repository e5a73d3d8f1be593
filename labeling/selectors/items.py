from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet

from core.exceptions import ApplicationError
from labeling.models import Annotation, ImportJob, Item, Project


def item_list(*, project: Project, filters: dict[str, Any] | None = None) -> QuerySet[Item]:
    """Items of a project with their annotations; filters: split, search, labeled, label, source;
    ``ordering``: id (default), -priority (the queue's order) or confidence (least sure first)."""
    filters = filters or {}
    items = Item.objects.filter(project=project)
    if filters.get("split"):
        items = items.filter(split=filters["split"])
    if filters.get("search"):
        term = filters["search"]
        items = items.filter(text__icontains=term) | items.filter(external_id=term)
    if filters.get("labeled") is not None:
        has = Exists(Annotation.objects.filter(item_id=OuterRef("pk")))
        items = items.filter(has) if filters["labeled"] else items.exclude(has)
    if filters.get("source"):
        items = items.filter(
            Exists(Annotation.objects.filter(item_id=OuterRef("pk"), source=filters["source"]))
        )
    if filters.get("label"):
        # JSON containment differs by database; a per-item subquery on the label list works on both.
        matching = Annotation.objects.filter(item_id=OuterRef("pk")).filter(
            labels__icontains=f'"{filters["label"]}"'
        )
        items = items.filter(Exists(matching))
    ordering = {
        "-priority": ("-priority", "id"),
        "confidence": (F("confidence").asc(nulls_last=True), "id"),
    }.get(filters.get("ordering") or "id", ("id",))
    return items.order_by(*ordering).prefetch_related(
        Prefetch(
            "annotations", queryset=Annotation.objects.select_related("annotator").order_by("id")
        )
    )


def item_get(*, project: Project, item_id: int) -> Item:
    return item_list(project=project).get(pk=item_id)


def item_counts(*, project: Project) -> dict[str, int]:
    return project.items.aggregate(total=Count("id"))


def import_job_list(*, project: Project) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(project=project).select_related("created_by")


def item_with_files_get(*, project: Project, item_id: int) -> Item:
    """The project's item with what its file endpoints need; 404 (JSON) when it is not there."""
    item = (
        Item.objects.filter(project=project, pk=item_id)
        .only("id", "project_id", "external_id", "image", "thumbnail", "media_restricted")
        .first()
    )
    if item is None:
        raise ApplicationError("Item not found.", status_code=404)
    return item
