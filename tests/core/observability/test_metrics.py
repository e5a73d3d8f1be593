"""``/metrics`` as Prometheus (and an intruder) sees it: who may read it, and each family after
the traffic that feeds it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from labeling.choices import Role
from labeling.models import Item
from labeling.services.learning_jobs import project_embedding_request
from models_app.choices import JobStatus, JobTrigger
from models_app.models import TrainingJob
from moderation.choices import AutomationLevel, ContentState
from moderation.models import Content, WebhookDelivery
from tests.core.observability.scrape import parse, scrape, value
from tests.factories import ItemFactory, MembershipFactory, ProjectFactory, UserFactory
from tests.factories.intake import auth, platform_with_key, trained_project
from tests.factories.moderation import IntakePolicyFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

SPAM = (
    "URGENT! You have won a 1 week FREE membership in our £100,000 Prize Jackpot! Txt the "
    "word: CLAIM to No: 81010 T&C www.dbuk.net LCCLTD POBOX 4403LDNW1A7RW18"
)
HAM = "Ok lar i'm going home now, see you at dinner later tonight"


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


# --- who may read it ----------------------------------------------------------------------------


def test_metrics_answer_a_client_on_this_host_without_a_token(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    families, _ = parse(response.content)
    assert "tandem_metrics_source_up" in families


@pytest.mark.parametrize(
    "headers",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "10.0.0.7"},
        # A reverse proxy on this host forwards an outside client: loopback, but not local.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.9"},
    ],
)
def test_metrics_refuse_clients_from_elsewhere_without_a_token(client, headers):
    response = client.get("/metrics", **headers)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"message", "extra"}
    assert b"tandem_" not in response.content


@pytest.mark.parametrize(
    ("remote", "authorization"),
    [
        ("127.0.0.1", None),  # with a token set, loopback is not enough
        ("203.0.113.9", "Bearer wrong-token"),
        ("203.0.113.9", "Bearer s3cret-metrics-token-extra"),
        ("203.0.113.9", "Token s3cret-metrics-token"),
    ],
)
def test_metrics_refuse_a_missing_or_wrong_token(client, settings, remote, authorization):
    settings.TANDEM_METRICS_TOKEN = "s3cret-metrics-token"
    headers = {"REMOTE_ADDR": remote}
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization

    response = client.get("/metrics", **headers)

    assert response.status_code == 403
    assert b"tandem_" not in response.content


def test_metrics_answer_the_right_token_from_anywhere(client, settings):
    settings.TANDEM_METRICS_TOKEN = "s3cret-metrics-token"

    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"
    )

    assert response.status_code == 200
    assert b"tandem_metrics_source_up" in response.content


# --- request latency per route ------------------------------------------------------------------

ROUTE = "/api/v1/projects/<int:project_id>/"


def test_request_latency_is_labelled_by_url_pattern_never_by_path(client):
    user = UserFactory()
    projects = [ProjectFactory(), ProjectFactory()]
    for project in projects:
        MembershipFactory(project=project, user=user, role=Role.ADMIN)
    api = APIClient()
    api.force_login(user)
    _, before = scrape(client)

    for project in projects:
        assert api.get(f"/api/v1/projects/{project.pk}/").status_code == 200
    assert api.get("/api/v1/no-such-endpoint/12345/").status_code == 404

    _, after = scrape(client)
    count = "tandem_http_request_duration_seconds_count"
    ok = {"route": ROUTE, "method": "GET", "status": "2xx"}
    assert value(after, count, **ok) - value(before, count, **ok) == 2
    unmatched = {"route": "unmatched", "method": "GET", "status": "4xx"}
    assert value(after, count, **unmatched) - value(before, count, **unmatched) == 1
    routes = {dict(labels).get("route") for _name, labels in after}
    for project in projects:
        assert f"/api/v1/projects/{project.pk}/" not in routes
    assert not any("12345" in (route or "") for route in routes)


# --- each family after the traffic that feeds it ------------------------------------------------


@pytest.fixture
def served(dataset_path):
    return trained_project(dataset_path("sms_spam_collection.tsv"))


def test_metrics_expose_intake_queues_sla_and_backlogs_after_traffic(client, served):
    project, _version = served
    platform, key = platform_with_key()
    WebhookEndpointFactory(
        platform=platform, url="http://127.0.0.1:9/hooks/tandem", secret="whsec-metrics-test"
    )
    automatic = IntakePolicyFactory(
        project=project,
        automation_level=AutomationLevel.PARTIAL,
        name="Automatic",
        granted_to=platform,
    )
    people = IntakePolicyFactory(
        project=project,
        automation_level=AutomationLevel.ASSIST,
        name="People decide",
        granted_to=platform,
    )
    _, before = scrape(client)
    intake = APIClient()

    def submit(policy, external_id, text):
        body = {"policy": policy.pk, "external_id": external_id, "author_id": "a-1", "text": text}
        response = intake.post("/api/v1/platform/intake/", body, format="json", **auth(key))
        assert response.status_code in (200, 201), response.content
        return response.json()

    assert submit(automatic, "spam-1", SPAM)["verdict"] == "remove"
    assert submit(automatic, "ham-1", HAM)["verdict"] == "allow"
    assert submit(people, "spam-2", SPAM)["verdict"] == "pending_review"
    assert submit(people, "ham-2", HAM)["verdict"] == "pending_review"
    # The same content again is answered from what is stored: no new verdict.
    assert submit(automatic, "spam-1", SPAM)["verdict"] == "remove"
    # One review deadline is 30 minutes away, the other passed an hour ago.
    now = timezone.now()
    Content.objects.filter(external_id="spam-2").update(sla_due_at=now + timedelta(minutes=30))
    Content.objects.filter(external_id="ham-2").update(sla_due_at=now - timedelta(hours=1))
    # Both automatic decisions queued a content.decided webhook; nothing has sent the first
    # one for 5 minutes.
    first, _second = WebhookDelivery.objects.order_by("id")
    WebhookDelivery.objects.filter(pk=first.pk).update(next_attempt_at=now - timedelta(minutes=5))
    # Another project waits for its vectors: 7 new items and a queued embedding job.
    waiting = ProjectFactory(embedder="hashing")
    for n in range(7):
        ItemFactory(project=waiting, text=f"waiting for a vector {n}")
    embed_job = project_embedding_request(project=waiting, trigger=JobTrigger.MANUAL)

    families, after = scrape(client)

    for family in (
        "tandem_http_request_duration_seconds",
        "tandem_intake_verdicts",
        "tandem_review_queue_open",
        "tandem_review_sla_at_risk",
        "tandem_review_sla_overdue",
        "tandem_annotation_queue_open_items",
        "tandem_webhook_deliveries_pending",
        "tandem_webhook_oldest_due_seconds",
        "tandem_embedding_backlog_items",
        "tandem_embedding_jobs",
        "tandem_metrics_source_up",
    ):
        assert family in families, family

    def verdicts(samples, policy, verdict):
        return value(
            samples, "tandem_intake_verdicts_total", policy=str(policy.pk), verdict=verdict
        )

    assert verdicts(after, automatic, "remove") - verdicts(before, automatic, "remove") == 1
    assert verdicts(after, automatic, "allow") - verdicts(before, automatic, "allow") == 1
    pending = verdicts(after, people, "pending_review") - verdicts(before, people, "pending_review")
    assert pending == 2

    standard = {"policy": str(people.pk), "tier": "standard"}
    assert value(after, "tandem_review_queue_open", **standard) == 2
    assert value(after, "tandem_review_sla_at_risk", **standard) == 2
    assert value(after, "tandem_review_sla_overdue", **standard) == 1
    assert value(after, "tandem_review_queue_open", policy=str(automatic.pk), tier="standard") == 0

    open_items = Item.objects.filter(project=project, queue_done=False).count()
    assert open_items > 0
    assert value(after, "tandem_annotation_queue_open_items", project=str(project.pk)) == open_items

    assert value(after, "tandem_webhook_deliveries_pending") == 2
    assert value(after, "tandem_webhook_oldest_due_seconds") >= 300

    assert value(after, "tandem_embedding_jobs", status="queued") == 1
    assert value(after, "tandem_embedding_backlog_items", project=str(waiting.pk)) == 7

    # Once a worker runs the job it reports what it found; the backlog follows its progress.
    TrainingJob.objects.filter(pk=embed_job.pk).update(
        status=JobStatus.RUNNING, result={"missing": 7}, progress=4 / 7
    )
    _, running = scrape(client)
    assert value(running, "tandem_embedding_jobs", status="running") == 1
    assert value(running, "tandem_embedding_backlog_items", project=str(waiting.pk)) == 3
    for source in ("annotation_queue", "embedding_backlog", "review_queue", "webhooks"):
        assert value(running, "tandem_metrics_source_up", source=source) == 1

    # Deciding the contents empties the queue's figures.
    Content.objects.filter(policy=people).update(state=ContentState.ALLOWED)
    _, decided = scrape(client)
    assert value(decided, "tandem_review_queue_open", **standard) == 0
    assert value(decided, "tandem_review_sla_at_risk", **standard) == 0
