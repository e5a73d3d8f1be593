"""A model version's life as people see it: shadow → canary → production, and rollback; each
step one action, one audit record with the metrics that justify it.

The fast ``hashing`` embedder stands in for MiniLM; the texts are the synthetic two-class
messages of tests/factories/learning.py.
"""

import pytest

from core.exceptions import ApplicationError
from core.models import AuditEvent
from labeling.choices import AnnotationSource
from labeling.services.learning_jobs import project_training_request
from labeling.services.model_stages import model_version_rollback, model_version_stage_change
from labeling.services.training import training_job_run
from models_app.choices import JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion
from models_app.selectors.registry import model_version_production
from tests.factories import ProjectFactory, UserFactory
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(embedder="hashing", retrain_every=0)


@pytest.fixture
def corpus(project):
    truth = make_corpus(project, 300, seed=3)
    give_labels(train_ids(project, truth)[:60], truth)
    give_labels(held_out_ids(project, truth), truth, source=AnnotationSource.IMPORT)
    return truth


@pytest.fixture
def lead():
    return UserFactory(username="policy-lead")


def train(project):
    job = project_training_request(project=project, trigger=JobTrigger.MANUAL)
    job = training_job_run(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def stage_events():
    return list(AuditEvent.objects.filter(action="model.stage").order_by("id"))


def stages(project) -> dict[int, str]:
    return dict(
        ModelVersion.objects.filter(owner=project.owner_key).values_list("version", "stage")
    )


def set_shadow_flag(project, on: bool = True):
    project.new_versions_start_in_shadow = on
    project.save(update_fields=["new_versions_start_in_shadow"])


# --- new versions start in shadow ----------------------------------------------------------------


def test_without_the_flag_a_new_version_goes_to_production_and_that_is_audited(project, corpus):
    job = train(project)

    assert job.model_version.stage == Stage.PRODUCTION
    (event,) = stage_events()
    assert (event.actor_name, event.before["stage"], event.after["stage"]) == (
        "",
        "candidate",
        "production",
    )
    assert event.after["metrics"]["roc_auc"] == job.model_version.metrics["roc_auc"]


def test_with_the_flag_the_first_version_waits_in_shadow_and_nothing_serves(project, corpus):
    set_shadow_flag(project)

    job = train(project)

    assert job.model_version.stage == Stage.SHADOW
    assert model_version_production(owner=project.owner_key) is None
    assert "in shadow" in job.message
    assert "no version serves until one is promoted" in job.message
    assert job.result["promotion"]["would_promote"] is True
    (event,) = stage_events()
    assert (event.before["stage"], event.after["stage"]) == ("candidate", "shadow")


def test_with_the_flag_a_better_version_still_waits_in_shadow_and_production_stays(project, corpus):
    first = train(project).model_version
    set_shadow_flag(project)
    give_labels(train_ids(project, corpus)[60:160], corpus)

    job = train(project)

    assert stages(project) == {1: Stage.PRODUCTION, 2: Stage.SHADOW}
    assert model_version_production(owner=project.owner_key) == first
    assert "in shadow" in job.message
    assert "version 1 keeps serving" in job.message
    assert job.result["promotion"]["promoted"] is False
    assert job.result["promotion"]["stage"] == "shadow"
    # The pool keeps being scored by the model that serves.
    assert set(project.items.exclude(scored_by=None).values_list("scored_by", flat=True)) == {
        first.pk
    }


# --- one action each ---------------------------------------------------------------------------


@pytest.fixture
def serving_and_shadow(project, corpus):
    """Version 1 in production, version 2 (trained on more labels) in shadow."""
    train(project)
    set_shadow_flag(project)
    give_labels(train_ids(project, corpus)[60:160], corpus)
    train(project)
    versions = {v.version: v for v in ModelVersion.objects.filter(owner=project.owner_key)}
    return versions[1], versions[2]


def test_shadow_to_canary_to_production_is_one_audited_action_each(
    project, serving_and_shadow, lead
):
    serving, candidate = serving_and_shadow
    already = len(stage_events())

    model_version_stage_change(project=project, version=candidate, stage=Stage.CANARY, user=lead)
    assert stages(project) == {1: Stage.PRODUCTION, 2: Stage.CANARY}
    model_version_stage_change(
        project=project, version=candidate, stage=Stage.PRODUCTION, user=lead, reason="canary ok"
    )

    assert stages(project) == {1: Stage.ARCHIVED, 2: Stage.PRODUCTION}
    canary, production = stage_events()[already:]
    assert (canary.before["stage"], canary.after["stage"]) == ("shadow", "canary")
    assert (production.before["stage"], production.after["stage"]) == ("canary", "production")
    assert (production.before["production_version"], production.after["production_version"]) == (
        1,
        2,
    )
    assert production.after["reason"] == "canary ok"
    assert production.after["metrics"]["roc_auc"] == candidate.metrics["roc_auc"]
    assert production.after["production_before_metrics"]["roc_auc"] == serving.metrics["roc_auc"]
    assert {canary.actor_name, production.actor_name} == {"policy-lead"}
    assert {canary.scope, production.scope} == {f"labeling.project:{project.pk}"}


def test_rollback_returns_the_previous_production_and_archives_the_current(
    project, serving_and_shadow, lead
):
    serving, candidate = serving_and_shadow
    model_version_stage_change(
        project=project, version=candidate, stage=Stage.PRODUCTION, user=lead
    )
    already = len(stage_events())

    restored = model_version_rollback(project=project, user=lead, reason="complaints doubled")

    assert restored == serving
    assert stages(project) == {1: Stage.PRODUCTION, 2: Stage.ARCHIVED}
    (event,) = stage_events()[already:]
    assert event.object_id == str(serving.pk)
    assert event.after["operation"] == "rollback"
    assert (event.before["production_version"], event.after["production_version"]) == (2, 1)
    assert event.after["production_before_metrics"]["version"] == 2
    assert event.after["metrics"]["version"] == 1
    assert event.after["reason"] == "complaints doubled"


def test_rolling_back_twice_returns_to_where_it_started(project, serving_and_shadow, lead):
    _, candidate = serving_and_shadow
    model_version_stage_change(
        project=project, version=candidate, stage=Stage.PRODUCTION, user=lead
    )

    model_version_rollback(project=project, user=lead)
    model_version_rollback(project=project, user=lead)

    assert stages(project) == {1: Stage.ARCHIVED, 2: Stage.PRODUCTION}


def test_rollback_with_nothing_earlier_is_refused_and_changes_nothing(project, corpus, lead):
    train(project)
    before = (stages(project), AuditEvent.objects.count())

    with pytest.raises(ApplicationError) as refused:
        model_version_rollback(project=project, user=lead)

    assert refused.value.status_code == 409
    assert (stages(project), AuditEvent.objects.count()) == before


def test_setting_the_stage_a_version_has_records_nothing(project, corpus, lead):
    version = train(project).model_version
    count = AuditEvent.objects.count()

    model_version_stage_change(project=project, version=version, stage=Stage.PRODUCTION, user=lead)

    assert AuditEvent.objects.count() == count


def test_a_version_of_another_project_cannot_be_moved_through_this_one(project, corpus, lead):
    version = train(project).model_version
    other = ProjectFactory()

    with pytest.raises(ApplicationError):
        model_version_stage_change(project=other, version=version, stage=Stage.ARCHIVED, user=lead)

    version.refresh_from_db()
    assert version.stage == Stage.PRODUCTION
