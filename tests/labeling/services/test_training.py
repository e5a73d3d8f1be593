"""Training runs as a user sees them: the job's status and message, the registry, the queue.

The fast ``hashing`` embedder stands in for MiniLM; the texts are synthetic two-class
messages (tests/factories/learning.py) where some items are clear and some are not.
"""

import random

import numpy as np
import pytest
from django.utils import timezone

from labeling.choices import AnnotationSource, Role, SamplingStrategy, TaskType
from labeling.models import Annotation, Item, LabelClass
from labeling.services import retraining
from labeling.services import training as training_services
from labeling.services.learning_jobs import project_training_request
from labeling.services.snapshots import training_snapshot
from labeling.services.training import training_job_run
from models_app.choices import JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion, TrainingJob
from models_app.selectors.registry import model_version_production
from tests.factories import ItemFactory, ProjectFactory, UserFactory
from tests.factories.learning import (
    give_labels,
    held_out_ids,
    make_corpus,
    train_ids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(embedder="hashing", retrain_every=0)


@pytest.fixture
def corpus(project):
    return make_corpus(project, 400, seed=1)


def train(project, **kwargs) -> TrainingJob:
    job = project_training_request(project=project, trigger=JobTrigger.MANUAL, **kwargs)
    finished = training_job_run(job_id=job.pk)
    assert finished is not None
    return finished


def label_train_and_held_out(project, truth, n_train=80):
    """People label ``n_train`` items of the train split and every held-out item."""
    train = train_ids(project, truth)[:n_train]
    give_labels(train, truth)
    give_labels(held_out_ids(project, truth), truth, source=AnnotationSource.IMPORT)
    return train


def pool(project):
    return Item.objects.filter(project=project, annotations__isnull=True)


# --- cold start ------------------------------------------------------------------------------


def test_one_class_only_waits_and_says_why(project, corpus):
    ham = [i for i in train_ids(project, corpus) if corpus[i] == "ham"][:12]
    give_labels(ham, "ham")

    job = train(project)

    assert job.status == JobStatus.WAITING
    assert "at least two classes" in job.message
    assert "only 'ham'" in job.message
    assert "ham 12" in job.message
    assert not ModelVersion.objects.exists()


def test_below_the_minimum_per_class_the_job_waits_with_the_counts(project, corpus):
    ids = train_ids(project, corpus)
    give_labels([i for i in ids if corpus[i] == "ham"][:9], "ham")
    give_labels([i for i in ids if corpus[i] == "spam"][:2], "spam")

    job = train(project)

    assert job.status == JobStatus.WAITING
    assert "5 labels each" in job.message
    assert "ham 9, spam 2" in job.message


def test_cold_start_queue_spreads_over_different_kinds_of_items(project):
    # Five topics of near-identical texts: a diverse first page shows several topics.
    topics = ["invoice payment overdue", "football match tonight", "recipe pasta garlic",
              "server outage alert", "birthday party cake"]  # fmt: skip
    for topic_number, topic in enumerate(topics):
        for copy in range(40):
            Item.objects.create(
                project=project,
                external_id=f"t{topic_number}-{copy}",
                text=f"{topic} {topic} note {copy}",
                content_hash=f"{topic_number}-{copy}",
            )

    job = train(project)

    assert job.status == JobStatus.WAITING
    first_page = list(pool(project).order_by("-priority", "id")[:5])
    assert all(item.priority > 0 for item in first_page)
    assert len({item.external_id.split("-")[0] for item in first_page}) >= 4
    assert not pool(project).filter(priority=0).exists()


# --- a model -----------------------------------------------------------------------------------


def test_two_classes_register_a_production_version_with_held_out_metrics(project, corpus):
    train_labeled = label_train_and_held_out(project, corpus)

    job = train(project)

    assert job.status == JobStatus.SUCCEEDED, job.error
    version = job.model_version
    assert version.stage == Stage.PRODUCTION
    assert version.version == 1
    assert version.label_count == len(train_labeled)
    assert version.embedder.startswith("hashing@")
    assert version.metrics["n"] == len(held_out_ids(project, corpus))
    assert version.metrics["roc_auc"] > 0.9
    assert set(version.metrics["f1_per_class"]) == {"ham", "spam"}
    assert version.artifact.name.endswith(".npz")
    assert "now in production" in job.message
    assert job.progress == 1.0


def test_rescoring_writes_predictions_and_puts_uncertain_items_first(project, corpus):
    # An uncertainty order, whatever arm ``adaptive`` (the default) would measure as best.
    project.sampling_strategy = SamplingStrategy.HYBRID
    project.save(update_fields=["sampling_strategy"])
    label_train_and_held_out(project, corpus)

    job = train(project)

    unlabeled = list(pool(project).values("predicted_label", "confidence", "priority", "scored_by"))
    assert unlabeled
    assert all(row["scored_by"] == job.model_version_id for row in unlabeled)
    assert {row["predicted_label"] for row in unlabeled} == {"ham", "spam"}
    assert all(row["priority"] > 0 for row in unlabeled)
    queue = sorted(unlabeled, key=lambda row: -row["priority"])
    top = np.mean([row["confidence"] for row in queue[:10]])
    rest = np.mean([row["confidence"] for row in queue[10:]])
    assert top < rest
    assert top < 0.85


def test_uncertainty_strategy_orders_the_queue_by_confidence(project, corpus):
    project.sampling_strategy = SamplingStrategy.UNCERTAINTY
    project.save()
    label_train_and_held_out(project, corpus)

    train(project)

    by_priority = list(
        pool(project).order_by("-priority", "id").values_list("confidence", flat=True)
    )
    assert by_priority == sorted(by_priority)
    assert job_sampling(project) == {"setting": "uncertainty", "arm": "uncertainty"}


def job_sampling(project) -> dict:
    return TrainingJob.objects.filter(owner=project.owner_key).latest("pk").result["sampling"]


def test_adaptive_records_which_arm_ordered_the_queue_and_why(project, corpus):
    assert project.sampling_strategy == SamplingStrategy.ADAPTIVE  # the default
    label_train_and_held_out(project, corpus)
    dev_labels = Item.objects.filter(project=project, split="dev", annotations__isnull=False)

    job = train(project)

    sampling = job.result["sampling"]
    assert sampling["setting"] == "adaptive"
    assert sampling["arm"] in {"hybrid", "entropy", "random"}
    assert (sampling["labels"], sampling["dev_labels"]) == (80, dev_labels.count())
    assert set(sampling["scores"]) == {"hybrid", "entropy", "random"}
    assert f"on {dev_labels.count()} dev labels" in sampling["reason"]
    assert job.model_version.metrics["sampling"] == sampling
    assert "strategy" in job.result["timings"]


def test_adaptive_keeps_hybrid_until_the_dev_split_has_labels(project, corpus):
    give_labels(train_ids(project, corpus)[:80], corpus)

    job = train(project)

    assert job.result["sampling"]["arm"] == "hybrid"
    assert "(0 dev labels)" in job.result["sampling"]["reason"]
    unlabeled = pool(project).order_by("-priority", "id").values_list("confidence", flat=True)
    assert np.mean(unlabeled[:10]) < np.mean(unlabeled[10:])  # uncertain items first


def test_labeled_items_leave_the_queue_order(project, corpus):
    label_train_and_held_out(project, corpus)
    train(project)
    top = pool(project).order_by("-priority").first()
    give_labels([top.pk], corpus)

    train(project)

    top.refresh_from_db()
    assert top.priority == 0


def test_snapshot_uses_the_latest_human_label_and_ignores_automatic_ones(project, corpus):
    item_id = train_ids(project, corpus)[0]
    give_labels([item_id], "ham")
    give_labels([item_id], "spam")
    give_labels([item_id], "ham", source=AnnotationSource.AUTO)
    auto_only = train_ids(project, corpus)[1]
    give_labels([auto_only], "spam", source=AnnotationSource.AUTO)

    snapshot = training_snapshot(project=project, classes=["ham", "spam"])

    assert dict(zip(snapshot.item_ids.tolist(), snapshot.labels, strict=True)) == {
        item_id: ["spam"]
    }


def test_projects_that_train_on_automatic_labels_include_them(project, corpus):
    project.train_on_auto_labels = True
    auto_only = train_ids(project, corpus)[1]
    give_labels([auto_only], "spam", source=AnnotationSource.AUTO)

    snapshot = training_snapshot(project=project, classes=["ham", "spam"])

    assert snapshot.item_ids.tolist() == [auto_only]
    assert snapshot.human.tolist() == [False]


# --- the registry stays safe -----------------------------------------------------------------


def test_failed_fit_leaves_the_production_model_serving(project, corpus, monkeypatch):
    label_train_and_held_out(project, corpus, n_train=60)
    first = train(project).model_version
    give_labels(train_ids(project, corpus)[60:120], corpus)
    scored_before = dict(pool(project).values_list("id", "scored_by"))

    def broken_fit(*args, **kwargs):
        raise RuntimeError("the solver ran out of memory")

    monkeypatch.setattr("models_app.ml.classifiers.fit.fit_classifier", broken_fit)
    job = train(project)

    assert job.status == JobStatus.FAILED
    assert job.error == "RuntimeError: the solver ran out of memory"
    assert job.model_version is None
    assert model_version_production(owner=project.owner_key) == first
    assert ModelVersion.objects.count() == 1
    assert dict(pool(project).values_list("id", "scored_by")) == scored_before


def test_a_run_stopped_by_its_time_limit_while_scoring_changes_nothing_that_serves(
    project, corpus, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    label_train_and_held_out(project, corpus, n_train=60)
    first = train(project).model_version
    give_labels(train_ids(project, corpus)[60:160], corpus)

    def time_is_up(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(training_services, "pool_queue_write", time_is_up)
    job = train(project)

    assert job.status == JobStatus.FAILED
    assert job.error.startswith("SoftTimeLimitExceeded")
    assert model_version_production(owner=project.owner_key) == first
    # The better model it trained is kept, as a candidate someone can promote.
    candidate = ModelVersion.objects.get(version=2)
    assert candidate.stage == Stage.CANDIDATE
    assert job.step == "score"


def test_lost_artifact_storage_fails_the_job_and_keeps_the_production_model(
    project, corpus, settings, tmp_path
):
    label_train_and_held_out(project, corpus, n_train=60)
    first = train(project).model_version
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("storage went away")
    settings.MEDIA_ROOT = str(blocker)

    job = train(project)

    assert job.status == JobStatus.FAILED
    assert job.error
    assert model_version_production(owner=project.owner_key).pk == first.pk
    assert ModelVersion.objects.count() == 1


def test_a_worse_model_stays_a_candidate_and_the_pool_keeps_the_better_ones_scores(project, corpus):
    train_labeled = label_train_and_held_out(project, corpus)
    first = train(project).model_version
    # Later, someone relabels every training item with the opposite class.
    flipped = {i: "spam" if corpus[i] == "ham" else "ham" for i in train_labeled}
    give_labels(train_labeled, flipped)

    job = train(project)

    second = job.model_version
    assert job.status == JobStatus.SUCCEEDED
    assert second.stage == Stage.CANDIDATE
    assert second.metrics["roc_auc"] < first.metrics["roc_auc"] - 0.01
    assert model_version_production(owner=project.owner_key) == first
    assert "kept as a candidate" in job.message
    assert job.result["promotion"]["promoted"] is False
    assert second.promotion["promoted"] is False
    assert "below production's" in second.promotion["reason"]
    assert second.promotion["reason"] in job.message
    assert set(pool(project).values_list("scored_by", flat=True)) == {first.pk}


def test_a_first_version_missing_a_class_is_not_promoted_and_says_why(project, corpus):
    # Every held-out label is the opposite of the truth: the version gets ham wrong there.
    train_ids_labeled = train_ids(project, corpus)[:80]
    give_labels(train_ids_labeled, corpus)
    flipped = {i: "spam" if corpus[i] == "ham" else "ham" for i in held_out_ids(project, corpus)}
    give_labels(list(flipped), flipped, source=AnnotationSource.IMPORT)

    job = train(project)

    version = job.model_version
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert version.metrics["f1_per_class"]["ham"] == 0.0
    assert version.stage == Stage.CANDIDATE
    assert model_version_production(owner=project.owner_key) is None
    assert version.promotion["promoted"] is False
    assert "ham" in version.promotion["zero_f1_classes"]
    assert version.promotion["reason"].startswith("held-out F1 is 0 for ham")
    assert "no version serves until one is promoted" in job.message


def test_a_version_missing_a_class_never_replaces_production(project, corpus, monkeypatch):
    label_train_and_held_out(project, corpus, n_train=60)
    first = train(project).model_version
    give_labels(train_ids(project, corpus)[60:160], corpus)
    # Its ROC AUC beats production's, but on the held-out items it never predicts spam.
    real_evaluate = training_services._Run.evaluate

    def spam_never_found(self, *args, **kwargs):
        evaluation = real_evaluate(self, *args, **kwargs)
        evaluation.metrics["f1_per_class"]["spam"] = 0.0
        return evaluation

    monkeypatch.setattr(training_services._Run, "evaluate", spam_never_found)

    second = train(project).model_version

    assert second.stage == Stage.CANDIDATE
    assert model_version_production(owner=project.owner_key) == first
    assert second.promotion["zero_f1_classes"] == ["spam"]
    assert second.promotion["reason"].startswith("held-out F1 is 0 for spam")


def test_a_model_as_good_as_production_replaces_it(project, corpus):
    label_train_and_held_out(project, corpus, n_train=60)
    first = train(project).model_version
    give_labels(train_ids(project, corpus)[60:160], corpus)

    second = train(project).model_version

    first.refresh_from_db()
    assert second.stage == Stage.PRODUCTION
    assert first.stage == Stage.ARCHIVED
    assert second.label_count > first.label_count


# --- things changing under a running job -------------------------------------------------------


def test_label_class_renamed_during_a_run_does_not_crash_it(project, corpus, monkeypatch):
    label_train_and_held_out(project, corpus)
    from models_app.ml.classifiers import fit

    real_fit = fit.fit_classifier

    def fit_while_the_class_list_changes(*args, **kwargs):
        # The settings page refuses to rename a class that labels use (tests/labeling/api/
        # test_project_settings.py), but the class list can still change under a run by other
        # means (a database edit, a merge of classes); the run must survive it.
        LabelClass.objects.filter(project=project, name="spam").update(name="junk")
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(fit, "fit_classifier", fit_while_the_class_list_changes)
    job = train(project)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert "spam removed" in job.message
    assert job.rerun_requested
    assert not pool(project).filter(predicted_label="spam").exists()
    assert pool(project).filter(predicted_label="ham").exists()


def test_items_deleted_while_the_pool_is_scored_are_skipped(project, corpus, monkeypatch):
    label_train_and_held_out(project, corpus)
    doomed = list(pool(project).values_list("id", flat=True)[:25])
    real_predictions = training_services.predictions_from

    def predictions_while_items_are_deleted(proba):
        Item.objects.filter(pk__in=doomed).delete()
        return real_predictions(proba)

    monkeypatch.setattr(training_services, "predictions_from", predictions_while_items_are_deleted)
    job = train(project)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["scored"] == job.result["pool"] - len(doomed)
    assert not pool(project).filter(scored_by__isnull=True).exists()


def test_a_trigger_during_a_run_queues_one_more_run(
    project, corpus, monkeypatch, django_capture_on_commit_callbacks
):
    label_train_and_held_out(project, corpus)
    from models_app.ml.classifiers import fit

    real_fit = fit.fit_classifier

    def fit_while_someone_presses_train(*args, **kwargs):
        again = project_training_request(project=project, trigger=JobTrigger.MANUAL)
        assert again.status == JobStatus.RUNNING
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(fit, "fit_classifier", fit_while_someone_presses_train)
    with django_capture_on_commit_callbacks() as queued:
        job = train(project)

    assert job.status == JobStatus.SUCCEEDED
    assert (
        TrainingJob.objects.filter(status=JobStatus.QUEUED, trigger=JobTrigger.RERUN).count() == 1
    )
    assert len(queued) == 2  # the first run's task, then the rerun's


def test_a_project_with_every_item_labeled_trains_and_scores_nothing(project):
    truth = make_corpus(project, 120, seed=9)
    give_labels(list(truth), truth)

    job = train(project)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.result["pool"], job.result["scored"]) == (0, 0)
    assert "Rescored 0 unlabeled items" in job.message


# --- bad input ---------------------------------------------------------------------------------


def test_empty_whitespace_and_one_megabyte_texts_are_embedded_and_scored(project, corpus):
    label_train_and_held_out(project, corpus)
    odd = [
        Item.objects.create(project=project, external_id=name, text=text, content_hash=name)
        for name, text in [
            ("empty", ""),
            ("blank", "   \n\t  "),
            ("huge", "free prize call now " * 52_500),  # ~1 MB
        ]
    ]

    job = train(project)

    assert job.status == JobStatus.SUCCEEDED, job.error
    for item in odd:
        item.refresh_from_db()
        assert item.scored_by_id == job.model_version_id
        assert 0.0 <= item.confidence <= 1.0
    assert Item.objects.get(external_id="huge").predicted_label == "spam"


def test_an_embedder_that_cannot_load_fails_the_job_naming_the_package(
    project, corpus, monkeypatch
):
    from models_app.ml.embedders import base, registry

    def unavailable(name):
        raise base.EmbedderUnavailable(
            "the 'minilm' embedder needs sentence-transformers: pip install sentence-transformers"
        )

    label_train_and_held_out(project, corpus)
    monkeypatch.setattr(registry, "get_embedder", unavailable)

    job = train(project)

    assert job.status == JobStatus.FAILED
    assert "pip install sentence-transformers" in job.error


# --- triggers ----------------------------------------------------------------------------------


def test_every_n_human_labels_request_training(
    api, project, corpus, django_capture_on_commit_callbacks
):
    project.retrain_every = 5
    project.save()
    annotator = UserFactory()
    project.memberships.create(user=annotator, role=Role.ANNOTATOR)
    client = api.as_user(annotator)
    ids = train_ids(project, corpus)

    def label(item_id):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/v1/projects/{project.pk}/items/{item_id}/annotations/",
                {"labels": [corpus[item_id]]},
            )
        assert response.status_code == 201, response.json()

    for item_id in ids[:4]:
        label(item_id)
    assert not TrainingJob.objects.exists()
    label(ids[4])

    # Celery runs eagerly in tests: the requested run has already happened.
    job = TrainingJob.objects.get()
    assert job.trigger == JobTrigger.LABELS
    assert job.status == JobStatus.WAITING  # five labels are not five of each class
    for item_id in ids[5:9]:
        label(item_id)
    assert TrainingJob.objects.count() == 1


def test_imported_labels_do_not_count_towards_the_label_trigger(project, corpus):
    project.retrain_every = 5
    project.save()
    give_labels(train_ids(project, corpus)[:50], corpus, source=AnnotationSource.IMPORT)

    assert retraining.project_retrain_if_due(project_id=project.pk) is None


def test_while_a_run_waits_for_labels_fewer_new_labels_try_again(project, corpus):
    project.retrain_every = 50
    project.save()
    ids = train_ids(project, corpus)
    give_labels([i for i in ids if corpus[i] == "ham"][:6], "ham")
    assert train(project).status == JobStatus.WAITING

    give_labels([i for i in ids if corpus[i] == "spam"][:5], "spam")

    job = retraining.project_retrain_if_due(project_id=project.pk)
    assert job is not None
    assert job.status == JobStatus.QUEUED


def test_schedule_requests_training_only_for_projects_with_new_labels(project, corpus):
    quiet = ProjectFactory(embedder="hashing")
    switched_off = ProjectFactory(embedder="hashing", retrain_every=0)
    project.retrain_every = 50
    project.save()
    give_labels(train_ids(project, corpus)[:3], corpus)
    item = Item.objects.create(project=switched_off, external_id="x", text="x", content_hash="x")
    give_labels([item.pk], "ham")

    requested = retraining.training_scheduled_request()

    assert [TrainingJob.objects.get(pk=pk).owner for pk in requested] == [project.owner_key]
    # An hour later, nothing new was labeled: nothing is requested.
    assert retraining.training_scheduled_request() == []
    assert TrainingJob.objects.count() == 1
    assert not TrainingJob.objects.filter(owner=quiet.owner_key).exists()


def test_annotations_count_only_for_their_own_project(project, corpus):
    other = ProjectFactory(embedder="hashing", retrain_every=1)
    item = Item.objects.create(project=other, external_id="o", text="o", content_hash="o")
    give_labels(train_ids(project, corpus)[:10], corpus)

    assert retraining.project_retrain_if_due(project_id=other.pk) is None
    give_labels([item.pk], "ham")
    assert retraining.project_retrain_if_due(project_id=other.pk) is not None
    assert Annotation.objects.filter(item__project=other).count() == 1


# --- other task types --------------------------------------------------------------------------


def test_multiclass_project_trains_and_predicts_its_classes():
    project = ProjectFactory(
        embedder="hashing",
        retrain_every=0,
        task_type=TaskType.MULTICLASS,
        label_classes=["ham", "spam", "other"],
    )
    truth = make_corpus(project, 300, seed=5)
    extra = {}
    for n in range(60):
        item = Item.objects.create(
            project=project,
            external_id=f"other-{n}",
            text=f"quarterly report spreadsheet budget figures {n}",
            content_hash=f"other-{n}",
        )
        extra[item.pk] = "other"
    truth.update(extra)
    training = train_ids(project, truth)
    give_labels(
        [i for i in training if i not in extra][:100] + [i for i in training if i in extra][:20],
        truth,
    )
    give_labels(held_out_ids(project, truth), truth, source=AnnotationSource.IMPORT)

    job = train(project)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert set(job.model_version.metrics["f1_per_class"]) == {"ham", "spam", "other"}
    assert set(pool(project).values_list("predicted_label", flat=True)) <= {"ham", "spam", "other"}
    assert pool(project).filter(predicted_label="other").exists()


def test_multilabel_project_trains_on_label_sets():
    project = ProjectFactory(
        embedder="hashing",
        retrain_every=0,
        task_type=TaskType.MULTILABEL,
        label_classes=["money", "urgent", "social"],
    )
    words = {"money": "cash prize bank", "urgent": "now today asap", "social": "party mum friends"}
    rng = random.Random(3)
    labels = {}
    for n in range(300):
        chosen = sorted(rng.sample(list(words), rng.randint(1, 2)))
        item = ItemFactory(project=project, text=" ".join(words[c] for c in chosen) + f" m{n}")
        labels[item.pk] = chosen
    now = timezone.now()
    Annotation.objects.bulk_create(
        Annotation(item_id=i, labels=labels[i], source=AnnotationSource.HUMAN, created_at=now)
        for i in list(labels)[:200]
    )

    job = train(project)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.model_version.metrics["roc_auc"] > 0.9
    assert pool(project).exclude(predicted_label="").count() == pool(project).count()
