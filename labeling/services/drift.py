"""Drift monitoring: closing a project's windows of new items and measuring each against the
serving model's training snapshot (``models_app.ml.drift`` does the arithmetic).

A window holds the items that arrived after the previous window (intake creates one item per
content; imports add items); it closes at the end of its day (``window_hours``) or as soon as it
holds ``window_max_items`` items, so a burst is measured without waiting for the day to end. The
first window starts when the project's production model was made: items it could have been
trained on are not "new".

Runs in Celery only (``labeling.tasks.drift_windows_close_task``, queued by the periodic
``drift_check``): it embeds the window's items that have no vector yet and fits a domain
classifier per window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.services.audit import audit_record
from labeling.choices import AnnotationSource
from labeling.models import Annotation, DatasetSnapshot, DriftSettings, DriftWindow, Item, Project
from labeling.selectors.audit import project_audit_scope
from labeling.selectors.drift import drift_settings_get
from labeling.services.embedding import items_embed_missing
from labeling.services.learning_jobs import project_training_request
from models_app.choices import JobTrigger
from models_app.ml import drift as measures
from models_app.models import ModelVersion
from models_app.selectors.registry import model_version_production
from models_app.services.embedders import embedder_for_key
from models_app.services.embeddings import embedding_matrix
from models_app.services.registry import model_version_classifier

logger = logging.getLogger(__name__)

SNAPSHOT_PREFIX = "dataset-snapshot-"
# The reference the scores are compared with: the snapshot's held-out items (scores the model
# gives items it never saw are what new items get; on its own training items it is
# over-confident) when there are this many, else all the snapshot's items.
MIN_HELD_OUT_REFERENCE = 200
MAX_SCORE_REFERENCE = 5_000
REFERENCE_SEED = 0
# At most this many windows per run: a project catching up after a long pause continues at the
# next periodic check.
MAX_WINDOWS_PER_RUN = 50
OVERTURN_SOURCES = (AnnotationSource.MODERATION, AnnotationSource.APPEAL)

# Called in an alarm's transaction, with the window, when the project sends alarms by webhook
# (moderation writes its webhook outbox rows from here: labeling must not import moderation).
AlarmListener = Callable[[DriftWindow], object]
_alarm_listeners: list[AlarmListener] = []


def drift_alarm_listener_register(listener: AlarmListener) -> None:
    if listener not in _alarm_listeners:
        _alarm_listeners.append(listener)


@dataclass
class _Reference:
    classes: list[str]
    scores: np.ndarray
    predicted: list[str]
    vectors: np.ndarray


# Per process, by model version id (a version's snapshot never changes); the oldest go first.
_references: dict[int, _Reference] = {}
MAX_CACHED_REFERENCES = 16


def _vectors(*, project: Project, version: ModelVersion, ids: np.ndarray) -> np.ndarray:
    """The version's embedder's vectors of these items, embedding the ones missing."""
    embedder = embedder_for_key(key=version.embedder)
    items_embed_missing(project=project, embedder=embedder, item_ids=ids)
    _, matrix = embedding_matrix(owner=project.owner_key, embedder=version.embedder, object_ids=ids)
    return matrix


def _snapshot_rows(version: ModelVersion) -> tuple[np.ndarray, np.ndarray] | None:
    """(item ids, splits) of the version's training snapshot; None when it has none stored."""
    import pyarrow.parquet as pq

    if not version.snapshot_id.startswith(SNAPSHOT_PREFIX):
        return None
    try:
        snapshot_pk = int(version.snapshot_id.removeprefix(SNAPSHOT_PREFIX))
    except ValueError:
        return None
    snapshot = DatasetSnapshot.objects.filter(pk=snapshot_pk).exclude(file="").first()
    if snapshot is None:
        return None
    with snapshot.file.open("rb") as stored:
        table = pq.read_table(stored, columns=["id", "split"])
    return (
        np.asarray(table.column("id").to_numpy(), dtype=np.int64),
        np.asarray(table.column("split").to_pylist(), dtype=object),
    )


