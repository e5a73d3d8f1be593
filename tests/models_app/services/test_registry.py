"""The model registry: versions number themselves, one production at a time, rollback."""

import pytest
from django.core.files.storage import default_storage

from core.exceptions import ApplicationError
from models_app.choices import ModelVersionStatus, Stage
from models_app.models import ModelVersion
from models_app.selectors.registry import model_version_production
from models_app.services.registry import (
    model_version_artifact_bytes,
    model_version_register,
    model_version_rollback,
    model_version_set_stage,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OWNER = "labeling.project:1"


def register(owner: str = OWNER, **overrides) -> ModelVersion:
    values = {
        "owner": owner,
        "algorithm": "logreg",
        "embedder": "hashing@v1",
        "snapshot_id": "s",
        "snapshot_hash": "h",
        "label_count": 10,
        "hyperparameters": {"C": 1.0},
        "metrics": {"roc_auc": 0.9},
        "artifact": b"npz bytes",
    }
    return model_version_register(**{**values, **overrides})


def test_versions_number_from_one_per_owner_and_start_as_candidates():
    first, second = register(), register()
    other = register(owner="labeling.project:2")

    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert {first.stage, second.stage, other.stage} == {Stage.CANDIDATE}
    assert model_version_artifact_bytes(version=second) == b"npz bytes"


def test_promoting_archives_the_previous_production_version():
    first, second = register(), register()
    model_version_set_stage(version=first, stage=Stage.PRODUCTION)

    model_version_set_stage(version=second, stage=Stage.PRODUCTION)

    first.refresh_from_db()
    assert first.stage == Stage.ARCHIVED
    assert model_version_production(owner=OWNER) == second
    assert ModelVersion.objects.filter(owner=OWNER, stage=Stage.PRODUCTION).count() == 1


def test_rollback_puts_the_previous_production_version_back():
    first, second, third = register(), register(), register()
    model_version_set_stage(version=first, stage=Stage.PRODUCTION)
    model_version_set_stage(version=second, stage=Stage.PRODUCTION)
    model_version_set_stage(version=third, stage=Stage.SHADOW)

    restored = model_version_rollback(owner=OWNER)

    second.refresh_from_db()
    third.refresh_from_db()
    assert restored == first
    assert model_version_production(owner=OWNER) == first
    assert second.stage == Stage.ARCHIVED
    assert third.stage == Stage.SHADOW  # a stage change touches only what it must


def test_rollback_without_an_earlier_production_version_is_refused():
    only = register()
    model_version_set_stage(version=only, stage=Stage.PRODUCTION)

    with pytest.raises(ApplicationError, match="no earlier production version"):
        model_version_rollback(owner=OWNER)


def test_every_stage_change_is_recorded_with_who_made_it():
    user = UserFactory(username="ml-lead")
    version = register(created_by=user)

    model_version_set_stage(version=version, stage=Stage.CANARY, user=user)
    model_version_set_stage(version=version, stage=Stage.PRODUCTION, user=user)

    history = [(h["previous"], h["stage"], h["by"]) for h in version.stage_history]
    assert history == [
        (None, Stage.CANDIDATE, "ml-lead"),
        (Stage.CANDIDATE, Stage.CANARY, "ml-lead"),
        (Stage.CANARY, Stage.PRODUCTION, "ml-lead"),
    ]
    assert version.promoted_at is not None


def test_a_version_whose_artifact_is_gone_cannot_go_to_production():
    serving, broken = register(), register()
    model_version_set_stage(version=serving, stage=Stage.PRODUCTION)
    default_storage.delete(broken.artifact.name)

    with pytest.raises(ApplicationError, match="artifact is missing"):
        model_version_set_stage(version=broken, stage=Stage.PRODUCTION)

    broken.refresh_from_db()
    assert broken.status == ModelVersionStatus.BROKEN
    assert broken.stage == Stage.CANDIDATE
    assert model_version_production(owner=OWNER) == serving


def test_setting_the_stage_a_version_already_has_changes_nothing():
    version = register()
    model_version_set_stage(version=version, stage=Stage.PRODUCTION)

    model_version_set_stage(version=version, stage=Stage.PRODUCTION)

    assert len(version.stage_history) == 2
