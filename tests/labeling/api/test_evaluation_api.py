"""The evaluation endpoints: a version's stored report, evaluating it again, the slice settings,
and per-slice deltas in compare; who may call them, and what bad input gets."""

import pytest

from core.models import AuditEvent
from labeling.choices import DataType, Role
from labeling.models import Item
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobKind, JobTrigger
from models_app.models import ModelVersion
from tests.factories import ItemFactory, ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids

pytestmark = pytest.mark.django_db


def settings_url(project):
    return f"/api/v1/projects/{project.pk}/evaluation-settings/"


def evaluation_url(project, version):
    return f"/api/v1/projects/{project.pk}/model-versions/{version.pk}/evaluation/"


@pytest.fixture
def project(db):
    project = ProjectFactory(embedder="hashing", retrain_every=0)
    ItemFactory(project=project, metadata={"language": "en", "source": "web"})
    ItemFactory(project=project, metadata={"language": "fr"})
    return project


def _trained(project, *, rounds=1):
    """A corpus of 480 items whose ``cohort`` is a or b, labeled and trained ``rounds`` times
    (40 train labels more each round)."""
    truth = make_corpus(project, 480, seed=5)
    for n, item_id in enumerate(sorted(truth)):
        Item.objects.filter(pk=item_id).update(metadata={"cohort": "ab"[n % 2]})
    give_labels(held_out_ids(project, truth)[:80], truth)
    train = train_ids(project, truth)
    for number in range(rounds):
        give_labels(train[40 * number : 40 * (number + 1)], truth)
        job = training_job_run(
            job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk
        )
        assert job.model_version_id, job.error or job.message
    return ModelVersion.objects.filter(owner=project.owner_key).order_by("version")


def test_members_read_the_slice_settings_with_the_fields_they_can_declare(
    api, project, make_member
):
    body = api.as_user(make_member(Role.ANNOTATOR)).get(settings_url(project)).json()

    assert body["slice_fields"] == []
    assert body["metadata_fields"] == ["language", "source"]
    assert body["builtin_fields"] == ["text_length"]
    assert body["min_support"] == 20


def test_an_admin_declares_slice_fields_and_the_change_is_audited(api, project, make_member):
    client = api.as_user(make_member(Role.ADMIN))

    response = client.put(
        settings_url(project), {"slice_fields": ["language", "text_length"]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["slice_fields"] == ["language", "text_length"]
    project.refresh_from_db()
    assert project.slice_fields == ["language", "text_length"]
    event = AuditEvent.objects.get(action="project.update", object_id=str(project.pk))
    assert event.after == {"slice_fields": ["language", "text_length"]}


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        (["language", "platform"], "'platform'"),
        (["<script>alert(1)</script>"], "<script>"),
        (["language", "language"], "listed twice"),
        (["a" * 65], "slice_fields"),
        ([""], "slice_fields"),
        ([f"f{n}" for n in range(9)], "slice_fields"),
    ],
)
def test_bad_slice_fields_are_refused_naming_the_field(api, project, make_member, fields, named):
    response = api.as_user(make_member(Role.ADMIN)).put(
        settings_url(project), {"slice_fields": fields}, format="json"
    )

    assert response.status_code == 400
    assert named in response.json()["message"]
    assert response["Content-Type"].startswith("application/json")  # never rendered as HTML
    project.refresh_from_db()
    assert project.slice_fields == []


def test_text_length_is_not_a_slice_of_image_projects(api, make_member):
    image = ProjectFactory(data_type=DataType.IMAGE)
    response = api.as_user(make_member(Role.ADMIN, proj=image)).put(
        settings_url(image), {"slice_fields": ["text_length"]}, format="json"
    )
    assert response.status_code == 400
    assert "text_length" in response.json()["message"]


def test_malformed_bodies_are_refused(api, project, make_member):
    client = api.as_user(make_member(Role.ADMIN))
    for body in ({}, {"slice_fields": "language"}, {"slice_fields": [1, {"a": 2}]}, [1]):
        assert client.put(settings_url(project), body, format="json").status_code == 400


