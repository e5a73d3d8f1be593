"""``/readyz`` waits for intake's models: a web process is not ready until the production model of
every scoring policy is loaded in it, and the probe loads nothing itself (a background warm-up
fills the same caches intake uses)."""

import time
from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from moderation.choices import AutomationLevel
from moderation.services import model_serving
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
    monkeypatch.setattr(model_serving, "_classifiers", {})
    monkeypatch.setattr(model_serving, "_warm_embedders", set())


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
    assert model_serving.version_loaded(version)
    warmed = model_serving.classifier_for(version)
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
    assert model_serving.classifier_for(version) is warmed


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
    assert not model_serving.version_loaded(version)


def test_a_gunicorn_worker_loads_intake_models_before_its_first_intake(
    served, cold_process, monkeypatch
):
    from config import gunicorn as gunicorn_config

    project, version = served
    policy = IntakePolicyFactory(project=project, automation_level=AutomationLevel.PARTIAL)
    platform, key = platform_with_key()
    grant(policy, platform)
    beats: list[int] = []

    # gunicorn calls this in each new worker once the app is loaded, before any request.
    gunicorn_config.post_worker_init(SimpleNamespace(notify=lambda: beats.append(1)))

    assert model_serving.version_loaded(version)
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["models"]["status"] == "ok"
    # The first intake request loads no model: reading a model's artifact is not allowed now.
    loads: list[int] = []
    monkeypatch.setattr(
        model_serving, "model_version_classifier", lambda *, version: loads.append(version.pk)
    )
    answer = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": "p-1", "author_id": "a", "text": SPAM},
        format="json",
        **auth(key),
    )
    assert answer.status_code in (200, 201), answer.content
    assert answer.json()["verdict"] == "remove"
    assert loads == []


def test_worker_start_loads_nothing_when_turned_off(served, cold_process, settings):
    from config import gunicorn as gunicorn_config

    settings.TANDEM_WARM_INTAKE_MODELS_AT_START = False
    project, version = served
    IntakePolicyFactory(project=project, automation_level=AutomationLevel.FULL)

    gunicorn_config.post_worker_init(SimpleNamespace(notify=lambda: None))

    assert not model_serving.version_loaded(version)
