"""Model stage controls through the API: promote, roll back, compare side by side."""

import pytest

from core.models import AuditEvent
from labeling.choices import AnnotationSource, Role
from labeling.models import Item, Project
from labeling.services.external_labels import annotation_record_external
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobTrigger, Stage
from models_app.models import ModelVersion
from tests.factories import ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids
from tests.module_data import built_once, module_media

pytestmark = pytest.mark.django_db


def _build_versions() -> tuple[int, dict]:
    """Version 1 serves; version 2, trained on more labels, waits in shadow."""
    project = ProjectFactory(embedder="hashing", retrain_every=0)
    truth = make_corpus(project, 300, seed=5)
    give_labels(train_ids(project, truth)[:60], truth)
    give_labels(held_out_ids(project, truth), truth, source=AnnotationSource.IMPORT)
    training_job_run(job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk)
    project.new_versions_start_in_shadow = True
    project.save(update_fields=["new_versions_start_in_shadow"])
    give_labels(train_ids(project, truth)[60:160], truth)
    training_job_run(job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk)
    return project.pk, truth


# Two training runs per test took most of this module's time: built once (tests.module_data).
_versions_once = built_once(_build_versions)


@pytest.fixture
def project(db, _versions_once, settings):
    (pk, _), media = _versions_once
    module_media(media, settings)
    return Project.objects.get(pk=pk)


@pytest.fixture
def versions(project, _versions_once):
    """(version 1, serving; version 2, in shadow; the corpus's true labels)."""
    (_, truth), _ = _versions_once
    by_number = {v.version: v for v in ModelVersion.objects.filter(owner=project.owner_key)}
    assert (by_number[1].stage, by_number[2].stage) == (Stage.PRODUCTION, Stage.SHADOW)
    return by_number[1], by_number[2], dict(truth)


def url(project, path):
    return f"/api/v1/projects/{project.pk}/model-versions/{path}"


def test_senior_moderator_promotes_shadow_to_canary_and_then_production(
    api, project, versions, make_member
):
    serving, shadow, _ = versions
    client = api.as_user(make_member(Role.SENIOR_MODERATOR, username="sam"))

    canary = client.post(url(project, f"{shadow.pk}/stage/"), {"stage": "canary"}, format="json")
    production = client.post(
        url(project, f"{shadow.pk}/stage/"), {"stage": "production"}, format="json"
    )

    assert canary.status_code == 200, canary.json()
    assert canary.json()["stage"] == "canary"
    assert production.json()["stage"] == "production"
    listed = client.get(url(project, "")).json()["results"]
    assert {v["version"]: v["stage"] for v in listed} == {1: "archived", 2: "production"}
    events = AuditEvent.objects.filter(action="model.stage", actor_name="sam").order_by("id")
    assert [(e.before["stage"], e.after["stage"]) for e in events] == [
        ("shadow", "canary"),
        ("canary", "production"),
    ]
    assert events[1].after["production_before_metrics"]["version"] == serving.version


def test_rollback_puts_the_previous_version_back_in_one_call(api, project, versions, make_member):
    serving, shadow, _ = versions
    client = api.as_user(make_member(Role.ML_ENGINEER))
    client.post(url(project, f"{shadow.pk}/stage/"), {"stage": "production"}, format="json")

    response = client.post(url(project, "rollback/"), {"reason": "appeals spiked"}, format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["id"], response.json()["stage"]) == (serving.pk, "production")
    shadow.refresh_from_db()
    assert shadow.stage == Stage.ARCHIVED
    event = AuditEvent.objects.filter(action="model.stage").latest("id")
    assert (event.after["operation"], event.after["reason"]) == ("rollback", "appeals spiked")


def test_rollback_without_an_earlier_version_is_a_409_that_says_why(
    api, project, versions, make_member
):
    serving, _, _ = versions  # version 1 is the first that ever served
    client = api.as_user(make_member(Role.ADMIN))

    response = client.post(url(project, "rollback/"), {}, format="json")

    assert response.status_code == 409
    assert "no earlier production version" in response.json()["message"]
    serving.refresh_from_db()
    assert serving.stage == Stage.PRODUCTION


def test_annotators_and_moderators_cannot_change_stages(api, project, versions, make_member):
    _, shadow, _ = versions
    for role in (Role.ANNOTATOR, Role.MODERATOR):
        client = api.as_user(make_member(role))
        changed = client.post(
            url(project, f"{shadow.pk}/stage/"), {"stage": "production"}, format="json"
        )
        rolled = client.post(url(project, "rollback/"), {}, format="json")
        assert (changed.status_code, rolled.status_code) == (403, 403)

    shadow.refresh_from_db()
    assert shadow.stage == Stage.SHADOW
    assert not AuditEvent.objects.filter(action="model.stage").exclude(actor_name="").exists()


def test_compare_shows_metrics_side_by_side_and_agreement_with_decisions(
    api, project, versions, make_member
):
    serving, shadow, truth = versions
    moderator = make_member(Role.MODERATOR)
    # People decide 40 pieces of content after the shadow version was registered.
    decided = [i for i in truth if not Item.objects.get(pk=i).annotations.exists()][:40]
    for item_id in decided:
        annotation_record_external(
            item=Item.objects.get(pk=item_id),
            labels=[truth[item_id]],
            source=AnnotationSource.MODERATION,
            annotator=moderator,
        )
    client = api.as_user(moderator)

    response = client.get(url(project, "compare/"), {"a": 1, "b": 2})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["a"]["version"], body["b"]["version"]) == (1, 2)
    assert (body["a"]["stage"], body["b"]["stage"]) == ("production", "shadow")
    assert body["a"]["metrics"]["roc_auc"] == serving.metrics["roc_auc"]
    assert body["b"]["metrics"]["roc_auc"] == shadow.metrics["roc_auc"]
    assert set(body["b"]["metrics"]["f1_per_class"]) == {"ham", "spam"}
    for side in ("a", "b"):
        agreement = body[side]["decision_agreement"]
        assert (agreement["decisions"], agreement["n"]) == (40, 40)
        # The texts are separable: both models agree with people on most decisions.
        assert agreement["agreement"] >= 0.7


def test_compare_of_versions_outside_shadow_and_canary_shows_metrics_only(
    api, project, versions, make_member
):
    _serving, shadow, _ = versions
    client = api.as_user(make_member(Role.ADMIN))
    client.post(url(project, f"{shadow.pk}/stage/"), {"stage": "production"}, format="json")

    body = client.get(url(project, "compare/"), {"a": 1, "b": 2}).json()

    assert body["a"]["decision_agreement"] is None
    assert body["b"]["decision_agreement"] is None
    assert body["decisions_since"] is None


def test_compare_refuses_a_version_of_another_project_and_missing_ids(
    api, project, versions, make_member
):
    serving, _, _ = versions
    other = ProjectFactory()
    foreign = ModelVersion.objects.create(
        owner=other.owner_key, version=1, algorithm="x", embedder="y", snapshot_id="s",
        snapshot_hash="h", artifact="models/none.npz",
    )  # fmt: skip
    client = api.as_user(make_member(Role.ADMIN))

    outside = client.get(url(project, "compare/"), {"a": serving.pk, "b": foreign.pk})
    missing = client.get(url(project, "compare/"), {"a": serving.pk})

    assert outside.status_code == 404
    assert missing.status_code == 400
    assert missing.json()["message"].startswith("b:")
