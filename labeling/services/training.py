"""The training run: snapshot → embed missing → fit → evaluate → register → rescore the pool.

Each arrow is one named step of ``_Run`` (``snapshot``, ``embed_missing``, ``fit``,
``choose_strategy``, ``evaluate``, ``few_shot``, ``register``, ``evaluate_in_full``,
``score_pool``, ``finish``;
``cold_start_and_wait`` when there are too few labels to train), reported to the job as
``snapshot``, ``embed``, ``fit``, ``strategy`` (``adaptive`` projects only), ``evaluate``,
``few_shot``, ``few_shot_evaluate`` and ``few_shot_embed`` (projects with the few-shot model
on), ``register``, ``evaluate_slices``, ``score``, ``finish`` (or ``cold_start``) and
``done``. Whether the new version serves is decided in ``training_promotion``.

Longer than 400 lines on purpose: it is one sequence, read top to bottom, whose steps hand
each other their results; spreading them over modules would only make the reader jump.

A run never changes what serves until its very end: the new version is registered as a
candidate, the pool is rescored, and only then, in one transaction with the job's success
(and any automatic labels), is it promoted. A run that fails or is killed anywhere before that
leaves the production model, and the job says what went wrong.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from labeling.choices import AnnotationSource, DataType, SamplingStrategy, Split
from labeling.models import Item, Project
from labeling.selectors.embedders import project_embedder
from labeling.selectors.learning import project_for_owner
from labeling.services.bulk_sql import auto_annotations_insert, labeled_items_priority_reset
from labeling.services.datasets.cut import dataset_snapshot_key, training_snapshot_cut
from labeling.services.embedding import (
    EmbedReport,
    describe_error,
    embedding_job_join,
    items_embed_missing,
    training_embedder,
)
from labeling.services.learning_jobs import job_rerun_if_requested
from labeling.services.model_stages import model_version_stage_change
from labeling.services.pool_scoring import (
    AutoLabelPlan,
    Pool,
    Predictions,
    audit_sample_extend,
    auto_label_plan,
    interleave_audit,
    interleave_held_out,
    pool_cold_start,
    pool_load,
    pool_queue_write,
    predict_in_chunks,
    predictions_from,
    queue_order,
)
from labeling.services.snapshots import Snapshot, class_counts, waiting_message
from labeling.services.training_promotion import Promotion, held_out_evaluate, promotion_decide
from models_app.choices import JobKind, Stage
from models_app.models import ModelVersion, TrainingJob
from models_app.services.embeddings import embedding_delete, embedding_matrix
from models_app.services.jobs import (
    training_job_fail,
    training_job_progress,
    training_job_request_rerun,
    training_job_start,
    training_job_succeed,
    training_job_wait,
)
from models_app.services.registry import model_version_promotion_record, model_version_register

if TYPE_CHECKING:
    from models_app.ml.classifiers.trained import TrainedClassifier
    from models_app.ml.embedders.base import Embedder

logger = logging.getLogger(__name__)

HELD_OUT_SPLITS = (Split.DEV, Split.TEST)
# The few-shot model is tried only on projects of at most this many items: when it wins,
# every item is embedded again with its fine-tuned encoder (PyTorch, about 100 items/s on
# one core), which must fit in the run.
FEW_SHOT_MAX_ITEMS = 50_000
# Label sources a version reports its training labels by, always in this order (zeros included,
# so "0 by annotators" is said, not left out).
TRAIN_SOURCE_ORDER = (
    AnnotationSource.IMPORT,
    AnnotationSource.HUMAN,
    AnnotationSource.MODERATION,
    AnnotationSource.APPEAL,
)


# --- what one step hands the next -------------------------------------------------------------


@dataclass
class _TrainingRows:
    """Which rows of the snapshot a run learns from and measures with."""

    train: np.ndarray  # mask over the snapshot's rows
    held_out: np.ndarray  # mask: people's labels of the dev and test splits
    counts: Counter[str]  # labels per class among the training rows
    enough: list[str]  # classes with at least ``min_labels_per_class`` of them


@dataclass
class _Fit:
    classifier: TrainedClassifier
    train_n: int  # rows it learned from (those with a vector)
    human_n: int  # of which people's labels
    source_counts: dict[str, int]  # those rows by annotation source (import, human, auto, …)
    # A few-shot model: its algorithm, training record and artifact (encoder and head);
    # None: the classifier's own.
    algorithm: str | None = None
    hyperparameters: dict[str, Any] | None = None
    artifact: bytes | None = None


@dataclass
class _Evaluation:
    metrics: dict[str, Any]
    x_held: np.ndarray
    y_held: list[list[str]]
    held_out_ids: list[int]  # the items of ``x_held`` / ``y_held``, in order


@dataclass
class _Scoring:
    pool: Pool
    scored: int
    newly_audited: np.ndarray
    removed_classes: list[str]  # classes the serving model knows that the project lost meanwhile
    auto_label_plan: AutoLabelPlan | None


# --- the run -------------------------------------------------------------------------------------


class _Run:
    """One training run, step by step: snapshot → embed missing → (too few labels: cold start)
    → fit → evaluate → register → decide promotion → score the pool → finish. Each step
    reports its name and progress to the job; ``timings`` keeps how long each took."""

    def __init__(self, job: TrainingJob, project: Project):
        self.job = job
        self.project = project
        self.owner = project.owner_key
        self.seed = int(job.pk)
        self.timings: dict[str, float] = {}
        self.dataset_snapshot_id: int | None = None
        self._step_started = time.perf_counter()
        self._step = ""

    def step(self, name: str, progress: float) -> None:
        now = time.perf_counter()
        if self._step:
            self.timings[self._step] = round(now - self._step_started, 3)
        self._step, self._step_started = name, now
        training_job_progress(job_id=self.job.pk, step=name, progress=progress)

    def progress_within(self, name: str, start: float, end: float):
        def report(share: float) -> None:
            training_job_progress(
                job_id=self.job.pk, step=name, progress=start + (end - start) * share
            )

        return report

    def current_classes(self) -> list[str]:
        return list(self.project.label_classes.values_list("name", flat=True))

    def run(self) -> TrainingJob | None:
        classes = self.current_classes()
        snapshot = self.snapshot(classes)
        embedder, report = self.embed_missing()
        rows = self.training_rows(snapshot, classes)
        base_result: dict[str, Any] = {
            "embedder": embedder.key,
            "embedded": report.embedded,
            "embed_failed": report.failed,
            "snapshot_hash": snapshot.hash,
            "dataset_snapshot_id": self.dataset_snapshot_id,
            "train_label_counts": {name: rows.counts[name] for name in classes},
            "held_out_labels": int(rows.held_out.sum()),
        }
        if len(rows.enough) < 2:
            return self.cold_start_and_wait(embedder.key, rows, classes, base_result)
        fit = self.fit(snapshot, rows, classes, embedder.key)
        base_result["sampling"] = self.choose_strategy(snapshot, rows, classes, embedder.key)
        evaluation = self.evaluate(snapshot, rows, fit, embedder.key, base_result)
        model_embedder_key = embedder.key
        if self.project.few_shot_enabled and self.project.data_type == DataType.TEXT:
            fit, evaluation, model_embedder_key = self.few_shot(
                snapshot, rows, classes, fit, evaluation, embedder.key
            )
        version = self.register(fit, model_embedder_key, snapshot, evaluation)
        self.evaluate_in_full(version, fit, evaluation)
        promotion = promotion_decide(
            project=self.project,
            version=version,
            classes=classes,
            x_held=evaluation.x_held,
            y_held=evaluation.y_held,
            held_out_ids=evaluation.held_out_ids,
        )
        # The pool is scored by the model that will serve when this run ends (by the new one
        # when it goes to shadow with no comparable production model to score with).
        serving_version, serving = (
            (version, fit.classifier)
            if promotion.promote or promotion.production is None
            else promotion.production
        )
        # Each model scores the pool's vectors from its own embedder.
        scoring = self.score_pool(
            serving_version.embedder,
            serving,
            serving_version,
            strategy=base_result["sampling"]["arm"],
        )
        return self.finish(
            version=version,
            metrics=evaluation.metrics,
            promotion=promotion,
            serving_version=serving_version,
            scoring=scoring,
            base_result=base_result,
        )

    # --- the steps ---------------------------------------------------------------------------

    def snapshot(self, classes: list[str]) -> Snapshot:
        """The labels this run learns from, frozen as a dataset snapshot (a new one, or the
        project's newest when it is identical): the model version links to it."""
        self.step("snapshot", 0.0)
        dataset, snapshot = training_snapshot_cut(
            project=self.project,
            classes=classes,
            job_id=self.job.pk,
            requested_by=self.job.requested_by,
        )
        self.dataset_snapshot_id = dataset.pk
        return snapshot

    def embed_missing(self) -> tuple[Embedder, EmbedReport]:
        """Vectors for every item: shared with the project's running embedding job (never
        embedding its items beside it), then the few it did not cover (items newer than it).

        While that job is still on the exact vectors after its fast first pass, the run trains
        on the fast pass's vectors instead of waiting (the job asks for a run on the exact
        ones when it ends)."""
        self.step("embed", 0.05)
        embedder = training_embedder(project=self.project)
        if embedder.key != project_embedder(project=self.project).key:
            return embedder, items_embed_missing(
                project=self.project,
                embedder=embedder,
                on_progress=self.progress_within("embed", 0.05, 0.5),
            )
        joined = embedding_job_join(
            project=self.project,
            embedder=embedder,
            on_progress=self.progress_within("embed", 0.05, 0.4),
        )
        report = items_embed_missing(
            project=self.project,
            embedder=embedder,
            on_progress=self.progress_within("embed", 0.4 if joined else 0.05, 0.5),
        )
        if joined is not None:
            report.embedded += joined.embedded
            report.failed += joined.failed
            report.errors = [*joined.errors, *report.errors][:20]
        return embedder, report

    def training_rows(self, snapshot: Snapshot, classes: list[str]) -> _TrainingRows:
        project = self.project
        # While auto-labeling is on, audit items are held back from training: the precision
        # estimate is only honest on items the model has not learned from.
        train = snapshot.splits == Split.TRAIN
        if project.auto_label_enabled:
            train &= ~snapshot.is_audit
        held_out = np.isin(snapshot.splits, HELD_OUT_SPLITS) & snapshot.human
        counts = class_counts([snapshot.labels[i] for i in np.flatnonzero(train)])
        enough = [name for name in classes if counts[name] >= project.min_labels_per_class]
        return _TrainingRows(train=train, held_out=held_out, counts=counts, enough=enough)

    def cold_start_and_wait(
        self,
        embedder_key: str,
        rows: _TrainingRows,
        classes: list[str],
        base_result: dict[str, Any],
    ) -> TrainingJob | None:
        """Too few labels to train: order the pool by diversity and say what is missing."""
        self.step("cold_start", 0.6)
        pool_cold_start(
            project=self.project,
            embedder_key=embedder_key,
            seed=self.seed,
            on_progress=self.progress_within("cold_start", 0.6, 0.95),
        )
        self.step("done", 1.0)
        return training_job_wait(
            job_id=self.job.pk,
            message=waiting_message(
                counts=rows.counts, classes=classes, minimum=self.project.min_labels_per_class
            ),
            result={**base_result, "timings": self.timings},
        )

    def fit(
        self, snapshot: Snapshot, rows: _TrainingRows, classes: list[str], embedder_key: str
    ) -> _Fit:
        from models_app.ml.classifiers.fit import fit_classifier

        x_train, y_train, kept = self._matrix(snapshot, rows.train, embedder_key)
        self.step("fit", 0.5)
        classifier = fit_classifier(
            x_train, y_train, classes=classes, task_type=self.project.task_type, seed=0
        )
        sources = Counter(str(source) for source in snapshot.sources[kept])
        return _Fit(
            classifier=classifier,
            train_n=len(y_train),
            human_n=int(snapshot.human[kept].sum()),
            source_counts={source.value: sources[source.value] for source in TRAIN_SOURCE_ORDER}
            | dict(sources),
        )

    def choose_strategy(
        self, snapshot: Snapshot, rows: _TrainingRows, classes: list[str], embedder_key: str
    ) -> dict[str, Any]:
        """The order this run gives the queue: the project's ``sampling_strategy``, or for
        ``adaptive`` the arm (hybrid, entropy, random) whose replay on the training labels
        gives the best ROC AUC on the dev split's human labels (``models_app.ml.adaptive``).
        Returned as ``{"setting", "arm"}``, plus ``reason``, ``scores``, ``labels`` and
        ``dev_labels`` for ``adaptive``; kept in the job's result and the version's metrics."""
        setting = str(self.project.sampling_strategy)
        if setting != SamplingStrategy.ADAPTIVE:
            return {"setting": setting, "arm": setting}
        from models_app.ml.adaptive import choose_arm

        self.step("strategy", 0.58)
        # Only people's labels of the dev split: the test split stays untouched by choices.
        dev = (snapshot.splits == Split.DEV) & snapshot.human
        x_train, y_train, _ = self._matrix(snapshot, rows.train, embedder_key)
        x_dev, y_dev, _ = self._matrix(snapshot, dev, embedder_key)
        train_idx, dev_idx = _class_indices(y_train, classes), _class_indices(y_dev, classes)
        choice = choose_arm(
            x_train[train_idx >= 0],
            train_idx[train_idx >= 0],
            x_dev[dev_idx >= 0],
            dev_idx[dev_idx >= 0],
            seed=self.seed,
            task_type=str(self.project.task_type),
        )
        return {"setting": setting, **choice.as_dict()}

    def evaluate(
        self,
        snapshot: Snapshot,
        rows: _TrainingRows,
        fit: _Fit,
        embedder_key: str,
        base_result: dict[str, Any],
    ) -> _Evaluation:
        self.step("evaluate", 0.6)
        x_held, y_held, kept = self._matrix(snapshot, rows.held_out, embedder_key)
        metrics = held_out_evaluate(fit.classifier, x_held, y_held)
        metrics["train_label_counts"] = base_result["train_label_counts"]
        metrics["train_n"] = fit.train_n
        metrics["train_source_counts"] = fit.source_counts
        metrics["sampling"] = base_result["sampling"]
        return _Evaluation(
            metrics=metrics,
            x_held=x_held,
            y_held=y_held,
            held_out_ids=[int(i) for i in snapshot.item_ids[kept]],
        )

    def few_shot(
        self,
        snapshot: Snapshot,
        rows: _TrainingRows,
        classes: list[str],
        fit: _Fit,
        evaluation: _Evaluation,
        embedder_key: str,
    ) -> tuple[_Fit, _Evaluation, str]:
        """The few-shot model (``models_app.ml.fewshot``): the packaged MiniLM fine-tuned on
        pairs of the training labels within the project's budget, then a logistic-regression
        head on its vectors. It replaces the logistic-regression model of this run only when
        its held-out ROC AUC, on the same items, is higher; then every item of the project
        gets a vector from the fine-tuned encoder (the pool is scored with them). Either way
        the comparison is kept in the metrics (``few_shot``)."""
        from models_app.ml import fewshot
        from models_app.ml.classifiers.fit import NotEnoughLabels
        from models_app.ml.embedders.base import EmbedderUnavailable

        project = self.project
        self.step("few_shot", 0.61)
        budget = int(project.few_shot_budget_seconds)
        record: dict[str, Any] = {"budget_seconds": budget, "kept": False}
        evaluation.metrics["few_shot"] = record
        unchanged = (fit, evaluation, embedder_key)
        lr_auc = evaluation.metrics.get("roc_auc")
        record["roc_auc_logistic_regression"] = lr_auc
        if lr_auc is None or not evaluation.held_out_ids:
            record["reason"] = "no held-out labels to compare it with the logistic regression"
            return unchanged
        items = Item.objects.filter(project=project).count()
        if items > FEW_SHOT_MAX_ITEMS:
            record["reason"] = (
                f"the project has {items:,} items, more than the {FEW_SHOT_MAX_ITEMS:,} a "
                "training run can embed again with a fine-tuned encoder"
            )
            return unchanged
        train_rows, texts = self._texts(snapshot, rows.train)
        try:
            model = fewshot.fit_few_shot(
                texts,
                [snapshot.labels[i] for i in train_rows],
                classes=classes,
                task_type=str(project.task_type),
                budget_seconds=budget,
                seed=self.seed,
                # One thread per worker process (one process per core): two threads on a
                # core another process also uses made each step about four times slower.
                threads=1,
            )
        except (NotEnoughLabels, EmbedderUnavailable) as exc:
            record["reason"] = str(exc)
            return unchanged
        record["training"] = model.training
        key = model.embedder.key
        self.step("few_shot_evaluate", 0.63)
        items_embed_missing(
            project=project, embedder=model.embedder, item_ids=np.asarray(evaluation.held_out_ids)
        )
        found, x_held = embedding_matrix(
            owner=self.owner, embedder=key, object_ids=evaluation.held_out_ids
        )
        by_id = dict(zip(evaluation.held_out_ids, evaluation.y_held, strict=True))
        y_held = [by_id[int(item_id)] for item_id in found]
        metrics = held_out_evaluate(model.head, x_held, y_held)
        auc = metrics.get("roc_auc")
        record["roc_auc"] = auc
        if len(found) != len(evaluation.held_out_ids):
            # Texts missing for some held-out items: compare on the items both read.
            kept = np.isin(evaluation.held_out_ids, found)
            lr_auc = held_out_evaluate(fit.classifier, evaluation.x_held[kept], y_held).get(
                "roc_auc"
            )
            record["roc_auc_logistic_regression_same_items"] = lr_auc
        if auc is None or lr_auc is None or auc <= lr_auc:
            record["reason"] = (
                f"held-out ROC AUC {_auc(auc)} does not beat the logistic regression's "
                f"{_auc(lr_auc)}"
            )
            embedding_delete(owner=self.owner, embedders=[key])
            return unchanged
        record.update(
            kept=True,
            reason=f"held-out ROC AUC {_auc(auc)} beats the logistic regression's {_auc(lr_auc)}",
        )
        self.step("few_shot_embed", 0.64)
        items_embed_missing(
            project=project,
            embedder=model.embedder,
            on_progress=self.progress_within("few_shot_embed", 0.64, 0.69),
        )
        for name in ("train_label_counts", "train_n", "train_source_counts", "sampling"):
            metrics[name] = evaluation.metrics[name]
        metrics["few_shot"] = record
        few_shot_fit = _Fit(
            classifier=model.head,
            train_n=len(train_rows),
            human_n=int(snapshot.human[train_rows].sum()),
            source_counts=fit.source_counts,
            algorithm=fewshot.ALGORITHM,
            hyperparameters={**model.head.hyperparameters, "few_shot": model.training},
            artifact=model.to_bytes(),
        )
        return (
            few_shot_fit,
            _Evaluation(
                metrics=metrics,
                x_held=x_held,
                y_held=y_held,
                held_out_ids=[int(i) for i in found],
            ),
            key,
        )

    def register(
        self, fit: _Fit, embedder_key: str, snapshot: Snapshot, evaluation: _Evaluation
    ) -> ModelVersion:
        self.step("register", 0.65)
        classifier = fit.classifier
        return model_version_register(
            owner=self.owner,
            algorithm=fit.algorithm or classifier.algorithm,
            embedder=embedder_key,
            snapshot_id=dataset_snapshot_key(self.dataset_snapshot_id),
            snapshot_hash=snapshot.hash,
            label_count=int(fit.human_n),
            hyperparameters=dict(fit.hyperparameters or classifier.hyperparameters),
            metrics=evaluation.metrics,
            artifact=fit.artifact if fit.artifact is not None else classifier.to_bytes(),
            held_out={"object_ids": evaluation.held_out_ids, "labels": evaluation.y_held},
            created_by=self.job.requested_by,
        )

    def evaluate_in_full(self, version: ModelVersion, fit: _Fit, evaluation: _Evaluation) -> None:
        """The version's full evaluation (per class, calibration, PR curves, operating points,
        slices), kept on it (``labeling.services.evaluation``)."""
        from labeling.services.evaluation import version_evaluation_store

        self.step("evaluate_slices", 0.66)
        version_evaluation_store(
            project=self.project,
            version=version,
            classifier=fit.classifier,
            x_held=evaluation.x_held,
            labels=evaluation.y_held,
            item_ids=evaluation.held_out_ids,
            progress=self.progress_within("evaluate_slices", 0.66, 0.69),
        )

    def score_pool(
        self,
        embedder_key: str,
        serving: TrainedClassifier,
        serving_version: ModelVersion,
        *,
        strategy: str,
    ) -> _Scoring:
        """Predict the whole pool with the serving model, extend the audit sample, plan the
        automatic labels and write the queue's new order."""
        project = self.project
        self.step("score", 0.7)
        pool = pool_load(project=project, embedder_key=embedder_key)
        predictions = predictions_from(predict_in_chunks(serving, pool.embeddings))
        now_classes = set(self.current_classes())
        removed = sorted(set(serving.classes) - now_classes)
        newly_audited = np.zeros(len(pool), dtype=bool)
        plan = None
        if project.auto_label_enabled:
            newly_audited = audit_sample_extend(pool=pool, rate=project.audit_rate, seed=self.seed)
            plan = auto_label_plan(
                project=project,
                classifier=serving,
                embedder_key=embedder_key,
                pool=pool,
                predictions=predictions,
                current_classes=now_classes,
                model_version_number=serving_version.version,
            )
        scored = self._write_scores(
            pool, predictions, serving, serving_version, now_classes, newly_audited, strategy
        )
        return _Scoring(
            pool=pool,
            scored=scored,
            newly_audited=newly_audited,
            removed_classes=removed,
            auto_label_plan=plan,
        )

    def finish(
        self,
        *,
        version: ModelVersion,
        metrics: dict[str, Any],
        promotion: Promotion,
        serving_version: ModelVersion,
        scoring: _Scoring,
        base_result: dict[str, Any],
    ) -> TrainingJob | None:
        """Promote (or shadow) the new version, add the automatic labels and mark the job done,
        in one transaction; then take labeled items out of the queue's order."""
        project = self.project
        comparison = promotion.comparison
        removed = scoring.removed_classes
        self.step("finish", 0.97)
        result = {
            **base_result,
            "promotion": comparison,
            "pool": len(scoring.pool),
            "pool_unembedded": scoring.pool.unembedded,
            "scored": scoring.scored,
            "newly_audited": int(scoring.newly_audited.sum()),
            "removed_classes": removed,
        }
        messages = [
            self._summary(
                version,
                metrics,
                promotion.promote,
                serving_version,
                len(scoring.pool),
                shadow_beside=(
                    comparison.get("production_version", 0) if promotion.shadow else None
                ),
                comparison=comparison,
            )
        ]
        messages.append(_few_shot_sentence(metrics.get("few_shot")))
        if removed:
            messages.append(
                f"Label classes changed during the run ({', '.join(removed)} removed): "
                "predictions of removed classes were not written, and another run follows."
            )
            training_job_request_rerun(job_id=self.job.pk)
        with transaction.atomic():
            model_version_promotion_record(version=version, promotion=comparison)
            if promotion.promote or promotion.shadow:
                model_version_stage_change(
                    project=project,
                    version=version,
                    stage=Stage.PRODUCTION if promotion.promote else Stage.SHADOW,
                    user=None,
                    reason=comparison["reason"],
                )
            plan = scoring.auto_label_plan
            if plan is not None:
                inserted = self._auto_labels_insert(plan, serving_version)
                result["auto_label"] = plan.estimate
                messages.append(
                    f"Auto-labeled {inserted:,} items."
                    if plan.estimate.get("threshold") is not None
                    else plan.estimate.get("message", "")
                )
            self.step("done", 1.0)
            result["timings"] = self.timings
            job = training_job_succeed(
                job_id=self.job.pk,
                model_version=version,
                message=" ".join(m for m in messages if m),
                result=result,
            )
        labeled_items_priority_reset(project_id=project.pk)
        self._fine_tuned_vectors_prune(keep=version.embedder)
        return job

    # --- pieces ------------------------------------------------------------------------------

    def _texts(self, snapshot: Snapshot, mask: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """The snapshot's rows in ``mask`` whose item has a text, and those texts."""
        rows = np.flatnonzero(mask)
        ids = [int(i) for i in snapshot.item_ids[rows]]
        texts: dict[int, str] = {
            item_id: text
            for item_id, text in Item.objects.filter(project=self.project, id__in=ids).values_list(
                "id", "text"
            )
            if text
        }
        kept = np.asarray([row for row, i in zip(rows, ids, strict=True) if i in texts], np.int64)
        return kept, [texts[int(snapshot.item_ids[row])] for row in kept]

    def _fine_tuned_vectors_prune(self, keep: str) -> None:
        """Forget the vectors of fine-tuned encoders no serving version reads (production,
        canary or shadow) other than ``keep``: each few-shot version has its own encoder, and
        a project's items embedded by every one of them would pile up."""
        from models_app.ml import fewshot

        keys = set(
            ModelVersion.objects.filter(owner=self.owner, algorithm=fewshot.ALGORITHM)
            .exclude(stage__in=[Stage.PRODUCTION, Stage.CANARY, Stage.SHADOW])
            .exclude(embedder=keep)
            .values_list("embedder", flat=True)
        ) - set(
            ModelVersion.objects.filter(
                owner=self.owner, stage__in=[Stage.PRODUCTION, Stage.CANARY, Stage.SHADOW]
            ).values_list("embedder", flat=True)
        )
        if keys:
            embedding_delete(owner=self.owner, embedders=sorted(keys))

    def _matrix(
        self, snapshot: Snapshot, mask: np.ndarray, embedder_key: str
    ) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
        """Embeddings and labels of the snapshot's rows in ``mask`` that have a vector, and
        which rows of the snapshot those are."""
        ids = snapshot.item_ids[mask]
        rows = np.flatnonzero(mask)
        found, matrix = embedding_matrix(owner=self.owner, embedder=embedder_key, object_ids=ids)
        keep = rows[np.isin(ids, found)]
        labels = [snapshot.labels[i] for i in keep]
        return matrix, labels, keep

    def _auto_labels_insert(self, plan: AutoLabelPlan, serving_version: ModelVersion) -> int:
        """Add the planned automatic labels (source ``auto``); returns how many were added."""
        inserted = 0
        if plan.rows:
            inserted = auto_annotations_insert(
                project_id=self.project.pk,
                rows=plan.rows,
                model_version_id=serving_version.pk,
                now=timezone.now(),
            )
        plan.estimate["auto_labeled"] = inserted
        return inserted

    def _write_scores(
        self,
        pool: Pool,
        predictions: Predictions,
        serving: TrainedClassifier,
        serving_version: ModelVersion,
        now_classes: set[str],
        newly_audited: np.ndarray,
        strategy: str,
    ) -> int:
        project = self.project
        order = queue_order(
            strategy=strategy,
            proba=predictions.proba,
            embeddings=pool.embeddings,
            seed=self.seed,
            task_type=project.task_type,
        )
        order = interleave_held_out(order=order, held_out=pool.held_out, seed=self.seed)
        if project.auto_label_enabled:
            order = interleave_audit(
                order=order, is_audit=pool.is_audit, rate=project.audit_rate, seed=self.seed
            )
        names = np.asarray(
            [name if name in now_classes else "" for name in serving.classes], dtype=object
        )
        values: dict[str, np.ndarray] = {
            "predicted_label": names[predictions.top],
            "confidence": predictions.confidence,
            "scored_by_id": np.full(len(pool), serving_version.pk, dtype=np.int64),
        }
        if project.auto_label_enabled:
            values["is_audit"] = pool.is_audit
        return pool_queue_write(
            project=project,
            pool=pool,
            order=order,
            values=values,
            also=newly_audited,
            on_progress=self.progress_within("score", 0.7, 0.95),
        )

    @staticmethod
    def _summary(
        version: ModelVersion,
        metrics: dict[str, Any],
        promoted: bool,
        serving: ModelVersion,
        pool_size: int,
        *,
        shadow_beside: int | None = None,
        comparison: dict[str, Any] | None = None,
    ) -> str:
        """``shadow_beside``: the version went to shadow beside this production version (0:
        none serves). ``comparison``: the promotion decision, whose reason a version kept out
        of production is given with."""
        auc = metrics.get("roc_auc")
        measured = (
            f"held-out ROC AUC {auc:.3f} on {metrics.get('n', 0)} items"
            if auc is not None
            else "no held-out labels to measure it (label items of the dev/test split)"
        )
        if promoted:
            where = "now in production"
        elif shadow_beside is not None:
            where = "in shadow (this project's new versions start in shadow); " + (
                f"version {shadow_beside} keeps serving"
                if shadow_beside
                else "no version serves until one is promoted"
            )
        else:
            comparison = comparison or {}
            current = comparison.get("production_version")
            where = f"kept as a candidate ({comparison.get('reason', 'not promoted')}); " + (
                f"version {current} keeps serving"
                if current
                else "no version serves until one is promoted"
            )
        return (
            f"Version {version.version} trained on {_labels_by_source(metrics)}: "
            f"{measured}; {where}. Rescored {pool_size:,} unlabeled items."
        )


def _few_shot_sentence(record: dict[str, Any] | None) -> str:
    """What the run's few-shot model did, for the job's message ("" when it was off)."""
    if not record:
        return ""
    if record.get("kept"):
        return (
            f"It is the few-shot model: its held-out ROC AUC {_auc(record.get('roc_auc'))} beat "
            f"the logistic regression's {_auc(record.get('roc_auc_logistic_regression'))}."
        )
    if record.get("roc_auc") is None:
        return f"The few-shot model was not trained: {record.get('reason', 'no reason given')}."
    return f"The few-shot model was not kept: {record.get('reason', '')}."


def _auc(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _class_indices(labels: list[list[str]], classes: list[str]) -> np.ndarray:
    """Each row's class as an index into ``classes`` (its first known name; -1: none)."""
    position = {name: i for i, name in enumerate(classes)}
    return np.asarray(
        [next((position[n] for n in row if n in position), -1) for row in labels], dtype=np.int64
    )


SOURCE_PHRASES: dict[str, str] = {
    AnnotationSource.IMPORT.value: "imported",
    AnnotationSource.HUMAN.value: "by annotators",
    AnnotationSource.MODERATION.value: "from moderation",
    AnnotationSource.APPEAL.value: "from appeals",
    AnnotationSource.AUTO.value: "automatic",
}


def _labels_by_source(metrics: dict[str, Any]) -> str:
    """ "328 labels (328 imported, 0 by annotators, 0 from moderation, 0 from appeals)"."""
    counts: dict[str, int] = metrics.get("train_source_counts") or {}
    parts = ", ".join(
        f"{count:,} {SOURCE_PHRASES.get(source, source)}" for source, count in counts.items()
    )
    return f"{metrics.get('train_n', 0):,} labels ({parts})"


def training_job_run(*, job_id: int) -> TrainingJob | None:
    """Run one training job to its end. Never raises: failures mark the job failed.

    Side effects: registers a model version (artifact in storage), may promote it, rewrites
    the pool's predictions and priorities, may add automatic labels; when a trigger arrived
    meanwhile, queues one more run.
    """
    job = training_job_start(job_id=job_id, kind=JobKind.TRAIN)
    if job is None:
        return None
    project = project_for_owner(owner=job.owner)
    if project is None:
        return training_job_fail(job_id=job_id, error="The project was deleted.")
    try:
        job = _Run(job, project).run()
    except Exception as exc:
        logger.exception("training job %s failed", job_id)
        job = training_job_fail(job_id=job_id, error=describe_error(exc))
    job_rerun_if_requested(job=job, project=project)
    return job
