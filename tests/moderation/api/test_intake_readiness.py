"""``/readyz`` waits for intake's models: a web process is not ready until the production model of
every scoring policy is loaded in it, and the probe loads nothing itself (a background warm-up
fills the same caches intake uses)."""

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from moderation.choices import AutomationLevel
from moderation.services import scoring
from tests.factories.intake import auth, platform_with_key, trained_project
from tests.factories.moderation import IntakePolicyFactory, grant

pytestmark = pytest.mark.django_db

SPAM = "WINNER!! You have been selected to receive a £900 prize reward! Call 09061701461 now"


@pytest.fixture
def served(dataset_path):
    return trained_project(dataset_path("sms_spam_collection.tsv"))


@pytest.fixture
def cold_process(monkeypatch):
    """This process as a freshly started web worker: nothing loaded for scoring yet."""
    monkeypatch.setattr(scoring, "_classifiers", {})
    monkeypatch.setattr(scoring, "_warm_embedders", set())


def _ready_within(client: Client, seconds: float) -> list[dict]:
    answers = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = client.get("/readyz")
        answers.append({"http": response.status_code, **response.json()})
        if response.status_code == 200:
            break
        time.sleep(0.1)
    return answers


def test_readyz_is_loading_until_the_production_model_is_warm_then_ready(served, cold_process):
    project, version = served
    policy = IntakePolicyFactory(project=project, automation_level=AutomationLevel.PARTIAL)
    client = Client()

    first = client.get("/readyz")

    assert first.status_code == 503
    body = first.json()
    assert body["checks"]["models"]["status"] == "loading"
    assert body["checks"]["models"]["loading"] == 1
    assert "models (loading)" in body["message"]
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["broker"]["ok"]

    answers = _ready_within(client, 60)
    assert answers[-1]["http"] == 200, answers[-3:]
    assert answers[-1]["checks"]["models"] == {"ok": True, "status": "ok", "models": 1}
    # Warming filled intake's own cache: the first intake uses this very classifier.
    assert scoring.version_loaded(version)
    warmed = scoring.classifier_for(version)
    platform, key = platform_with_key()
    grant(policy, platform)
    answer = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": "p-1", "author_id": "a", "text": SPAM},
        format="json",
        **auth(key),
    )
    assert answer.status_code in (200, 201), answer.content
    assert answer.json()["verdict"] == "remove"
    assert scoring.classifier_for(version) is warmed


def test_readyz_does_not_wait_for_models_no_policy_scores_with(served, cold_process):
    project, _version = served
    IntakePolicyFactory(project=project, automation_level=AutomationLevel.HUMAN_ONLY)

    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["models"] == {"ok": True, "status": "ok", "models": 0}


def test_readyz_skips_the_model_check_when_turned_off(served, cold_process, settings):
    settings.TANDEM_READYZ_MODELS = False
    project, version = served
    IntakePolicyFactory(project=project, automation_level=AutomationLevel.FULL)

    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["models"]["status"] == "not checked"
    assert not scoring.version_loaded(version)
