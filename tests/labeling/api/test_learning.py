"""The active-learning API as a client sees it: settings, labels, jobs, versions, the curve."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.choices import AnnotationSource, DataType, Role, SamplingStrategy, TaskType
from labeling.models import Annotation
from labeling.services.training import training_job_run
from models_app.choices import JobKind, JobStatus, Stage
from models_app.models import TrainingJob
from tests.factories import ItemFactory, ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(embedder="hashing", retrain_every=0)


@pytest.fixture
def engineer(api, project, make_member):
    return api.as_user(make_member(Role.ML_ENGINEER))


@pytest.fixture
def corpus(project):
    truth = make_corpus(project, 300, seed=3)
    give_labels(train_ids(project, truth)[:60], truth)
    give_labels(held_out_ids(project, truth), truth, source=AnnotationSource.IMPORT)
    return truth


def url(project, path=""):
    return f"/api/v1/projects/{project.pk}/{path}"


def run_training(client, project) -> dict:
    """Start a job through the API and run it here (a worker would, after commit)."""
    response = client.post(url(project, "training-jobs/"), {}, format="json")
    assert response.status_code == 202, response.json()
    training_job_run(job_id=response.json()["id"])
    return client.get(url(project, f"training-jobs/{response.json()['id']}/")).json()


# --- project settings --------------------------------------------------------------------------


def test_project_shows_its_learning_settings_with_defaults(api, make_member):
    project = ProjectFactory()
    client = api.as_user(make_member(Role.ANNOTATOR, proj=project))

    body = client.get(url(project)).json()

    assert {key: body[key] for key in (
        "sampling_strategy", "embedder", "retrain_every", "min_labels_per_class",
        "auto_label_enabled", "auto_label_target_precision", "audit_rate", "train_on_auto_labels",
    )} == {
        "sampling_strategy": "adaptive", "embedder": "", "retrain_every": 50,
        "min_labels_per_class": 5, "auto_label_enabled": False,
        "auto_label_target_precision": 0.95, "audit_rate": 0.05, "train_on_auto_labels": False,
    }  # fmt: skip


def test_admin_changes_learning_settings(api, project, make_member):
    client = api.as_user(make_member(Role.ADMIN))
    changes = {
        "sampling_strategy": SamplingStrategy.MARGIN,
        "embedder": "hashing",
        "retrain_every": 0,
        "auto_label_enabled": True,
        "auto_label_target_precision": 0.98,
        "audit_rate": 0.1,
    }

    response = client.patch(url(project), changes, format="json")

    assert response.status_code == 200, response.json()
    assert {key: response.json()[key] for key in changes} == changes
    project.refresh_from_db()
    assert (project.sampling_strategy, project.audit_rate) == ("margin", 0.1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"embedder": "pixels"}, "reads image; this is a text project"),
        ({"embedder": "word2vec"}, "embedder"),
        ({"audit_rate": 0.9}, "audit_rate"),
        ({"auto_label_target_precision": 1.0}, "auto_label_target_precision"),
        ({"retrain_every": -1}, "retrain_every"),
        ({"sampling_strategy": "vibes"}, "sampling_strategy"),
    ],
)
def test_bad_learning_settings_are_refused_by_name(api, project, make_member, changes, message):
    client = api.as_user(make_member(Role.ADMIN))

    response = client.patch(url(project), changes, format="json")

    assert response.status_code == 400
    assert message in response.json()["message"]
    project.refresh_from_db()
    assert project.embedder == "hashing"


def test_image_project_refuses_a_text_embedder(api, make_member):
    image_project = ProjectFactory(data_type=DataType.IMAGE)
    client = api.as_user(make_member(Role.ADMIN, proj=image_project))

    response = client.patch(url(image_project), {"embedder": "minilm"}, format="json")

    assert response.status_code == 400
    assert "reads text; this is a image project" in response.json()["message"]


def test_changing_the_embedder_queues_an_embedding_job(
    api, project, make_member, django_capture_on_commit_callbacks
):
    ItemFactory(project=project)
    client = api.as_user(make_member(Role.ADMIN))
    project.embedder = ""
    project.save()

    with django_capture_on_commit_callbacks() as queued:
        response = client.patch(url(project), {"embedder": "hashing"}, format="json")

    assert response.status_code == 200
    job = TrainingJob.objects.get()
    assert (job.kind, job.trigger) == (JobKind.EMBED, "settings")
    assert len(queued) == 1


# --- labeling ------------------------------------------------------------------------------------


def test_annotator_labels_an_item(api, project, make_member):
    user = make_member(Role.ANNOTATOR)
    item = ItemFactory(project=project)

    response = api.as_user(user).post(
        url(project, f"items/{item.pk}/annotations/"), {"labels": ["spam"]}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["labels"], body["source"], body["annotator"]) == (["spam"], "human", user.username)
    assert Annotation.objects.get().annotator == user


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["eggs"], "Not a label class of this project: 'eggs'."),
        (["ham", "spam"], "A binary project takes one label per item; got 2."),
        ([], "Give at least one label."),
        (["  "], "Give at least one label."),
    ],
)
def test_bad_labels_are_refused_and_nothing_is_stored(api, project, make_member, labels, message):
    item = ItemFactory(project=project)
    client = api.as_user(make_member(Role.ANNOTATOR))

    response = client.post(
        url(project, f"items/{item.pk}/annotations/"), {"labels": labels}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == message
    assert not Annotation.objects.exists()


def test_multilabel_item_takes_several_labels_once_each(api, make_member):
    multilabel = ProjectFactory(task_type=TaskType.MULTILABEL, label_classes=["a", "b", "c"])
    item = ItemFactory(project=multilabel)
    client = api.as_user(make_member(Role.ANNOTATOR, proj=multilabel))

    response = client.post(
        url(multilabel, f"items/{item.pk}/annotations/"), {"labels": ["c", "a", "c"]}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["labels"] == ["c", "a"]


def test_item_of_another_project_cannot_be_labeled_through_this_one(api, project, make_member):
    elsewhere = ItemFactory(project=ProjectFactory())
    client = api.as_user(make_member(Role.ANNOTATOR))

    response = client.post(
        url(project, f"items/{elsewhere.pk}/annotations/"), {"labels": ["ham"]}, format="json"
    )

    assert response.status_code == 404
    assert not Annotation.objects.exists()


# --- training jobs -------------------------------------------------------------------------------


def test_train_now_answers_202_with_the_queued_job_and_a_second_press_gets_the_same(
    engineer, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = engineer.post(url(project, "training-jobs/"), {}, format="json")
        second = engineer.post(url(project, "training-jobs/"), {}, format="json")

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["id"] == second.json()["id"]
    assert (first.json()["status"], first.json()["kind"]) == ("queued", "train")
    assert first.json()["trigger"] == "manual"
    assert len(queued) == 1


def test_finished_job_reports_status_step_progress_and_version(engineer, project, corpus):
    job = run_training(engineer, project)

    assert job["status"] == JobStatus.SUCCEEDED, job["error"]
    assert (job["step"], job["progress"]) == ("done", 1.0)
    assert job["model_version"] is not None
    assert (
        "Version 1 trained on 60 labels "
        "(0 imported, 60 by annotators, 0 from moderation, 0 from appeals)"
    ) in job["message"]
    assert job["result"]["promotion"]["promoted"] is True
    listed = engineer.get(url(project, "training-jobs/")).json()
    assert [j["id"] for j in listed["results"]] == [job["id"]]


def test_waiting_job_says_why_through_the_api(engineer, project):
    truth = make_corpus(project, 60, seed=4)
    give_labels(train_ids(project, truth)[:6], "ham")

    job = run_training(engineer, project)

    assert job["status"] == "waiting"
    assert "only 'ham' is labeled so far" in job["message"]


def test_jobs_can_be_listed_by_kind(engineer, project):
    engineer.post(url(project, "training-jobs/"), {"kind": "embed"}, format="json")
    engineer.post(url(project, "training-jobs/"), {}, format="json")

    embeds = engineer.get(url(project, "training-jobs/"), {"kind": "embed"}).json()["results"]

    assert [job["kind"] for job in embeds] == ["embed"]


def test_training_jobs_list_takes_a_fixed_number_of_queries(engineer, project):
    for _ in range(3):
        job = TrainingJob.objects.create(owner=project.owner_key, kind="train", trigger="manual")
        job.status = JobStatus.FAILED
        job.save()

    with CaptureQueriesContext(connection) as few:
        engineer.get(url(project, "training-jobs/"))
    for _ in range(5):
        TrainingJob.objects.create(
            owner=project.owner_key, kind="train", trigger="manual", status=JobStatus.FAILED
        )
    with CaptureQueriesContext(connection) as many:
        engineer.get(url(project, "training-jobs/"))

    assert len(many) == len(few)


# --- model versions ------------------------------------------------------------------------------


def test_model_versions_list_takes_a_fixed_number_of_queries(engineer, project, corpus):
    run_training(engineer, project)
    with CaptureQueriesContext(connection) as few:
        engineer.get(url(project, "model-versions/"))
    for _ in range(3):
        run_training(engineer, project)

    with CaptureQueriesContext(connection) as many:
        body = engineer.get(url(project, "model-versions/")).json()

    assert body["count"] == 4
    assert len(many) == len(few)


def test_versions_list_shows_metrics_stage_and_label_count(engineer, project, corpus):
    run_training(engineer, project)

    body = engineer.get(url(project, "model-versions/")).json()

    (version,) = body["results"]
    assert version["version"] == 1
    assert version["stage"] == Stage.PRODUCTION
    assert version["label_count"] == 60
    assert version["metrics"]["roc_auc"] > 0.85
    assert set(version["metrics"]["f1_per_class"]) == {"ham", "spam"}
    assert version["embedder"].startswith("hashing@")
    detail = engineer.get(url(project, f"model-versions/{version['id']}/")).json()
    assert detail == version


def test_stage_changes_and_rollback_through_the_api(engineer, project, corpus):
    run_training(engineer, project)
    give_labels(train_ids(project, corpus)[60:120], corpus)
    run_training(engineer, project)
    versions = {
        v["version"]: v for v in engineer.get(url(project, "model-versions/")).json()["results"]
    }
    assert (versions[1]["stage"], versions[2]["stage"]) == ("archived", "production")

    rolled_back = engineer.post(
        url(project, f"model-versions/{versions[1]['id']}/stage/"), {"stage": "production"}
    )

    assert rolled_back.status_code == 200, rolled_back.json()
    assert rolled_back.json()["stage"] == "production"
    stages = {
        v["version"]: v["stage"]
        for v in engineer.get(url(project, "model-versions/")).json()["results"]
    }
    assert stages == {1: "production", 2: "archived"}
    history = rolled_back.json()["stage_history"]
    assert [h["stage"] for h in history] == ["candidate", "production", "archived", "production"]


def test_unknown_stage_is_refused(engineer, project, corpus):
    run_training(engineer, project)
    version = engineer.get(url(project, "model-versions/")).json()["results"][0]

    response = engineer.post(
        url(project, f"model-versions/{version['id']}/stage/"), {"stage": "live"}
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("stage:")


def test_learning_curve_has_one_point_per_version(engineer, project, corpus):
    run_training(engineer, project)
    give_labels(train_ids(project, corpus)[60:140], corpus)
    run_training(engineer, project)

    points = engineer.get(url(project, "learning-curve/")).json()["points"]

    assert [(p["version"], p["label_count"]) for p in points] == [(1, 60), (2, 140)]
    assert all(0.5 < p["roc_auc"] <= 1 for p in points)
    assert all(p["f1_macro"] is not None for p in points)


# --- the queue -----------------------------------------------------------------------------------


def test_items_in_queue_order_show_the_models_proposal(engineer, project, corpus):
    # An uncertainty order, whatever arm ``adaptive`` (the default) would measure as best.
    project.sampling_strategy = SamplingStrategy.HYBRID
    project.save(update_fields=["sampling_strategy"])
    job = run_training(engineer, project)

    body = engineer.get(
        url(project, "items/"), {"labeled": "false", "ordering": "-priority", "page_size": 500}
    ).json()

    rows = body["results"]
    assert rows
    priorities = [row["priority"] for row in rows]
    assert priorities == sorted(priorities, reverse=True)
    assert all(row["scored_by"] == job["model_version"] for row in rows)
    assert all(row["predicted_label"] in {"ham", "spam"} for row in rows)
    assert rows[0]["confidence"] < sorted(r["confidence"] for r in rows)[len(rows) // 2]


# --- auto-labeling -------------------------------------------------------------------------------


def test_auto_label_summary_before_any_estimate(engineer, project):
    body = engineer.get(url(project, "auto-label/")).json()

    assert body["enabled"] is False
    assert body["threshold"] is None
    assert body["created_at"] is None
    assert body["counts"] == {
        "auto_labeled": 0,
        "audit_items": 0,
        "audit_labeled": 0,
        "unlabeled": 0,
    }
