"""What a snapshot would hold, before cutting it: the counts, exact for projects small enough
to resolve in a request, estimated from SQL counts for larger ones."""

from __future__ import annotations

from typing import Any

import orjson
from django.db import connection

from core.exceptions import ApplicationError
from labeling.choices import AnnotationSource
from labeling.models import Annotation, Item, Project
from labeling.selectors.projects import project_label_class_names
from labeling.services.datasets.automatic import automatic_decision_count
from labeling.services.datasets.filters import SnapshotFilters
from labeling.services.datasets.rows import RowReader, item_where

# Up to this many items a preview resolves every label as the cut would (about 0.1 s);
# above it, the counts come from SQL and the resolved-label counts are estimates.
EXACT_MAX_ITEMS = 20_000
COUNT_KEYS = ("items", "labeled", "automatic", "splits", "classes", "sources", "resolutions")


def _exact(*, project: Project, filters: SnapshotFilters) -> dict[str, Any]:
    reader = RowReader(
        project=project, filters=filters, classes=project_label_class_names(project=project)
    )
    for _page in reader.pages():
        pass
    return {**reader.tally.counts(), "exact": list(COUNT_KEYS), "message": ""}


def _estimated(*, project: Project, filters: SnapshotFilters) -> dict[str, Any]:
    """SQL counts: items and splits from the item-level filters; labels by class and source
    from the annotations of the selected sources on those items (an item labeled twice counts
    twice there: the resolved labels are only known once cut)."""
    where, params = item_where(filters=filters, labeled=True)
    sources = filters.annotation_sources
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.split, COUNT(*) FROM labeling_item i WHERE i.project_id = %s{where} "  # noqa: S608 - fixed SQL, parameters bound
            "GROUP BY i.split",
            [project.pk, *params],
        )
        splits = {split: int(n) for split, n in cursor.fetchall()}
        cursor.execute(
            "SELECT a.source, CAST(a.labels AS TEXT), COUNT(*), COUNT(DISTINCT a.item_id) "  # noqa: S608 - fixed SQL, parameters bound
            "FROM labeling_annotation a JOIN labeling_item i ON i.id = a.item_id "
            f"WHERE i.project_id = %s AND a.source IN ({', '.join(['%s'] * len(sources))})"
            f"{where} GROUP BY a.source, CAST(a.labels AS TEXT)",
            [project.pk, *sources, *params],
        )
        label_rows = cursor.fetchall()
    names = project_label_class_names(project=project)
    classes = dict.fromkeys(names, 0)
    by_source: dict[str, int] = {}
    for source, raw, count, _items in label_rows:
        by_source[source] = by_source.get(source, 0) + int(count)
        for label in orjson.loads(raw) or []:
            if label in classes:
                classes[label] += int(count)
    if filters.classes:
        classes = {name: n for name, n in classes.items() if name in filters.classes}
    automatic = by_source.get(AnnotationSource.AUTO, 0) if AnnotationSource.AUTO in sources else 0
    if filters.automatic_decisions:
        decided = automatic_decision_count(project_id=project.pk)
        by_source["automatic_decision"] = decided
        automatic += decided
    items = sum(splits.values())
    exact = ["splits", "items"] if not (
        filters.labeled_only or filters.classes or filters.labeled_after or filters.labeled_before
    ) else []  # fmt: skip
    return {
        "items": items,
        "labeled": min(items, sum(by_source.values())),
        "automatic": automatic,
        "splits": dict(sorted(splits.items())),
        "classes": classes,
        "sources": dict(sorted(by_source.items())),
        "resolutions": {},
        "exact": exact,
        "message": (
            f"Estimated from SQL counts (the project has more than {EXACT_MAX_ITEMS:,} items): "
            "items and splits count the items the split, metadata and source filters keep; "
            "labels by class and by source count annotations, not resolved labels. The "
            "snapshot's own counts are exact."
        ),
    }


def _small(project: Project) -> bool:
    beyond = Item.objects.filter(project=project).order_by("id").values_list("id", flat=True)
    return not beyond[EXACT_MAX_ITEMS : EXACT_MAX_ITEMS + 1].exists()


def snapshot_preview(*, project: Project, filters: SnapshotFilters) -> dict[str, Any]:
    """The counts a snapshot cut now with ``filters`` would have (``counts`` of the
    snapshot), with ``exact``: which of them are exact, and a ``message`` when some are not."""
    if _small(project):
        return _exact(project=project, filters=filters)
    return _estimated(project=project, filters=filters)


def snapshot_selection_check(*, project: Project, filters: SnapshotFilters) -> None:
    """Refuse (400, before any job) a snapshot that would hold nothing: a project without
    items, a labeled-only snapshot of a project without labels, filters that select no item.
    Exact for projects up to ``EXACT_MAX_ITEMS`` items; above, what the item-level filters
    tell (the cut then fails saying so if the label filters leave nothing)."""
    if not Item.objects.filter(project=project).exists():
        raise ApplicationError("The project has no items: nothing to snapshot.")
    if (
        filters.labeled_only
        and not filters.automatic_decisions
        and not Annotation.objects.filter(item__project=project).exists()
    ):
        raise ApplicationError(
            "The project has no labels yet: nothing to snapshot. Set labeled_only to false "
            "to snapshot its items without labels.",
            extra={"field": "filters.labeled_only"},
        )
    if _small(project):
        selected = _exact(project=project, filters=filters)["items"]
    else:
        where, params = item_where(filters=filters, labeled=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM labeling_item i WHERE i.project_id = %s{where} LIMIT 1",  # noqa: S608 - fixed SQL, parameters bound
                [project.pk, *params],
            )
            selected = 1 if cursor.fetchone() else 0
    if not selected:
        raise ApplicationError(
            "The filters select no items: nothing to snapshot.", extra={"field": "filters"}
        )
