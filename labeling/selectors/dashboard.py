"""The project dashboard: queue depth, label distribution, annotators, acceptance over time.

Every figure is aggregated by the database (a project may hold a million items); Python only
shapes the grouped rows. Days are calendar days in the server's time zone (``TIME_ZONE``).
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from labeling.choices import HUMAN_SOURCES, AnnotationOutcome, AnnotationSource
from labeling.models import Annotation, Item, Project
from labeling.selectors.agreement import project_agreement

SERIES_DAYS = 30
# The rate of someone who has just started is measured over at least one minute.
MIN_RATE_HOURS = 1 / 60

ACCEPTED = Q(outcome=AnnotationOutcome.ACCEPTED)
CORRECTED = Q(outcome=AnnotationOutcome.CORRECTED)
NO_SUGGESTION = Q(outcome=AnnotationOutcome.NO_SUGGESTION)
ACCEPTANCE_KEYS = ("date", "accepted", "corrected", "no_suggestion", "acceptance_rate")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _people_annotations(*, project: Project) -> QuerySet[Annotation]:
    return Annotation.objects.filter(
        item__project=project, source=AnnotationSource.HUMAN, annotator__isnull=False
    )


def queue_figures(*, project: Project) -> dict[str, int]:
    """Items in all, still open in the queue, done, held by someone now, and audit items."""
    return Item.objects.filter(project=project).aggregate(
        total_items=Count("id"),
        open_items=Count("id", filter=Q(queue_done=False)),
        done_items=Count("id", filter=Q(queue_done=True)),
        leased_items=Count("id", filter=Q(queue_leases__gt=0)),
        audit_items=Count("id", filter=Q(is_audit=True)),
    )


def label_distribution(*, project: Project) -> list[dict[str, Any]]:
    """Per label: the items that at least one person's annotation (any source but auto) gives
    it. The project's classes come first, in their order and with zero counts; labels of
    classes removed since follow by name."""
    if connection.vendor == "postgresql":
        labels_of = "CROSS JOIN LATERAL jsonb_array_elements_text(a.labels) AS l(value)"
    else:
        labels_of = "CROSS JOIN json_each(a.labels) AS l"
    sources = ", ".join(["%s"] * len(HUMAN_SOURCES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.value, COUNT(DISTINCT a.item_id) FROM labeling_annotation AS a "  # noqa: S608 - fixed SQL, parameters bound
            f"JOIN labeling_item AS i ON i.id = a.item_id {labels_of} "
            f"WHERE i.project_id = %s AND a.source IN ({sources}) GROUP BY l.value",
            [project.pk, *HUMAN_SOURCES],
        )
        counts = {str(label): count for label, count in cursor.fetchall()}
    classes = list(project.label_classes.values_list("name", flat=True))
    removed = sorted(set(counts) - set(classes))
    return [{"label": name, "count": counts.get(name, 0)} for name in [*classes, *removed]]


def annotator_figures(*, project: Project, now: datetime) -> list[dict[str, Any]]:
    """Per person with annotations here: done today and in all, rate per hour today, and the
    share of the model's proposals they accepted (of those they accepted or corrected)."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        _people_annotations(project=project)
        .values("annotator_id", "annotator__username")
        .annotate(
            done_total=Count("id"),
            done_today=Count("id", filter=Q(created_at__gte=today)),
            first_today=Min("created_at", filter=Q(created_at__gte=today)),
            accepted=Count("id", filter=ACCEPTED),
            corrected=Count("id", filter=CORRECTED),
        )
        .order_by("annotator__username")
    )
    figures = []
    for row in rows:
        rate = None
        if row["done_today"]:
            hours = max((now - row["first_today"]).total_seconds() / 3600, MIN_RATE_HOURS)
            rate = round(row["done_today"] / hours, 2)
        figures.append(
            {
                "user_id": row["annotator_id"],
                "username": row["annotator__username"],
                "done_today": row["done_today"],
                "done_total": row["done_total"],
                "rate_per_hour": rate,
                "acceptance_rate": _rate(row["accepted"], row["accepted"] + row["corrected"]),
            }
        )
    return figures


def daily_series(*, project: Project, now: datetime) -> list[dict[str, Any]]:
    """One row per day of the last ``SERIES_DAYS`` days (today included, oldest first, days
    without annotations too): people's annotations and their outcomes."""
    tz = timezone.get_current_timezone()
    first_day: date = timezone.localtime(now, tz).date() - timedelta(days=SERIES_DAYS - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=tz)
    rows = (
        _people_annotations(project=project)
        .filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            annotations=Count("id"),
            accepted=Count("id", filter=ACCEPTED),
            corrected=Count("id", filter=CORRECTED),
            no_suggestion=Count("id", filter=NO_SUGGESTION),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    series = []
    for offset in range(SERIES_DAYS):
        day = first_day + timedelta(days=offset)
        row: Mapping[str, Any] = by_day.get(day, {})
        accepted, corrected = row.get("accepted", 0), row.get("corrected", 0)
        series.append(
            {
                "date": day,
                "annotations": row.get("annotations", 0),
                "accepted": accepted,
                "corrected": corrected,
                "no_suggestion": row.get("no_suggestion", 0),
                "acceptance_rate": _rate(accepted, accepted + corrected),
            }
        )
    return series


def project_dashboard(*, project: Project, now: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, in a handful of aggregate queries."""
    now = now or timezone.now()
    agreement = project_agreement(project=project)
    kappas = {row["user_id"]: row["kappa"] for row in agreement["annotators"]}
    annotators = [
        {**row, "kappa": kappas.get(row["user_id"])}
        for row in annotator_figures(project=project, now=now)
    ]
    series = daily_series(project=project, now=now)
    return {
        "queue": queue_figures(project=project),
        "label_distribution": label_distribution(project=project),
        "annotators": annotators,
        "acceptance_over_time": [{key: day[key] for key in ACCEPTANCE_KEYS} for day in series],
        "throughput": [{"date": day["date"], "annotations": day["annotations"]} for day in series],
        "agreement": agreement["project"],
    }
