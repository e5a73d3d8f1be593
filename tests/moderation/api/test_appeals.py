"""Appeals: sent by the platform with an API key, decided by another senior moderator."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import AnnotationSource, Role
from labeling.models import Annotation
from moderation.choices import AppealState, ContentState
from moderation.models import Appeal, Decision
from moderation.selectors.strikes import author_current_action, author_live_points
from moderation.services.platforms import api_key_create
from tests.factories import UserFactory
from tests.factories.moderation import (
    AuthorFactory,
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
    WebhookEndpointFactory,
    decide_body,
)

pytestmark = pytest.mark.django_db
SECRET = "appeal-hook-secret"


@pytest.fixture
def removed(api, django_capture_on_commit_callbacks):
    """Content removed (with a warning) by a moderator, and a platform key that may appeal."""
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    author = AuthorFactory(platform=platform)
    moderator = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR)
    content = ContentFactory(policy=policy, platform=platform, author=author, external_id="post-1")
    client = api.as_user(moderator)
    client.post("/api/v1/moderation/queue/next/", {}, format="json")
    response = client.post(
        f"/api/v1/moderation/contents/{content.pk}/decide/",
        decide_body(author_action="warn"),
        format="json",
    )
    assert response.status_code == 201, response.content
    key = api_key_create(platform=platform, scopes=["appeals"], created_by=UserFactory()).key
    platform_client = APIClient()
    platform_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return policy, platform, author, moderator, content, platform_client


def _appeal(platform_client, external_id="post-1", statement="It was a real prize draw."):
    return platform_client.post(
        "/api/v1/platform/appeals/",
        {"external_id": external_id, "statement": statement},
        format="json",
    )


def _decide(client, appeal_id, outcome, note=""):
    return client.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decide/",
        {"outcome": outcome, "note": note},
        format="json",
    )


def test_platform_appeals_a_final_decision(removed):
    *_, content, platform_client = removed

    response = _appeal(platform_client)

    assert response.status_code == 201, response.content
    assert response.json()["external_id"] == "post-1"
    appeal = Appeal.objects.get()
    assert appeal.decision == Decision.objects.get(content=content)
    assert appeal.state == AppealState.OPEN
    assert AuditEvent.objects.filter(action="appeal.create").count() == 1


def test_appeal_in_the_audit_log_is_credited_to_the_platform_that_sent_it(removed):
    *_, platform_client = removed
    platform = removed[1]
    _appeal(platform_client)
    admin = APIClient()
    admin.force_authenticate(UserFactory(is_staff=True))

    events = admin.get("/api/v1/audit/", {"action": "appeal.create"}).json()["results"]

    assert [event["actor_name"] for event in events] == [f"platform:{platform.name}"]
    assert events[0]["actor_id"] is None


def test_second_open_appeal_and_unknown_content_are_refused(removed):
    *_, platform_client = removed
    _appeal(platform_client)

    again = _appeal(platform_client)
    unknown = _appeal(platform_client, external_id="never-sent")

    assert again.status_code == 409
    assert unknown.status_code == 404
    assert Appeal.objects.count() == 1


def test_content_without_a_final_decision_cannot_be_appealed(removed):
    policy, platform, *_, platform_client = removed
    ContentFactory(policy=policy, platform=platform, external_id="post-2")

    response = _appeal(platform_client, external_id="post-2")

    assert response.status_code == 409
    assert "no final decision" in response.json()["message"]


def test_key_without_the_appeals_scope_is_refused(removed):
    _policy, platform, *_ = removed
    key = api_key_create(platform=platform, scopes=["intake"], created_by=UserFactory()).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = _appeal(client)

    assert response.status_code == 403
    assert not Appeal.objects.exists()


def test_appeal_by_the_original_moderator_is_refused(removed, api):
    *_, moderator, content, platform_client = removed
    appeal_id = _appeal(platform_client).json()["id"]

    response = _decide(api.as_user(moderator), appeal_id, "overturn")

    assert response.status_code == 403
    assert "another moderator must review it" in response.json()["message"]
    content.refresh_from_db()
    assert content.state == ContentState.REMOVED
    assert Appeal.objects.get().state == AppealState.OPEN
    assert not AuditEvent.objects.filter(action="appeal.decide").exists()


class _Receiver:
    def __init__(self):
        self.received: list[dict] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp = self.headers["X-Tandem-Timestamp"]
                digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
                received.append(
                    {
                        "body": json.loads(body),
                        "signed": self.headers["X-Tandem-Signature"]
                        == f"sha256={digest.hexdigest()}",
                    }
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/appeals"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_overturn_restores_content_corrects_the_label_and_sends_a_webhook(
    removed, api, settings, django_capture_on_commit_callbacks
):
    settings.TANDEM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    policy, platform, author, moderator, content, platform_client = removed
    appeal_id = _appeal(platform_client).json()["id"]
    reviewer = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR)
    receiver = _Receiver()
    WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
    audit_before = AuditEvent.objects.count()

    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = _decide(api.as_user(reviewer), appeal_id, "overturn", "A genuine draw.")
    finally:
        receiver.close()

    assert response.status_code == 200, response.content
    assert response.json()["state"] == AppealState.OVERTURNED
    content.refresh_from_db()
    assert content.state == ContentState.ALLOWED
    assert author_live_points(author_id=author.pk) == 0
    assert author_current_action(author_id=author.pk) is None
    old, new = Decision.objects.filter(content=content).order_by("id")
    assert (old.superseded, old.moderator) == (True, moderator)
    assert (new.action, new.is_final, new.moderator) == ("approve", True, reviewer)
    labels = list(
        Annotation.objects.filter(item=content.item).order_by("id").values_list("source", "labels")
    )
    assert labels == [(AnnotationSource.MODERATION, ["spam"]), (AnnotationSource.APPEAL, ["ham"])]
    lifted, sent = receiver.received
    assert lifted["body"]["event"] == "author.action_lifted"
    assert lifted["body"]["action"]["kind"] == "warn"
    assert sent["signed"]
    assert sent["body"]["event"] == "appeal.decided"
    assert sent["body"]["content"] == {"external_id": "post-1", "state": "allowed"}
    assert sent["body"]["appeal"]["outcome"] == AppealState.OVERTURNED
    assert sent["body"]["decision"]["action"] == "approve"
    # The strike reversed, the warning lifted, the appeal decided.
    assert list(
        AuditEvent.objects.order_by("id").values_list("action", flat=True)[audit_before:]
    ) == ["author.strike_reverse", "author.action_lift", "appeal.decide"]


def test_upheld_appeal_keeps_the_decision_and_the_label(removed, api):
    policy, _platform, author, _moderator, content, platform_client = removed
    appeal_id = _appeal(platform_client).json()["id"]

    response = _decide(
        api.as_user(PolicyMemberFactory(policy=policy, role=Role.ADMIN)), appeal_id, "uphold"
    )

    assert response.status_code == 200
    content.refresh_from_db()
    assert content.state == ContentState.REMOVED
    assert author_live_points(author_id=author.pk) == 3
    assert Annotation.objects.filter(item=content.item).count() == 1
    assert (
        _decide(
            api.as_user(PolicyMemberFactory(policy=policy, role=Role.ADMIN)), appeal_id, "overturn"
        ).status_code
        == 409
    )


def test_appeal_queue_lists_open_appeals_for_senior_moderators_only(removed, api):
    policy, *_, platform_client = removed
    _appeal(platform_client)

    senior = api.as_user(PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR)).get(
        "/api/v1/moderation/appeals/", {"state": "open"}
    )
    moderator = APIClient()
    moderator.force_login(PolicyMemberFactory(policy=policy, role=Role.MODERATOR))
    plain = moderator.get("/api/v1/moderation/appeals/", {"state": "open"})

    assert [a["external_id"] for a in senior.json()["results"]] == ["post-1"]
    assert senior.json()["results"][0]["statement"] == "It was a real prize draw."
    assert plain.json()["results"] == []
