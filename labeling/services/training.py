"""The training run: snapshot → embed missing → fit → evaluate → register → rescore the pool.

A run never changes what serves until its very end: the new version is registered as a
candidate, the pool is rescored, and only then, in one transaction with the job's success
(and any automatic labels), is it promoted. A run that fails or is killed anywhere before that
leaves the production model, and the job says what went wrong.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from labeling.choices import Split
from labeling.models import Project
from labeling.selectors.learning import project_for_owner
from labeling.services.bulk import auto_annotations_insert, labeled_items_priority_reset
from labeling.services.embedding import describe_error, items_embed_missing, project_embedder
from labeling.services.learning_jobs import job_rerun_if_requested
from labeling.services.model_stages import model_version_stage_change
from labeling.services.scoring import (
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
from labeling.services.snapshots import Snapshot, class_counts, training_snapshot, waiting_message
from models_app.choices import JobKind, Stage
from models_app.models import ModelVersion, TrainingJob
from models_app.selectors.registry import model_version_production
from models_app.services.embeddings import embedding_matrix
from models_app.services.jobs import (
    training_job_fail,
    training_job_progress,
    training_job_request_rerun,
    training_job_start,
    training_job_succeed,
    training_job_wait,
)
from models_app.services.registry import model_version_artifact_bytes, model_version_register

if TYPE_CHECKING:
    from models_app.ml.classifiers.trained import TrainedClassifier

logger = logging.getLogger(__name__)

# A new version replaces production unless its held-out ROC AUC is worse by more than this.
PROMOTION_TOLERANCE = 0.01
HELD_OUT_SPLITS = (Split.DEV, Split.TEST)


# --- the run -------------------------------------------------------------------------------------


class _Run:
    def __init__(self, job: TrainingJob, project: Project):
        self.job = job
        self.project = project
        self.owner = project.owner_key
        self.seed = int(job.pk)
        self.timings: dict[str, float] = {}
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
        from models_app.ml.classifiers.fit import fit_classifier

        project = self.project
        classes = self.current_classes()
        self.step("snapshot", 0.0)
        snapshot = training_snapshot(project=project, classes=classes)

        self.step("embed", 0.05)
        embedder = project_embedder(project=project)
        report = items_embed_missing(
            project=project,
            embedder=embedder,
            on_progress=self.progress_within("embed", 0.05, 0.5),
        )

        # While auto-labeling is on, audit items are held back from training: the precision
        # estimate is only honest on items the model has not learned from.
        train = snapshot.splits == Split.TRAIN
        if project.auto_label_enabled:
            train &= ~snapshot.is_audit
        held_out = np.isin(snapshot.splits, HELD_OUT_SPLITS) & snapshot.human
        train_labels = [snapshot.labels[i] for i in np.flatnonzero(train)]
        counts = class_counts(train_labels)
        enough = [name for name in classes if counts[name] >= project.min_labels_per_class]
        base_result: dict[str, Any] = {
            "embedder": embedder.key,
            "embedded": report.embedded,
            "embed_failed": report.failed,
            "snapshot_hash": snapshot.hash,
            "train_label_counts": {name: counts[name] for name in classes},
            "held_out_labels": int(held_out.sum()),
        }
        if len(enough) < 2:
            self.step("cold_start", 0.6)
            pool_cold_start(
                project=project,
                embedder_key=embedder.key,
                seed=self.seed,
                on_progress=self.progress_within("cold_start", 0.6, 0.95),
            )
            self.step("done", 1.0)
            return training_job_wait(
                job_id=self.job.pk,
                message=waiting_message(
                    counts=counts, classes=classes, minimum=project.min_labels_per_class
                ),
                result={**base_result, "timings": self.timings},
            )

        x_train, y_train, human_train = self._matrix(snapshot, train, embedder.key, with_human=True)
        self.step("fit", 0.5)
        classifier = fit_classifier(
            x_train, y_train, classes=classes, task_type=project.task_type, seed=0
        )

        self.step("evaluate", 0.6)
        x_held, y_held, _ = self._matrix(snapshot, held_out, embedder.key)
        metrics = self._evaluate(classifier, x_held, y_held)
        metrics["train_label_counts"] = base_result["train_label_counts"]
        metrics["train_n"] = len(y_train)

        self.step("register", 0.65)
        version = model_version_register(
            owner=self.owner,
            algorithm=classifier.algorithm,
            embedder=embedder.key,
            snapshot_id=f"training-job-{self.job.pk}",
            snapshot_hash=snapshot.hash,
            label_count=int(human_train),
            hyperparameters=dict(classifier.hyperparameters),
            metrics=metrics,
            artifact=classifier.to_bytes(),
            created_by=self.job.requested_by,
        )
        promote, comparison, production = self._promotion(
            version=version, classifier=classifier, classes=classes, x_held=x_held, y_held=y_held
        )
        shadow = comparison.get("stage") == Stage.SHADOW
        # The pool is scored by the model that will serve when this run ends (by the new one
        # when it goes to shadow with no comparable production model to score with).
        serving_version, serving = (
            (version, classifier) if promote or production is None else production
        )

        self.step("score", 0.7)
        pool = pool_load(project=project, embedder_key=embedder.key)
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
                embedder_key=embedder.key,
                pool=pool,
                predictions=predictions,
                current_classes=now_classes,
                model_version_number=serving_version.version,
            )
        scored = self._write_scores(
            pool, predictions, serving, serving_version, now_classes, newly_audited
        )

        self.step("finish", 0.97)
        result = {
            **base_result,
            "promotion": comparison,
            "pool": len(pool),
            "pool_unembedded": pool.unembedded,
            "scored": scored,
            "newly_audited": int(newly_audited.sum()),
            "removed_classes": removed,
        }
        messages = [
            self._summary(
                version,
                metrics,
                promote,
                serving_version,
                len(pool),
                shadow_beside=comparison.get("production_version", 0) if shadow else None,
            )
        ]
        if removed:
            messages.append(
                f"Label classes changed during the run ({', '.join(removed)} removed): "
                "predictions of removed classes were not written, and another run follows."
            )
            training_job_request_rerun(job_id=self.job.pk)
        with transaction.atomic():
            if promote or shadow:
                model_version_stage_change(
                    project=project,
                    version=version,
                    stage=Stage.PRODUCTION if promote else Stage.SHADOW,
                    user=None,
                    reason=comparison["reason"],
                )
            if plan is not None:
                inserted = 0
                if plan.rows:
                    inserted = auto_annotations_insert(
                        project_id=project.pk,
                        rows=plan.rows,
                        model_version_id=serving_version.pk,
                        now=timezone.now(),
                    )
                plan.estimate["auto_labeled"] = inserted
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
        return job

    # --- pieces ------------------------------------------------------------------------------

    def _matrix(
        self, snapshot: Snapshot, mask: np.ndarray, embedder_key: str, *, with_human: bool = False
    ) -> tuple[np.ndarray, list[list[str]], int]:
        """Embeddings and labels of the snapshot's rows in ``mask`` that have a vector."""
        ids = snapshot.item_ids[mask]
        rows = np.flatnonzero(mask)
        found, matrix = embedding_matrix(owner=self.owner, embedder=embedder_key, object_ids=ids)
        keep = rows[np.isin(ids, found)]
        labels = [snapshot.labels[i] for i in keep]
        human = int(snapshot.human[keep].sum()) if with_human else 0
        return matrix, labels, human

    def _evaluate(
        self, classifier: TrainedClassifier, x_held: np.ndarray, y_held: list[list[str]]
    ) -> dict[str, Any]:
        from models_app.ml.metrics import evaluate

        if not y_held:
            return {
                "n": 0,
                "roc_auc": None,
                "f1_macro": None,
                "f1_per_class": {},
                "accuracy": None,
                "ece": None,
                "label_counts": {},
            }
        proba = predict_in_chunks(classifier, x_held)
        return evaluate(
            proba,
            y_held,
            classes=classifier.classes,
            task_type=classifier.task_type,
        )

    def _promotion(
        self,
        *,
        version: ModelVersion,
        classifier: TrainedClassifier,
        classes: list[str],
        x_held: np.ndarray,
        y_held: list[list[str]],
    ) -> tuple[bool, dict[str, Any], tuple[ModelVersion, TrainedClassifier] | None]:
        """Whether the new version should serve, why, and the production model it was compared
        with (both measured on the same held-out items).

        When the project says new versions start in shadow, none serves by itself: the
        comparison is kept (``would_promote``) for the people who promote it, and the version
        goes to shadow (``stage``) while production stays.
        """
        promote, info, serving = self._compare(
            version=version, classifier=classifier, classes=classes, x_held=x_held, y_held=y_held
        )
        if not self.project.new_versions_start_in_shadow:
            return promote, info, serving
        info = {
            **info,
            "promoted": False,
            "would_promote": promote,
            "stage": Stage.SHADOW,
            "reason": f"new versions of this project start in shadow ({info['reason']})",
        }
        return False, info, serving

    def _compare(
        self,
        *,
        version: ModelVersion,
        classifier: TrainedClassifier,
        classes: list[str],
        x_held: np.ndarray,
        y_held: list[list[str]],
    ) -> tuple[bool, dict[str, Any], tuple[ModelVersion, TrainedClassifier] | None]:
        """The automatic decision: serve unless held-out ROC AUC is clearly worse."""
        from models_app.ml.classifiers.trained import TrainedClassifier

        production = model_version_production(owner=self.owner)
        new_auc = version.metrics.get("roc_auc")
        info: dict[str, Any] = {"roc_auc": new_auc}
        if production is None:
            return True, {**info, "promoted": True, "reason": "no production model yet"}, None
        info["production_version"] = production.version
        if production.embedder != version.embedder:
            reason = f"the production model reads {production.embedder} vectors"
            return True, {**info, "promoted": True, "reason": reason}, None
        try:
            current = TrainedClassifier.from_bytes(model_version_artifact_bytes(version=production))
        except (ApplicationError, OSError, ValueError, KeyError) as exc:
            reason = f"the production model cannot be loaded ({exc})"
            return True, {**info, "promoted": True, "reason": reason}, None
        if list(current.classes) != list(classes):
            return True, {**info, "promoted": True, "reason": "the label classes changed"}, None
        production_auc = self._evaluate(current, x_held, y_held).get("roc_auc") if y_held else None
        info["production_roc_auc"] = production_auc
        serving = (production, current)
        if production_auc is None:
            reason = "no held-out ROC AUC to compare"
            return True, {**info, "promoted": True, "reason": reason}, serving
        if new_auc is None or new_auc < production_auc - PROMOTION_TOLERANCE:
            reason = (
                f"held-out ROC AUC {new_auc if new_auc is not None else 'n/a'} is more than "
                f"{PROMOTION_TOLERANCE} below production's {production_auc:.4f}"
            )
            return False, {**info, "promoted": False, "reason": reason}, serving
        reason = "held-out ROC AUC is not worse"
        return True, {**info, "promoted": True, "reason": reason}, serving

    def _write_scores(
        self,
        pool: Pool,
        predictions: Predictions,
        serving: TrainedClassifier,
        serving_version: ModelVersion,
        now_classes: set[str],
        newly_audited: np.ndarray,
    ) -> int:
        project = self.project
        order = queue_order(
            strategy=project.sampling_strategy,
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
    ) -> str:
        """``shadow_beside``: the version went to shadow beside this production version (0:
        none serves)."""
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
            where = f"kept as a candidate; version {serving.version} keeps serving"
        return (
            f"Version {version.version} trained on {version.label_count:,} human labels: "
            f"{measured}; {where}. Rescored {pool_size:,} unlabeled items."
        )


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
