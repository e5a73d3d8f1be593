"""What a snapshot would hold, before cutting it: the counts, exact for projects small enough
to resolve in a request, estimated from SQL counts for larger ones."""

from __future__ import annotations

from typing import Any

from django.db import connection

from core.exceptions import ApplicationError
from labeling.models import Annotation, Item, Project
from labeling.selectors.projects import project_label_class_names
from labeling.services.datasets.filters import SnapshotFilters
from labeling.services.datasets.rows import RowReader, item_where

# Up to this many items a preview resolves every label as the cut would (about 0.1 s);
# above it, the counts come from SQL and the resolved-label counts are estimates.
EXACT_MAX_ITEMS = 20_000
SAMPLE_ITEMS = 20_000
SAMPLE_WINDOWS = 10
COUNT_KEYS = ("items", "labeled", "automatic", "splits", "classes", "sources", "resolutions")


def _exact(*, project: Project, filters: SnapshotFilters) -> dict[str, Any]:
    reader = RowReader(
        project=project, filters=filters, classes=project_label_class_names(project=project)
    )
    for _page in reader.pages():
        pass
    return {**reader.tally.counts(), "exact": list(COUNT_KEYS), "message": ""}


def _estimated(*, project: Project, filters: SnapshotFilters) -> dict[str, Any]:
    """Counted by SQL: the items the split and metadata filters keep, per split. Resolved the
    way the cut does on a sample (``SAMPLE_WINDOWS`` evenly spread runs of items, in all
    ``SAMPLE_ITEMS``) and scaled up: everything that depends on the labels."""
    where, params = item_where(filters=filters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.split, COUNT(*), MIN(i.id), MAX(i.id) FROM labeling_item i "  # noqa: S608 - fixed SQL, parameters bound
            f"WHERE i.project_id = %s{where} GROUP BY i.split",
            [project.pk, *params],
        )
        rows = cursor.fetchall()
    splits = {split: int(n) for split, n, _lo, _hi in rows}
    total = sum(splits.values())
    reader = RowReader(
        project=project, filters=filters, classes=project_label_class_names(project=project)
    )
    read = 0
    if total:
        low = min(row[2] for row in rows)
        high = max(row[3] for row in rows)
        window = SAMPLE_ITEMS // SAMPLE_WINDOWS
        for k in range(SAMPLE_WINDOWS):
            start = low - 1 + (high - low + 1) * k // SAMPLE_WINDOWS
            end = low - 1 + (high - low + 1) * (k + 1) // SAMPLE_WINDOWS
            for page in reader.pages(after_id=start, up_to_id=end, max_items=window):
                read += page.items_read
    sampled = reader.tally.counts()
    scale = total / read if read else 0.0

    def scaled(value: int) -> int:
        return round(value * scale)

    only_item_filters = not (
        filters.labeled_only or filters.classes or filters.labeled_after or filters.labeled_before
    )
    return {
        "items": total if only_item_filters else scaled(sampled["items"]),
        "labeled": scaled(sampled["labeled"]),
        "automatic": scaled(sampled["automatic"]),
        "splits": dict(sorted(splits.items()))
        if only_item_filters
        else {name: scaled(n) for name, n in sampled["splits"].items()},
        "classes": {name: scaled(n) for name, n in sampled["classes"].items()},
        "sources": {name: scaled(n) for name, n in sampled["sources"].items()},
        "resolutions": {name: scaled(n) for name, n in sampled["resolutions"].items()},
        "exact": ["items", "splits"] if only_item_filters else [],
        "message": (
            f"Estimated (the project has more than {EXACT_MAX_ITEMS:,} items): the labels of "
            f"a sample of {read:,} items, resolved as the cut does, scaled to the {total:,} "
            "items the split and metadata filters keep. The snapshot's own counts are exact."
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