def _reference(*, project: Project, version: ModelVersion) -> _Reference | None:
    """What the version's training snapshot looks like to it: its scores and predicted classes
    (on held-out items where there are enough) and a sample of its vectors. Kept per process."""
    cached = _references.get(version.pk)
    if cached is not None:
        return cached
    rows = _snapshot_rows(version)
    if rows is None or not len(rows[0]):
        return None
    ids, splits = rows
    rng = np.random.default_rng(REFERENCE_SEED)
    held_out = ids[np.isin(splits, ["dev", "test"])]
    score_ids = held_out if len(held_out) >= MIN_HELD_OUT_REFERENCE else ids
    if len(score_ids) > MAX_SCORE_REFERENCE:
        score_ids = np.sort(rng.choice(score_ids, size=MAX_SCORE_REFERENCE, replace=False))
    domain_ids = ids
    if len(domain_ids) > measures.DOMAIN_MAX_PER_SIDE:
        domain_ids = np.sort(rng.choice(ids, size=measures.DOMAIN_MAX_PER_SIDE, replace=False))
    classifier = model_version_classifier(version=version)
    score_vectors = _vectors(project=project, version=version, ids=score_ids)
    if not len(score_vectors):
        return None
    scores, predicted = measures.model_scores(
        classifier.classes, classifier.predict_proba(score_vectors)
    )
    reference = _Reference(
        classes=list(classifier.classes),
        scores=scores,
        predicted=predicted,
        vectors=_vectors(project=project, version=version, ids=domain_ids),
    )
    while len(_references) >= MAX_CACHED_REFERENCES:
        _references.pop(next(iter(_references)))
    _references[version.pk] = reference
    return reference


def _overturns(*, project: Project, started_at: datetime, ended_at: datetime) -> tuple[int, int]:
    """(decisions with a model proposal, of which overturned) among people's moderation and
    appeal labels given in the window."""
    rows = Annotation.objects.filter(
        item__project=project,
        source__in=OVERTURN_SOURCES,
        created_at__gt=started_at,
        created_at__lte=ended_at,
    ).values_list("labels", "suggested_labels")
    with_proposal = [(labels, suggested) for labels, suggested in rows if suggested]
    overturned = sum(
        1 for labels, suggested in with_proposal if sorted(labels) != sorted(suggested)
    )
    return len(with_proposal), overturned


def _measure(
    *, project: Project, version: ModelVersion | None, ids: np.ndarray, started_at: datetime,
    ended_at: datetime,
) -> dict[str, Any]:  # fmt: skip
    """The window's measures as DriftWindow fields."""
    decisions, overturned = _overturns(project=project, started_at=started_at, ended_at=ended_at)
    fields: dict[str, Any] = {
        "decisions": decisions,
        "overturn_share": measures.overturn_share(
            accepted=decisions - overturned, overturned=overturned
        ),
    }
    notes = []
    if version is None:
        notes.append("No production model: only the overturn share is measured.")
    elif len(ids):
        try:
            reference = _reference(project=project, version=version)
        except Exception as exc:  # an unreadable artifact or snapshot must not stop the others
            logger.warning("drift reference of model version %s failed: %s", version.pk, exc)
            reference = None
        if reference is None:
            notes.append("The model's training snapshot could not be read: no reference.")
        else:
            vectors = _vectors(project=project, version=version, ids=ids)
            if len(vectors) < len(ids):
                notes.append(f"{len(ids) - len(vectors)} items could not be embedded.")
            if len(vectors):
                classifier = model_version_classifier(version=version)
                scores, predicted = measures.model_scores(
                    classifier.classes, classifier.predict_proba(vectors)
                )
                classes = reference.classes
                fields.update(
                    score_psi=measures.score_psi(reference.scores, scores),
                    label_mix_psi=measures.label_mix_psi(reference.predicted, predicted, classes),
                    label_mix_tv=measures.total_variation(reference.predicted, predicted, classes),
                    domain_auc=measures.domain_auc(reference.vectors, vectors),
                    label_mix=dict(zip(classes, measures.label_shares(predicted, classes).tolist(),
                                       strict=True)),
                    reference_label_mix=dict(zip(
                        classes, measures.label_shares(reference.predicted, classes).tolist(),
                        strict=True,
                    )),
                    reference_items=len(reference.scores),
                )  # fmt: skip
                if fields["domain_auc"] is None:
                    notes.append("Too few items for the domain classifier.")
    fields["note"] = " ".join(notes)
    return fields


