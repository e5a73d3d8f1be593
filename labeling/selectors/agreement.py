"""Reads of people's agreement: the figures, and the items waiting for a gold label.

Agreement compares people's annotations (source human) on items that at least two distinct
annotators labeled, each annotator counting once per item with their latest annotation. The
statistics themselves live in ``labeling.stats.agreement`` (pure numpy); in a multilabel
project each label set is one category there.
"""

import json
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet

from labeling.choices import AnnotationSource, TaskType
from labeling.models import Adjudication, Annotation, Item, Project
from labeling.stats.agreement import Ratings, agreement_summary, label_set_key, pairwise_kappa


def _people_annotations(*, project: Project) -> QuerySet[Annotation]:
    return Annotation.objects.filter(
        item__project=project, source=AnnotationSource.HUMAN, annotator__isnull=False
    )


# Each person's latest annotation of each item in the project (``newest = 1``), in one scan of
# the project's annotations. Window functions rather than ``id IN (SELECT MAX(id) ... GROUP BY)``
# joined with a second grouped subquery: PostgreSQL may plan that pair as nested loops, which
# took minutes on 200k annotations.
LATEST_VOTES_SQL = """
latest AS (
    SELECT a.item_id, a.annotator_id, a.labels,
           ROW_NUMBER() OVER (PARTITION BY a.item_id, a.annotator_id ORDER BY a.id DESC) AS newest
    FROM labeling_annotation AS a JOIN labeling_item AS i ON i.id = a.item_id
    WHERE i.project_id = %s AND a.source = %s AND a.annotator_id IS NOT NULL
)"""


class _LabelsDecoder(dict):
    """Decodes the labels JSON read through a raw cursor (text on SQLite, and on PostgreSQL
    too: Django has psycopg leave JSON undecoded). A project has few distinct label lists, so
    each is decoded once; the lists are shared and must not be changed."""

    def __missing__(self, raw: Any) -> list[str]:
        value = json.loads(raw) if isinstance(raw, str | bytes) else raw
        self[raw] = labels = list(value or [])
        return labels


def agreement_votes(*, project: Project) -> list[tuple[int, int, list[str]]]:
    """``(item id, annotator id, labels)``: each person's latest answer on items that two or
    more people labeled. One query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {LATEST_VOTES_SQL}, "  # noqa: S608 - fixed SQL, parameters bound
            "shared AS (SELECT item_id, annotator_id, labels, "
            "COUNT(*) OVER (PARTITION BY item_id) AS people FROM latest WHERE newest = 1) "
            "SELECT item_id, annotator_id, labels FROM shared WHERE people >= 2",
            [project.pk, AnnotationSource.HUMAN.value],
        )
        decoded = _LabelsDecoder()
        return [
            (item_id, annotator_id, decoded[labels]) for item_id, annotator_id, labels in cursor
        ]


def _figure(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def project_agreement(*, project: Project) -> dict[str, Any]:
    """The project's agreement figures and each annotator's.

    ``project``: items compared, annotators on them, percent agreement, Cohen's kappa (only with
    exactly two annotators on the compared items), Fleiss' kappa and Krippendorff's alpha.
    ``annotators``: everyone with an annotation in the project, with how many items they
    labeled, how many of those someone else labeled too, and their mean pairwise Cohen's kappa
    with the others (null with fewer than five shared items per pair, or undefined).
    """
    ratings = Ratings.from_records(
        (item_id, annotator_id, label_set_key(labels or []))
        for item_id, annotator_id, labels in agreement_votes(project=project)
    )
    summary = agreement_summary(ratings)
    per_annotator = {row.rater: row for row in pairwise_kappa(ratings)}
    people = (
        _people_annotations(project=project)
        .values("annotator_id", "annotator__username")
        .annotate(items=Count("item_id", distinct=True))
        .order_by("annotator__username")
    )
    annotators = []
    for row in people:
        rater = per_annotator.get(row["annotator_id"])
        annotators.append(
            {
                "user_id": row["annotator_id"],
                "username": row["annotator__username"],
                "annotations": row["items"],
                "items_shared": rater.units_shared if rater else 0,
                "kappa": _figure(rater.kappa) if rater else None,
            }
        )
    return {
        "project": {
            "items_compared": summary.units_compared,
            "annotators": summary.raters,
            "percent_agreement": _figure(summary.percent_agreement),
            "cohen_kappa": _figure(summary.cohen_kappa),
            "fleiss_kappa": _figure(summary.fleiss_kappa),
            "krippendorff_alpha": _figure(summary.krippendorff_alpha),
        },
        "annotators": annotators,
    }


# --- adjudication ------------------------------------------------------------------------------


def adjudication_open_item_ids(*, project: Project) -> list[int]:
    """Items whose people disagree and that have no gold label yet, oldest first.

    The database finds items whose people's latest answers are not all the same JSON; in a
    multilabel project ``["a", "b"]`` and ``["b", "a"]`` differ there but are one label set, so
    those candidates are checked here.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {LATEST_VOTES_SQL} "  # noqa: S608 - fixed SQL, parameters bound
            "SELECT v.item_id, COUNT(*) FROM latest AS v WHERE v.newest = 1 AND NOT EXISTS "
            "(SELECT 1 FROM labeling_adjudication AS g WHERE g.item_id = v.item_id) "
            "GROUP BY v.item_id HAVING COUNT(*) >= 2 AND COUNT(DISTINCT v.labels) >= 2 "
            "ORDER BY v.item_id",
            [project.pk, AnnotationSource.HUMAN.value],
        )
        candidates = [item_id for item_id, _people in cursor]
    if project.task_type != TaskType.MULTILABEL or not candidates:
        return candidates
    answers: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for item_id, _annotator_id, labels in agreement_votes(project=project):
        answers[item_id].add(label_set_key(labels))
    return [item_id for item_id in candidates if len(answers[item_id]) > 1]


