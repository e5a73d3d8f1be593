"""Labeling's gauges for ``/metrics``, read at scrape time: the annotation queue and the
embedding backlog. Bounded queries: the queue is counted on its partial index (open items
only); the backlog of a running job is the count it recorded when it started, less its
progress, and a queued job's is the items after the last stored vector (an index range as long
as the backlog itself, never the project)."""

from django.db.models import Count, Max

from core.observability.metrics import GaugeFamily
from labeling.models import Item, Project
from labeling.selectors.embedders import project_embedder
from labeling.selectors.learning import project_for_owner
from models_app.choices import ACTIVE_JOB_STATUSES, JobKind, JobStatus
from models_app.models import Embedding, TrainingJob


def annotation_queue_gauges() -> list[GaugeFamily]:
    """Items still needing people's annotations, per project (zeros too)."""
    family = GaugeFamily(
        "tandem_annotation_queue_open_items",
        "Items still needing annotations (not done in the annotation queue), by project.",
        ("project",),
    )
    counts = dict(
        Item.objects.filter(queue_done=False)
        .values("project_id")
        .annotate(open=Count("*"))
        .order_by()
        .values_list("project_id", "open")
    )
    for project_id in Project.objects.order_by("id").values_list("id", flat=True):
        family.add(counts.get(project_id, 0), project_id)
    return [family]


def _items_after_last_vector(project: Project) -> int:
    """Items newer than the project's last stored vector: what a job that has not started yet
    will embed (items are embedded in id order; older items without a vector, e.g. unreadable
    images, are not counted)."""
    from models_app.ml.embedders.base import EmbedderUnavailable

    try:
        embedder_key = project_embedder(project=project).key
    except EmbedderUnavailable:
        embedder_key = ""  # the job will fail and say why; every item is still waiting
    last = Embedding.objects.filter(owner=project.owner_key, embedder=embedder_key).aggregate(
        last=Max("object_id")
    )["last"]
    return Item.objects.filter(project=project, id__gt=last or 0).count()


def embedding_backlog_gauges() -> list[GaugeFamily]:
    backlog = GaugeFamily(
        "tandem_embedding_backlog_items",
        "Items waiting for vectors in queued or running embedding jobs, by project.",
        ("project",),
    )
    jobs = GaugeFamily(
        "tandem_embedding_jobs", "Embedding jobs queued or running, by status.", ("status",)
    )
    by_status: dict[str, int] = dict.fromkeys(ACTIVE_JOB_STATUSES, 0)
    active = TrainingJob.objects.filter(
        kind=JobKind.EMBED, status__in=ACTIVE_JOB_STATUSES
    ).values_list("owner", "status", "progress", "result")
    for owner, status, progress, result in active:
        by_status[status] += 1
        project = project_for_owner(owner=owner)
        if project is None:
            continue
        missing = (result or {}).get("missing")
        if status == JobStatus.RUNNING and isinstance(missing, int):
            waiting = max(0, round(missing * (1.0 - progress)))
        else:
            waiting = _items_after_last_vector(project)
        backlog.add(waiting, project.pk)
    for status, count in by_status.items():
        jobs.add(count, status)
    return [backlog, jobs]
