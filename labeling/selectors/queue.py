"""Reads for the annotation queue: a person's open leases, history, progress; the flag list.

Nothing here shows one annotator's labels to another: with overlap, each works blind.
"""

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from labeling.choices import AnnotationOutcome, AnnotationSource, AssignmentState
from labeling.models import Annotation, ItemFlag, Project, QueueAssignment
from models_app.models import ModelVersion
from models_app.selectors.registry import model_version_production

# Counting the items a person could still get stops here: an exact count of a million-item
# pool on every progress poll would cost more than the rest of the workspace together.
QUEUE_SIZE_CAP = 10_000


def assignment_open_list(
    *, project: Project, user: User, now: datetime | None = None
) -> QuerySet[QueueAssignment]:
    """The caller's running leases in the project, oldest first (to resume after a reload)."""
    return (
        QueueAssignment.objects.filter(
            project=project,
            user=user,
            state=AssignmentState.LEASED,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("item", "suggested_by")
        .order_by("leased_at", "id")
    )


def annotation_history(*, project: Project, user: User) -> QuerySet[Annotation]:
    """The caller's own labels in the project (given here, not imported), newest first."""
    return (
        Annotation.objects.filter(
            annotator=user, source=AnnotationSource.HUMAN, item__project=project
        )
        .select_related("suggested_by")
        .order_by("-created_at", "-id")
    )


def queue_size(*, project: Project, user: User) -> int:
    """How many items the caller could still be handed, counted up to ``QUEUE_SIZE_CAP``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM labeling_item AS i "
            "WHERE i.project_id = %s AND NOT i.queue_done "
            "AND i.queue_annotations + i.queue_leases < %s "
            "AND NOT EXISTS (SELECT 1 FROM labeling_queueassignment AS a "
            "WHERE a.item_id = i.id AND a.user_id = %s) LIMIT %s) AS open_items",
            [project.pk, project.annotations_per_item, user.pk, QUEUE_SIZE_CAP],
        )
        return cursor.fetchone()[0]


def _rate_per_hour(
    *, submitted: QuerySet[QueueAssignment], today_start: datetime, now: datetime
) -> float | None:
    """Items per hour over the last hour of work today (from the first item today when that
    is more recent), so the figure is the pace now, not an average over the breaks."""
    window_start = max(now - timedelta(hours=1), today_start)
    recent = submitted.filter(finished_at__gte=window_start).aggregate(
        n=Count("id"), first=Min("finished_at")
    )
    if not recent["n"]:
        return None
    # At least a minute, so the first item of the day does not read as thousands per hour.
    hours = max((now - recent["first"]).total_seconds(), 60.0) / 3600
    return round(recent["n"] / hours, 1)


def _model_summary(*, project: Project) -> dict[str, Any] | None:
    """The production model, and the roc_auc of the one that served before it."""
    current = model_version_production(owner=project.owner_key)
    if current is None:
        return None
    previous = None
    if current.promoted_at is not None:
        previous = (
            ModelVersion.objects.filter(
                owner=project.owner_key, promoted_at__lt=current.promoted_at
            )
            .exclude(pk=current.pk)
            .order_by("-promoted_at", "-version")
            .first()
        )
    return {
        "version": current.version,
        "roc_auc": current.metrics.get("roc_auc"),
        "previous_roc_auc": previous.metrics.get("roc_auc") if previous else None,
        "created_at": current.created_at,
    }


def queue_stats(*, project: Project, user: User, now: datetime | None = None) -> dict[str, Any]:
    """The caller's progress in the project: done today and in total, pace, how often they
    accepted the model's proposal, what is left for them, and the model serving now."""
    now = now or timezone.now()
    today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    submitted = QueueAssignment.objects.filter(
        project=project, user=user, state=AssignmentState.SUBMITTED
    )
    done = submitted.aggregate(
        total=Count("id"), today=Count("id", filter=Q(finished_at__gte=today_start))
    )
    outcomes = annotation_history(project=project, user=user).aggregate(
        accepted=Count("id", filter=Q(outcome=AnnotationOutcome.ACCEPTED)),
        proposed=Count(
            "id",
            filter=Q(outcome__in=[AnnotationOutcome.ACCEPTED, AnnotationOutcome.CORRECTED]),
        ),
    )
    return {
        "done_today": done["today"],
        "done_total": done["total"],
        "rate_per_hour": _rate_per_hour(submitted=submitted, today_start=today_start, now=now),
        "acceptance_rate": (
            round(outcomes["accepted"] / outcomes["proposed"], 4) if outcomes["proposed"] else None
        ),
        "queue_size": queue_size(project=project, user=user),
        "open_leases": assignment_open_list(project=project, user=user, now=now).count(),
        "model": _model_summary(project=project),
    }


def flag_list(*, project: Project, resolved: bool | None = None) -> QuerySet[ItemFlag]:
    """The project's flags, newest first; ``resolved`` picks open (False) or handled (True)."""
    flags = ItemFlag.objects.filter(item__project=project).select_related(
        "item", "user", "resolved_by"
    )
    if resolved is not None:
        flags = flags.filter(resolved_at__isnull=not resolved)
    return flags.order_by("-created_at", "-id")


def skip_list(*, project: Project) -> QuerySet[QueueAssignment]:
    """The project's skipped items with the skipper's reason, newest first."""
    return (
        QueueAssignment.objects.filter(project=project, state=AssignmentState.SKIPPED)
        .select_related("item", "user")
        .order_by("-finished_at", "-id")
    )