@dataclass
class _Span:
    after_item_id: int
    last_item_id: int
    ids: np.ndarray
    started_at: datetime
    ended_at: datetime
    closed_by: str


def _first_start(project: Project, version: ModelVersion | None) -> tuple[int, datetime] | None:
    """Where the first window starts: after the items that existed when the production model
    was made. None without a production model (nothing to compare with yet)."""
    if version is None:
        return None
    before = Item.objects.filter(project=project, created_at__lte=version.created_at).aggregate(
        last=Max("id")
    )["last"]
    return int(before or 0), version.created_at


def _next_span(
    *, project: Project, after: int, started_at: datetime, settings: DriftSettings, now: datetime
) -> _Span | None:
    """The next window if it is closed by now (full, or its day over), else None."""
    limit = settings.window_max_items
    rows = list(
        Item.objects.filter(project=project, id__gt=after)
        .order_by("id")
        .values_list("id", "created_at")[:limit]
    )
    deadline = started_at + timedelta(hours=settings.window_hours)
    in_time = []
    for item_id, created_at in rows:
        if created_at > deadline:
            break
        in_time.append(item_id)
    ids = np.asarray(in_time, dtype=np.int64)
    if len(in_time) >= limit:
        ended_at = rows[len(in_time) - 1][1]
        return _Span(after, in_time[-1], ids, started_at, ended_at, "size")
    if now < deadline:
        return None
    if not in_time:
        # Nothing arrived: one empty window over the whole quiet spell, not one per day.
        until = min(now, rows[0][1]) if rows else now
        days = max(1, int((until - started_at) / timedelta(hours=settings.window_hours)))
        deadline = started_at + days * timedelta(hours=settings.window_hours)
        return _Span(after, after, ids, started_at, deadline, "time")
    return _Span(after, in_time[-1], ids, started_at, deadline, "time")


def _alarm(*, project: Project, window: DriftWindow, settings: DriftSettings) -> None:
    """An alarm's effects, in the window's transaction: the audit event; a training run when
    the project asks for one; the listeners (webhook outbox rows) when it sends webhooks."""
    audit_record(
        actor=None,
        actor_name="drift monitor",
        action="drift.alarm",
        object_type="labeling.driftwindow",
        object_id=window.pk,
        scope=project_audit_scope(project_id=project.pk),
        after={
            "window": window.number,
            "alarms": window.alarms,
            "items": window.items,
            "score_psi": window.score_psi,
            "label_mix_psi": window.label_mix_psi,
            "domain_auc": window.domain_auc,
            "overturn_share": window.overturn_share,
            "thresholds": window.thresholds,
            "model_version": window.model_version.version if window.model_version else None,
            "retraining_requested": settings.retrain_on_alarm,
        },
    )
    if settings.retrain_on_alarm:
        project_training_request(project=project, trigger=JobTrigger.DRIFT)
    if settings.webhook_on_alarm:
        for listener in list(_alarm_listeners):
            listener(window)