def test_only_admins_change_slice_fields_and_outsiders_learn_nothing(api, project, make_member):
    body = {"slice_fields": ["language"]}
    for role in (Role.ML_ENGINEER, Role.ANNOTATOR, Role.MODERATOR):
        client = api.as_user(make_member(role))
        assert client.put(settings_url(project), body, format="json").status_code == 403
    other = ProjectFactory()
    outsider = api.as_user(make_member(Role.ADMIN, proj=other))
    assert outsider.get(settings_url(project)).status_code == 404
    assert outsider.put(settings_url(project), body, format="json").status_code == 404
    api.logout()
    assert api.get(settings_url(project)).status_code in (401, 403)
    project.refresh_from_db()
    assert project.slice_fields == []


def test_a_trained_version_shows_its_evaluation_to_members_and_hides_it_from_others(
    api, project, make_member
):
    project.slice_fields = ["cohort"]
    project.save()
    (version,) = _trained(project)
    client = api.as_user(make_member(Role.ANNOTATOR))

    body = client.get(evaluation_url(project, version)).json()

    report = body["evaluation"]
    assert body["version"] == 1
    assert body["error"] is None
    assert report["n"] == 80
    assert [row["name"] for row in report["per_class"]] == ["ham", "spam"]
    assert report["calibration"]["ece"]["low"] <= report["calibration"]["ece"]["value"]
    (cohort,) = report["slices"]["fields"]
    assert {v["value"] for v in cohort["values"]} == {"a", "b"}
    assert sum(v["support"] for v in cohort["values"]) == 80
    # The list of versions stays light: no report in it.
    listed = client.get(f"/api/v1/projects/{project.pk}/model-versions/").json()["results"]
    assert "evaluation" not in listed[0]
    other = ProjectFactory()
    outsider = api.as_user(make_member(Role.ADMIN, proj=other))
    assert outsider.get(evaluation_url(project, version)).status_code == 404
    assert outsider.post(evaluation_url(project, version)).status_code == 404
    api.logout()
    assert api.get(evaluation_url(project, version)).status_code in (401, 403)


def test_evaluating_again_runs_a_job_that_reports_the_new_slices(
    api, project, make_member, django_capture_on_commit_callbacks
):
    (version,) = _trained(project)
    assert ModelVersion.objects.get(pk=version.pk).evaluation["slices"]["fields"] == []
    admin = api.as_user(make_member(Role.ADMIN))
    admin.put(settings_url(project), {"slice_fields": ["cohort"]}, format="json")
    assert (
        api.as_user(make_member(Role.ANNOTATOR)).post(evaluation_url(project, version)).status_code
        == 403
    )

    engineer = api.as_user(make_member(Role.ML_ENGINEER))
    with django_capture_on_commit_callbacks(execute=True):
        response = engineer.post(evaluation_url(project, version))

    assert response.status_code == 202
    assert response.json()["kind"] == JobKind.EVALUATE
    body = engineer.get(evaluation_url(project, version)).json()
    assert body["job"]["status"] == "succeeded"
    assert [f["field"] for f in body["evaluation"]["slices"]["fields"]] == ["cohort"]


def test_compare_reports_per_slice_deltas_on_the_same_items(api, project, make_member):
    project.slice_fields = ["cohort"]
    project.save()
    _trained(project, rounds=2)
    client = api.as_user(make_member(Role.ML_ENGINEER))

    body = client.get(
        f"/api/v1/projects/{project.pk}/model-versions/compare/", {"a": 1, "b": 2}
    ).json()

    slices = body["same_items"]["slices"]
    (cohort,) = slices["fields"]
    assert {v["value"] for v in cohort["values"]} == {"a", "b"}
    for value in cohort["values"]:
        assert value["f1_macro_delta"] == pytest.approx(
            value["f1_macro_after"] - value["f1_macro_before"], abs=1e-3
        )
    flagged = {(r["field"], r["value"]) for r in slices["regressions"]}
    assert flagged == {("cohort", v["value"]) for v in cohort["values"] if v["regression"]}
