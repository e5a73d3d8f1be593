"""Scoring the unlabeled pool: predictions, the queue's order, the audit sample, auto-labels.

Everything here works on whole arrays: one matrix of the pool's embeddings, one
``predict_proba`` per chunk, one strategy call. Only the head of the queue's order is written
back (``TANDEM_QUEUE_WINDOW`` items: priority, prediction, model version), in bulk (``COPY`` +
one ``UPDATE … FROM`` on PostgreSQL); the rest of the pool waits at priority 0. Rewriting a
million rows after every 50 labels would cost more than the whole arithmetic, and nobody
labels past the window before the next rescoring.

Held-out items (dev and test splits) are not ordered by the strategy: they come in a random
order, mixed in at their share of the pool, so the labels that measure a model are a uniform
sample and not the model's hardest cases.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from labeling.choices import HUMAN_SOURCES, SamplingStrategy, Split, TaskType
from labeling.models import Project
from labeling.selectors.learning import latest_labels, pool_item_ids, queue_prioritised_ids
from labeling.services.bulk_sql import item_scores_update
from models_app.selectors.registry import model_version_list
from models_app.services.embeddings import embedding_matrix

if TYPE_CHECKING:
    from models_app.ml.classifiers.trained import TrainedClassifier

# The hybrid strategy's diverse batch: these items go to the very top of the queue.
HYBRID_BATCH = 50
# Cold start: this many diverse items first, chosen from at most COLD_START_SAMPLE pool items.
COLD_START_BATCH = 100
COLD_START_SAMPLE = 20_000
PREDICT_CHUNK = 50_000

Progress = Callable[[float], None]


def _write_chunk() -> int:
    # SQLite holds one write lock for the whole database: short transactions let people label
    # while the pool is rewritten. PostgreSQL locks only the rows (and an annotation's
    # foreign-key check does not wait for them), so fewer, larger statements win there.
    return 100_000 if connection.vendor == "postgresql" else 5_000


@dataclass
class Pool:
    """The unlabeled items that have a vector, in id order."""

    ids: np.ndarray
    embeddings: np.ndarray
    is_audit: np.ndarray
    # Items of the dev and test splits: labels there measure models, never train them.
    held_out: np.ndarray
    # Unlabeled items without a vector (added after the embedding step, or unreadable).
    unembedded: int

    def __len__(self) -> int:
        return len(self.ids)


def pool_load(*, project: Project, embedder_key: str) -> Pool:
    ids, audit, splits = pool_item_ids(project=project)
    all_ids = np.asarray(ids, dtype=np.int64)
    found, matrix = embedding_matrix(
        owner=project.owner_key, embedder=embedder_key, object_ids=all_ids
    )
    kept = np.isin(all_ids, found)
    is_audit = np.asarray(audit, dtype=bool)[kept]
    held_out = np.isin(np.asarray(splits, dtype=object), [Split.DEV, Split.TEST])[kept]
    return Pool(
        ids=found,
        embeddings=matrix,
        is_audit=is_audit,
        held_out=held_out.astype(bool),
        unembedded=len(ids) - len(found),
    )


def predict_in_chunks(classifier: TrainedClassifier, embeddings: np.ndarray) -> np.ndarray:
    if not len(embeddings):
        return np.zeros((0, len(classifier.classes)), dtype=np.float64)
    parts = [
        classifier.predict_proba(embeddings[start : start + PREDICT_CHUNK])
        for start in range(0, len(embeddings), PREDICT_CHUNK)
    ]
    return np.asarray(np.concatenate(parts), dtype=np.float64)


def queue_order(
    *,
    strategy: str,
    proba: np.ndarray,
    embeddings: np.ndarray,
    seed: int,
    task_type: str | None = None,
) -> np.ndarray:
    """Row indices, first to ask first. Hybrid puts its diverse batch above everything else."""
    from models_app.ml.strategies import Strategy, priorities, select_batch

    if not len(proba):
        return np.zeros(0, dtype=np.int64)
    scores = priorities(Strategy(strategy), proba, seed=seed, task_type=task_type)
    # Stable: equal scores keep id order, so the queue is reproducible.
    order = np.argsort(-scores, kind="stable")
    if strategy == SamplingStrategy.HYBRID:
        picks = np.asarray(
            select_batch(
                Strategy.HYBRID,
                proba,
                embeddings,
                min(HYBRID_BATCH, len(proba)),
                seed=seed,
                task_type=task_type,
            ),
            dtype=np.int64,
        )
        order = np.concatenate([picks, order[~np.isin(order, picks)]])
    return order


def cold_start_order(
    *, embeddings: np.ndarray, seed: int, zero_shot: np.ndarray | None = None
) -> np.ndarray:
    """Before there is a model: a diverse batch first, then the rest in a seeded random order.

    With ``zero_shot`` probabilities, the first batch alternates the items most likely to be
    each class in turn with the diverse picks (``models_app.ml.zeroshot.zero_shot_head``), so
    every class is among the first few items.
    """
    from models_app.ml.strategies import cold_start
    from models_app.ml.zeroshot import zero_shot_head

    n = len(embeddings)
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(n)
    if n == 0:
        return shuffled
    candidates = shuffled[:COLD_START_SAMPLE]
    picks = candidates[
        np.asarray(
            cold_start(embeddings[candidates], min(COLD_START_BATCH, len(candidates)), seed=seed),
            dtype=np.int64,
        )
    ]
    if zero_shot is not None:
        picks = zero_shot_head(zero_shot, embeddings, picks, min(COLD_START_BATCH, n))
    return np.concatenate([picks, shuffled[~np.isin(shuffled, picks)]])


def interleave_random(*, order: np.ndarray, mask: np.ndarray, rate: float, seed: int) -> np.ndarray:
    """Take the rows of ``mask`` out of ``order`` and mix them back in a random order, one
    after every ``1/rate - 1`` others.

    For samples that must stay uniform (the audit sample, the held-out splits): putting them
    first would stall the learning, leaving them in the strategy's order would bias them
    towards the model's hard cases, putting them last would never label them.
    """
    chosen = order[mask[order]]
    if not len(chosen) or rate <= 0:
        return order
    others = order[~mask[order]]
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(chosen)
    gap = max(1.0, 1 / rate - 1)
    keys = np.concatenate(
        [
            np.arange(len(others), dtype=np.float64),
            (np.arange(len(chosen), dtype=np.float64) + 1) * gap - 0.5,
        ]
    )
    rows = np.concatenate([others, chosen])
    return rows[np.argsort(keys, kind="stable")]


def interleave_audit(
    *, order: np.ndarray, is_audit: np.ndarray, rate: float, seed: int
) -> np.ndarray:
    """Audit items at a steady rate, one after every ``1/rate - 1`` others, in random order."""
    return interleave_random(order=order, mask=is_audit, rate=rate, seed=seed)


def interleave_held_out(*, order: np.ndarray, held_out: np.ndarray, seed: int) -> np.ndarray:
    """Held-out items in random order at their share of the pool, as a random queue would."""
    if not len(order):
        return order
    return interleave_random(order=order, mask=held_out, rate=float(held_out.mean()), seed=seed + 1)


def queue_window_size() -> int:
    return max(1, int(settings.TANDEM_QUEUE_WINDOW))


def priorities_from_order(order: np.ndarray, *, window: int | None = None) -> np.ndarray:
    """Priority per row: 1.0 for the first in the queue, falling evenly to ``1/window`` for the
    last of the first ``window`` rows; 0 (unranked) for the rest."""
    n = len(order)
    window = n if window is None else min(n, window)
    priority = np.zeros(n, dtype=np.float64)
    if window:
        priority[order[:window]] = (window - np.arange(window)) / window
    return priority


def audit_sample_extend(*, pool: Pool, rate: float, seed: int) -> np.ndarray:
    """Mark a uniform random share of the pool as audit items, topping up to ``rate``.

    Marks are never removed: a labeled audit item is what the precision estimate rests on.
    Returns the rows newly marked (set in ``pool.is_audit``; written with the scores).
    """
    new = np.zeros(len(pool), dtype=bool)
    if rate <= 0 or not len(pool):
        return new
    wanted = math.ceil(rate * len(pool))
    missing = wanted - int(pool.is_audit.sum())
    if missing <= 0:
        return new
    candidates = np.flatnonzero(~pool.is_audit)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(candidates, size=min(missing, len(candidates)), replace=False)
    pool.is_audit[chosen] = True
    new[chosen] = True
    return new


def pool_scores_write(
    *,
    project: Project,
    columns: list[str],
    rows: list[tuple[Any, ...]],
    on_progress: Progress | None = None,
) -> int:
    """Write item scores in chunks, each its own short transaction. Returns items updated."""
    updated = 0
    chunk = _write_chunk()
    for start in range(0, len(rows), chunk):
        with transaction.atomic():
            updated += item_scores_update(
                project_id=project.pk, columns=columns, rows=rows[start : start + chunk]
            )
        if on_progress is not None:
            on_progress(min(1.0, (start + chunk) / len(rows)))
    return updated


def pool_queue_write(
    *,
    project: Project,
    pool: Pool,
    order: np.ndarray,
    values: dict[str, np.ndarray] | None = None,
    also: np.ndarray | None = None,
    on_progress: Progress | None = None,
) -> int:
    """Materialise the head of the queue: the first ``TANDEM_QUEUE_WINDOW`` rows of ``order``
    get their priority (and ``values``: per-row columns such as the prediction); pool items
    that had a priority from an earlier run and fell out of the window go back to 0; rows in
    ``also`` are written too (e.g. newly drawn audit items). Returns items updated."""
    values = values or {}
    priority = priorities_from_order(order, window=queue_window_size())
    write = priority > 0
    if also is not None:
        write |= also
    write |= np.isin(pool.ids, np.asarray(queue_prioritised_ids(project=project), np.int64))
    rows_at = np.flatnonzero(write)
    columns = ["priority", *values]
    data = [pool.ids[rows_at].tolist(), priority[rows_at].tolist()]
    data += [np.asarray(column)[rows_at].tolist() for column in values.values()]
    rows = list(zip(*data, strict=True))
    return pool_scores_write(project=project, columns=columns, rows=rows, on_progress=on_progress)


def pool_cold_start(
    *, project: Project, embedder_key: str, seed: int, on_progress: Progress | None = None
) -> int:
    """Order the pool when there is no model to ask.

    While the project has no model version at all, the order and the proposals come from
    zero-shot similarity to the label classes (``labeling.services.zero_shot``): the head of
    the queue gets ``predicted_label`` and ``confidence`` with no ``scored_by``, so the first
    item already shows a proposal. Once a version exists (too few labels to train again, say
    after a class was added), only ``priority`` changes and the model's proposals stay.
    """
    from labeling.services.zero_shot import pool_zero_shot

    pool = pool_load(project=project, embedder_key=embedder_key)
    guess = None
    if len(pool) and not model_version_list(owner=project.owner_key).exists():
        guess = pool_zero_shot(
            project=project, embeddings=pool.embeddings, embedder_key=embedder_key
        )
    order = cold_start_order(
        embeddings=pool.embeddings, seed=seed, zero_shot=None if guess is None else guess.proba
    )
    order = interleave_held_out(order=order, held_out=pool.held_out, seed=seed)
    values: dict[str, np.ndarray] = {}
    if guess is not None:
        predictions = predictions_from(guess.proba)
        values = {
            "predicted_label": np.asarray(guess.classes, dtype=object)[predictions.top],
            "confidence": predictions.confidence,
            "scored_by_id": np.full(len(pool), None, dtype=object),
        }
    return pool_queue_write(
        project=project, pool=pool, order=order, values=values, on_progress=on_progress
    )


def pool_cold_start_unless_modelled(
    *, project: Project, embedder_key: str, seed: int, on_progress: Progress | None = None
) -> int | None:
    """The cold-start order for a project no model has scored yet; ``None`` (nothing written)
    once a model version exists, whose scores order the queue instead.

    Called as soon as vectors exist (during and after the embedding job), so the queue spans
    the data from the first item instead of serving the import's file order until a model
    can be trained."""
    if model_version_list(owner=project.owner_key).exists():
        return None
    return pool_cold_start(
        project=project, embedder_key=embedder_key, seed=seed, on_progress=on_progress
    )


@dataclass
class Predictions:
    proba: np.ndarray
    # Index into the classifier's classes of the predicted (most probable) class.
    top: np.ndarray
    confidence: np.ndarray


def predictions_from(proba: np.ndarray) -> Predictions:
    if not len(proba):
        return Predictions(proba, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    top = np.argmax(proba, axis=1)
    return Predictions(proba=proba, top=top, confidence=proba[np.arange(len(proba)), top])


@dataclass
class AutoLabelPlan:
    rows: list[tuple[int, str]]
    estimate: dict[str, Any]


def auto_label_plan(
    *,
    project: Project,
    classifier: TrainedClassifier,
    embedder_key: str,
    pool: Pool,
    predictions: Predictions,
    current_classes: set[str],
    model_version_number: int,
) -> AutoLabelPlan:
    """Choose the confidence threshold on the audit sample, then the pool items above it.

    Only audit items count: they were drawn uniformly from the pool, so their precision above
    a threshold estimates the precision of the pool's items above it. Items picked by the
    queue's strategy are the model's hardest cases and would give a biased threshold.
    """
    from models_app.ml.autolabel import choose_threshold

    target = project.auto_label_target_precision
    estimate: dict[str, Any] = {"target_precision": target, "model_version": model_version_number}
    if project.task_type == TaskType.MULTILABEL:
        estimate["message"] = "Auto-labeling covers binary and multiclass projects only."
        return AutoLabelPlan([], estimate)
    audited = latest_labels(project=project, sources=HUMAN_SOURCES, audit_only=True)
    audited = [row for row in audited if row[1]]
    ids = np.asarray([row[0] for row in audited], dtype=np.int64)
    truth = {row[0]: row[1][0] for row in audited}
    found, matrix = embedding_matrix(owner=project.owner_key, embedder=embedder_key, object_ids=ids)
    audit_predictions = predictions_from(predict_in_chunks(classifier, matrix))
    classes = classifier.classes
    correct = np.asarray(
        [
            classes[top] == truth[int(item_id)]
            for item_id, top in zip(found, audit_predictions.top, strict=True)
        ],
        dtype=bool,
    )
    if not len(found):
        estimate.update(threshold=None, precision=None, ci_low=None, ci_high=None)
        estimate.update(n_above=0, n_audit=0, auto_labeled=0)
        estimate["message"] = (
            "No audited item has a human label yet: label the audit items the queue mixes in."
        )
        return AutoLabelPlan([], estimate)
    choice = choose_threshold(
        audit_predictions.confidence, correct, target_precision=target, alpha=0.05
    )
    estimate.update(
        threshold=choice.threshold,
        precision=choice.precision,
        ci_low=choice.ci_low,
        ci_high=choice.ci_high,
        n_above=choice.n_above,
        n_audit=choice.n_audit,
    )
    if choice.threshold is None:
        estimate["message"] = (
            f"No confidence threshold reaches {target:.0%} precision on the {choice.n_audit} "
            "audited items yet; more audit labels are needed before anything is labeled "
            "automatically."
        )
        estimate["auto_labeled"] = 0
        return AutoLabelPlan([], estimate)
    allowed = np.asarray([name in current_classes for name in classes], dtype=bool)
    chosen = (
        ~pool.is_audit & (predictions.confidence >= choice.threshold) & allowed[predictions.top]
    )
    rows = [
        (int(item_id), json.dumps([classes[top]]))
        for item_id, top in zip(pool.ids[chosen], predictions.top[chosen], strict=True)
    ]
    estimate["auto_labeled"] = len(rows)
    estimate["pool"] = len(pool)
    return AutoLabelPlan(rows, estimate)