def drift_windows_close(*, project_id: int, now: datetime | None = None) -> list[DriftWindow]:
    """Close and measure every window of the project that is due by ``now``; returns them.

    Side effects: embeds window items that have no vector from the production model's embedder;
    one DriftWindow row per closed window; per window above a threshold, a ``drift.alarm``
    audit event, a training job when ``retrain_on_alarm`` is on, and, when ``webhook_on_alarm``
    is, the alarm listeners (moderation queues a signed ``drift.alarm`` webhook). Two runs for
    one project at once: the second one's insert of the same window number fails and it stops.
    """
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return []
    now = now or timezone.now()
    settings = drift_settings_get(project=project)
    version = model_version_production(owner=project.owner_key)
    last = DriftWindow.objects.filter(project=project).order_by("-number").first()
    if last is not None:
        after, started_at, number = last.last_item_id, last.ended_at, last.number
    else:
        start = _first_start(project, version)
        if start is None:
            return []
        (after, started_at), number = start, 0
    closed: list[DriftWindow] = []
    for _ in range(MAX_WINDOWS_PER_RUN):
        span = _next_span(
            project=project, after=after, started_at=started_at, settings=settings, now=now
        )
        if span is None:
            break
        fields = _measure(
            project=project, version=version, ids=span.ids, started_at=span.started_at,
            ended_at=span.ended_at,
        )  # fmt: skip
        thresholds = settings.thresholds
        alarms = measures.drift_alarms(
            measures.DriftMeasures(
                items=len(span.ids),
                score_psi=fields.get("score_psi"),
                label_mix_psi=fields.get("label_mix_psi"),
                domain_auc=fields.get("domain_auc"),
                overturn_share=fields.get("overturn_share"),
                decisions=fields["decisions"],
            ),
            thresholds,
        )
        try:
            with transaction.atomic():
                window = DriftWindow.objects.create(
                    project=project,
                    number=number + 1,
                    started_at=span.started_at,
                    ended_at=span.ended_at,
                    after_item_id=span.after_item_id,
                    last_item_id=span.last_item_id,
                    items=len(span.ids),
                    closed_by=span.closed_by,
                    model_version=version,
                    thresholds={**thresholds.__dict__},
                    alarms=alarms,
                    **fields,
                )
                if alarms:
                    _alarm(project=project, window=window, settings=settings)
        except IntegrityError:
            break  # another run closed this window meanwhile
        closed.append(window)
        after, started_at, number = span.last_item_id, span.ended_at, number + 1
    return closed


def drift_projects_due(*, now: datetime | None = None) -> list[int]:
    """Projects with a production model and a window due: full, or its day over (cheap: one
    bounded count per project). For the periodic check."""
    from models_app.choices import Stage

    now = now or timezone.now()
    owners = ModelVersion.objects.filter(
        owner__startswith="labeling.project:", stage=Stage.PRODUCTION
    ).values_list("owner", "created_at")
    due = []
    for owner, created_at in owners:
        try:
            project_id = int(owner.removeprefix("labeling.project:"))
        except ValueError:
            continue
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            continue
        settings = drift_settings_get(project=project)
        last = DriftWindow.objects.filter(project=project).order_by("-number").first()
        if last is not None:
            after, started_at = last.last_item_id, last.ended_at
        else:
            before = Item.objects.filter(project=project, created_at__lte=created_at).aggregate(
                last=Max("id")
            )["last"]
            after, started_at = int(before or 0), created_at
        if now >= started_at + timedelta(hours=settings.window_hours):
            due.append(project_id)
            continue
        waiting = Item.objects.filter(project=project, id__gt=after)[
            : settings.window_max_items
        ].count()
        if waiting >= settings.window_max_items:
            due.append(project_id)
    return due


DRIFT_SETTINGS_FIELDS = (
    "score_psi_threshold",
    "label_mix_psi_threshold",
    "domain_auc_threshold",
    "overturn_share_threshold",
    "min_window_items",
    "min_decisions",
    "window_max_items",
    "window_hours",
    "retrain_on_alarm",
    "webhook_on_alarm",
)


@transaction.atomic
def drift_settings_update(*, project: Project, data: dict[str, Any], actor: Any) -> DriftSettings:
    """Change the project's drift thresholds (validated by the caller's serializer). Audited
    (``drift.settings``) with the changed values."""
    settings, _ = DriftSettings.objects.select_for_update().get_or_create(project=project)
    before = {name: getattr(settings, name) for name in DRIFT_SETTINGS_FIELDS}
    for name, value in data.items():
        if name in DRIFT_SETTINGS_FIELDS:
            setattr(settings, name, value)
    settings.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    settings.full_clean()
    settings.save()
    after = {name: getattr(settings, name) for name in DRIFT_SETTINGS_FIELDS}
    changed = [name for name in DRIFT_SETTINGS_FIELDS if before[name] != after[name]]
    if changed:
        audit_record(
            actor=actor,
            action="drift.settings",
            object_type="labeling.project",
            object_id=project.pk,
            scope=project_audit_scope(project_id=project.pk),
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return settings