def adjudication_resolved_item_ids(*, project: Project) -> QuerySet:
    """Items with a gold label, the most recently resolved first."""
    return (
        Adjudication.objects.filter(item__project=project)
        .order_by("-updated_at", "-id")
        .values_list("item_id", flat=True)
    )


def adjudication_entries(*, project: Project, item_ids: list[int]) -> list[dict[str, Any]]:
    """For each item (in the order given): the item, each person's latest answer (oldest
    first) and the gold label if there is one. Three queries whatever the number of items."""
    people = (
        Annotation.objects.filter(source=AnnotationSource.HUMAN, annotator__isnull=False)
        .select_related("annotator")
        .order_by("id")
    )
    items = (
        Item.objects.filter(project=project, id__in=item_ids)
        .select_related("adjudication__resolved_by")
        .prefetch_related(Prefetch("annotations", queryset=people, to_attr="people_annotations"))
    )
    by_id = {item.pk: item for item in items}
    entries = []
    for item_id in item_ids:
        item = by_id.get(item_id)
        if item is None:
            continue
        latest: dict[int | None, Annotation] = {}  # by annotator id (never None here)
        for annotation in item.people_annotations:
            latest[annotation.annotator_id] = annotation  # ordered by id: the last one stays
        try:
            gold = item.adjudication
        except Adjudication.DoesNotExist:
            gold = None
        entries.append(
            {
                "item": item,
                "annotations": sorted(latest.values(), key=lambda annotation: annotation.pk),
                "gold": gold,
            }
        )
    return entries


def gold_labels(
    *, project: Project, audit_only: bool = False
) -> dict[int, tuple[list[str], str, bool]]:
    """``item id -> (gold labels, split, is_audit)`` for the project's adjudicated items."""
    golds = Adjudication.objects.filter(item__project=project)
    if audit_only:
        golds = golds.filter(item__is_audit=True)
    return {
        item_id: (list(labels or []), split, bool(is_audit))
        for item_id, labels, split, is_audit in golds.values_list(
            "item_id", "labels", "item__split", "item__is_audit"
        )
    }
