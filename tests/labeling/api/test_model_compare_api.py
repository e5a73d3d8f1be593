"""Comparing two model versions by number, on the same held-out items, with intervals; and
what a version says it was trained on."""

import pytest

from labeling.choices import AnnotationSource, Role
from labeling.models import Project
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobTrigger
from models_app.models import ModelVersion
from tests.factories import ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids
from tests.module_data import built_once, module_media

pytestmark = pytest.mark.django_db


def train(project):
    return training_job_run(
        job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk
    )


def _build_two_versions() -> int:
    """Version 1 learned from 40 imported labels with 20 held-out labels; version 2 from 60
    more by annotators, measured on twice as many held-out items."""
    project = ProjectFactory(embedder="hashing", retrain_every=0)
    truth = make_corpus(project, 300, seed=11)
    held = held_out_ids(project, truth)
    give_labels(train_ids(project, truth)[:40], truth, source=AnnotationSource.IMPORT)
    give_labels(held[:20], truth, source=AnnotationSource.IMPORT)
    train(project)
    give_labels(train_ids(project, truth)[40:100], truth)
    give_labels(held[20:40], truth)
    train(project)
    return project.pk


# Two training runs per test took most of this module's time: built once (tests.module_data).
_two_versions_once = built_once(_build_two_versions)


@pytest.fixture
def project(db, _two_versions_once, settings):
    """The project of the two versions (the malformed-parameter tests use it too: with both
    versions there, "same-twice" names a version that exists)."""
    pk, media = _two_versions_once
    module_media(media, settings)
    return Project.objects.get(pk=pk)


@pytest.fixture
def two_versions(project):
    return {v.version: v for v in ModelVersion.objects.filter(owner=project.owner_key)}


def compare(client, project, **query):
    return client.get(f"/api/v1/projects/{project.pk}/model-versions/compare/", query)


def test_a_version_counts_its_training_labels_by_source(api, project, two_versions, make_member):
    client = api.as_user(make_member(Role.ML_ENGINEER))

    listed = client.get(f"/api/v1/projects/{project.pk}/model-versions/").json()["results"]

    by_number = {row["version"]: row["metrics"] for row in listed}
    assert by_number[1]["train_source_counts"] == {
        "import": 40, "human": 0, "moderation": 0, "appeal": 0
    }  # fmt: skip
    assert by_number[2]["train_source_counts"] == {
        "import": 40, "human": 60, "moderation": 0, "appeal": 0
    }  # fmt: skip
    assert by_number[2]["train_n"] == 100


def test_compare_by_version_number_scores_both_on_the_newer_held_out_set(
    api, project, two_versions, make_member
):
    client = api.as_user(make_member(Role.ANNOTATOR))

    response = compare(client, project, a=1, b=2)

    assert response.status_code == 200, response.json()
    body = response.json()
    same = body["same_items"]
    assert same["comparable"] is True
    assert (same["items_of_version"], same["held_out_from"]) == (2, "recorded")
    newer_n = two_versions[2].metrics["n"]
    assert two_versions[1].metrics["n"] < newer_n  # measured on different sets at training
    assert same["n"] == newer_n
    a, b = body["a"]["same_items_metrics"], body["b"]["same_items_metrics"]
    assert a["n"] == b["n"] == newer_n
    # The newer version on its own held-out set: exactly what it reported when trained.
    assert b["roc_auc"] == two_versions[2].metrics["roc_auc"]
    assert b["confusion_matrix"] == two_versions[2].metrics["confusion_matrix"]
    assert sum(map(sum, a["confusion_matrix"])) == newer_n
    low, high = a["intervals"]["accuracy"]
    assert low <= a["accuracy"] <= high
    assert set(a["intervals"]["f1_per_class"]) == {"ham", "spam"}
    # What was decided at training comes along.
    assert body["b"]["promotion"]["production_version"] == 1
    assert body["a"]["promotion"]["reason"] == "no production model yet"


def test_compare_is_the_same_either_way_round(api, project, two_versions, make_member):
    client = api.as_user(make_member(Role.ANNOTATOR))

    forward = compare(client, project, a=1, b=2).json()
    backward = compare(client, project, a=2, b=1).json()

    assert forward["same_items"]["n"] == backward["same_items"]["n"]
    assert forward["a"]["same_items_metrics"] == backward["b"]["same_items_metrics"]


def test_versions_without_a_recorded_held_out_set_use_the_held_out_labels_of_now(
    api, project, two_versions, make_member
):
    ModelVersion.objects.filter(owner=project.owner_key).update(held_out={})
    client = api.as_user(make_member(Role.ANNOTATOR))

    same = compare(client, project, a=1, b=2).json()["same_items"]

    assert same["held_out_from"] == "current"
    assert same["n"] == 40
    assert "held-out items as labeled now" in same["reason"]


def test_versions_reading_different_vectors_are_not_scored_and_it_says_why(
    api, project, two_versions, make_member
):
    ModelVersion.objects.filter(owner=project.owner_key, version=1).update(embedder="minilm@1")
    client = api.as_user(make_member(Role.ANNOTATOR))

    body = compare(client, project, a=1, b=2).json()

    assert body["same_items"]["comparable"] is False
    assert "minilm@1" in body["same_items"]["reason"]
    assert body["a"]["same_items_metrics"] is None
    assert body["b"]["same_items_metrics"] is None
    assert body["b"]["metrics"]["n"] == two_versions[2].metrics["n"]  # stored ones still shown


def test_a_number_the_project_does_not_have_is_404_with_a_message(
    api, project, two_versions, make_member
):
    other = ProjectFactory(embedder="hashing")
    ModelVersion.objects.create(
        owner=other.owner_key, version=3, algorithm="x", embedder="y", snapshot_id="s",
        snapshot_hash="h", artifact="models/none.npz",
    )  # fmt: skip
    client = api.as_user(make_member(Role.ANNOTATOR))

    missing = compare(client, project, a=1, b=3)

    assert missing.status_code == 404
    assert missing.json()["message"] == "Version 3 does not exist in this project."


@pytest.mark.parametrize(
    "query",
    [
        {"a": 1},
        {"a": "one", "b": 2},
        {"a": 0, "b": 2},
        {"a": 1, "b": 2**40},
        {"a": 2, "b": 2},
        {"a": "1" * 5000, "b": 2},
    ],
    ids=["missing", "not-a-number", "zero", "huge", "same-twice", "very-long"],
)
def test_malformed_compare_parameters_are_400(api, project, make_member, query):
    client = api.as_user(make_member(Role.ANNOTATOR))

    response = compare(client, project, **query)

    assert response.status_code == 400
    assert response.json()["message"]


def test_compare_needs_a_member_of_the_project(api, project, two_versions, make_member):
    anonymous = compare(api, project, a=1, b=2)
    outsider = compare(api.as_user(make_member(None)), project, a=1, b=2)

    assert anonymous.status_code in (401, 403)
    assert outsider.status_code in (403, 404)
    assert "same_items" not in outsider.json()
