"""Routing at intake: the first live routing rule that holds names the content's queue, the
default queue takes the rest; background routing rules are logged and never route; routing
does not stop a rule from escalating; a rule cannot name another policy's queue."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import AutomationLevel, ContentState, QueueKind, ReviewTier
from moderation.models import Content, Report, ReviewQueue, Rule, RuleHitLog
from tests.factories import MembershipFactory, UserFactory
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory, ReviewPolicyFactory

pytestmark = pytest.mark.django_db

SPANISH = {"signal": "language", "op": "==", "value": "es"}
DM = {"signal": "metadata", "field": "surface", "op": "==", "value": "dm"}


def _client(policy, role=Role.ADMIN) -> APIClient:
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=role)
    client = APIClient()
    client.force_login(user)
    return client


def _queue(admin, policy, name, **extra) -> dict:
    response = admin.post(
        f"/api/v1/moderation/policies/{policy.pk}/queues/", {"name": name, **extra}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _rule(admin, policy, name, condition, queue, status="live", **extra) -> dict:
    response = admin.post(
        f"/api/v1/moderation/policies/{policy.pk}/rules/",
        {"name": name, "condition": condition, "action": "route", "queue": queue,
         "status": status, **extra},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()


def _intake(key, policy, external_id, text="hello", **context):
    response = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": external_id, "author_id": "a-1", "text": text,
         "context": context},
        format="json",
        **auth(key),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return Content.objects.get(external_id=external_id)


@pytest.fixture
def world():
    policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY)
    platform, key = platform_with_key()
    policy.grants.create(platform=platform)
    admin = _client(policy)
    spanish = _queue(admin, policy, "Spanish")
    dms = _queue(admin, policy, "Direct messages", restricted=True)
    return policy, key, admin, spanish, dms


def test_first_live_routing_rule_that_holds_picks_the_queue(world):
    policy, key, admin, spanish, dms = world
    first = _rule(admin, policy, "spanish first", SPANISH, spanish["id"])
    second = _rule(admin, policy, "direct messages", DM, dms["id"])

    both = _intake(key, policy, "c1", language="es", surface="dm")
    only_dm = _intake(key, policy, "c2", language="en", surface="dm")

    assert both.queue_id == spanish["id"]
    assert only_dm.queue_id == dms["id"]
    assert both.state == only_dm.state == ContentState.PENDING
    # Both rules held for c1; only the first acted on it, and that is audited.
    hits = {(h.rule_id, h.content_id): h.acted for h in RuleHitLog.objects.all()}
    assert hits == {
        (first["id"], both.pk): True,
        (second["id"], both.pk): False,
        (second["id"], only_dm.pk): True,
    }
    acted = AuditEvent.objects.filter(action="rule.act", object_id=str(first["id"])).get()
    assert acted.after["queue"] == spanish["id"]
    # Routing says where content waits; it is not a flag that raises its priority.
    assert not Report.objects.filter(content__in=[both, only_dm]).exists()
    assert both.report_count == 0


def test_reordering_rules_changes_which_one_routes(world):
    policy, key, admin, spanish, dms = world
    first = _rule(admin, policy, "spanish first", SPANISH, spanish["id"])
    _rule(admin, policy, "direct messages", DM, dms["id"])
    moved = admin.patch(f"/api/v1/moderation/rules/{first['id']}/", {"position": 99}, format="json")
    assert moved.status_code == 200

    content = _intake(key, policy, "c1", language="es", surface="dm")

    assert content.queue_id == dms["id"]


def test_content_no_routing_rule_holds_for_goes_to_the_default_queue(world):
    policy, key, admin, spanish, _dms = world
    _rule(admin, policy, "spanish", SPANISH, spanish["id"])

    content = _intake(key, policy, "c1", language="fr")

    default = ReviewQueue.objects.get(policy=policy, kind=QueueKind.DEFAULT)
    assert content.queue_id == default.pk
    assert not RuleHitLog.objects.exists()


def test_a_background_routing_rule_is_logged_and_never_routes(world):
    policy, key, admin, spanish, _dms = world
    rule = _rule(admin, policy, "spanish", SPANISH, spanish["id"], status="background")

    content = _intake(key, policy, "c1", language="es")

    assert content.queue.kind == QueueKind.DEFAULT
    hit = RuleHitLog.objects.get(rule_id=rule["id"])
    assert (hit.content_id, hit.status, hit.acted) == (content.pk, "background", False)
    assert not AuditEvent.objects.filter(action="rule.act").exists()


def test_a_routed_content_can_still_be_escalated_by_a_rule(world):
    policy, key, admin, _spanish, dms = world
    _rule(admin, policy, "direct messages", DM, dms["id"])
    escalate = admin.post(
        f"/api/v1/moderation/policies/{policy.pk}/rules/",
        {"name": "dm escalate", "condition": DM, "action": "escalate", "status": "live"},
        format="json",
    )
    assert escalate.status_code == 201

    content = _intake(key, policy, "c1", surface="dm")

    assert (content.state, content.tier) == (ContentState.ESCALATED, ReviewTier.SENIOR)
    assert content.queue_id == dms["id"]
    senior = UserFactory()
    MembershipFactory(project=policy.project, user=senior, role=Role.SENIOR_MODERATOR)
    client = APIClient()
    client.force_login(senior)
    got = client.post(
        "/api/v1/moderation/queue/next/", {"tier": "senior", "queue": dms["id"]}, format="json"
    )
    assert got.status_code == 200
    assert got.json()["content"]["id"] == content.pk


def test_content_decided_at_intake_is_not_routed_by_a_rule():
    policy = IntakePolicyFactory(automation_level=AutomationLevel.PARTIAL)
    platform, key = platform_with_key()
    policy.grants.create(platform=platform)
    admin = _client(policy)
    spanish = _queue(admin, policy, "Spanish")
    rule = _rule(admin, policy, "spanish", SPANISH, spanish["id"])
    allow = {"signal": "text_length", "op": "<", "value": 100}
    response = admin.post(
        f"/api/v1/moderation/policies/{policy.pk}/rules/",
        {"name": "short is fine", "condition": allow, "action": "allow", "status": "live"},
        format="json",
    )
    assert response.status_code == 201

    content = _intake(key, policy, "c1", language="es")

    assert content.state == ContentState.ALLOWED
    assert content.queue.kind == QueueKind.DEFAULT
    assert RuleHitLog.objects.get(rule_id=rule["id"]).acted is False


def test_a_rule_naming_another_policys_queue_is_refused_and_nothing_changes(world):
    policy, _key, admin, spanish, _dms = world
    other = ReviewPolicyFactory()
    foreign = ReviewQueue.objects.get(policy=other, kind=QueueKind.DEFAULT)
    body = {"name": "steal", "condition": SPANISH, "action": "route", "queue": foreign.pk}

    created = admin.post(f"/api/v1/moderation/policies/{policy.pk}/rules/", body, format="json")
    rule = _rule(admin, policy, "spanish", SPANISH, spanish["id"])
    changed = admin.patch(
        f"/api/v1/moderation/rules/{rule['id']}/", {"queue": foreign.pk}, format="json"
    )

    assert created.status_code == 400
    assert created.json()["extra"]["field"] == "queue"
    assert changed.status_code == 400
    assert not Rule.objects.filter(name="steal").exists()
    assert Rule.objects.get(pk=rule["id"]).queue_id == spanish["id"]
    assert not AuditEvent.objects.filter(action="rule.update").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "route"}, "queue"),
        ({"action": "route", "queue": "appeals"}, "queue"),
        ({"action": "remove", "queue": "spanish"}, "queue"),
        ({"action": "route", "queue": 2**40}, "queue"),
    ],
    ids=["route-without-queue", "route-to-appeals", "queue-on-removal", "huge-id"],
)
def test_routing_rules_are_checked(world, body, field):
    policy, _key, admin, spanish, _dms = world
    appeals = ReviewQueue.objects.get(policy=policy, kind=QueueKind.APPEALS)
    body = {**body}
    if body.get("queue") == "appeals":
        body["queue"] = appeals.pk
    if body.get("queue") == "spanish":
        body["queue"] = spanish["id"]
    response = admin.post(
        f"/api/v1/moderation/policies/{policy.pk}/rules/",
        {"name": "checked", "condition": SPANISH, **body},
        format="json",
    )
    assert response.status_code == 400
    assert field in str(response.json())
    assert not Rule.objects.filter(name="checked").exists()


def test_a_rule_leaving_route_drops_its_queue_and_the_queue_can_then_go(world):
    policy, _key, admin, spanish, _dms = world
    rule = _rule(admin, policy, "spanish", SPANISH, spanish["id"])
    refused = admin.delete(f"/api/v1/moderation/queues/{spanish['id']}/")
    changed = admin.patch(
        f"/api/v1/moderation/rules/{rule['id']}/", {"action": "review"}, format="json"
    )
    deleted = admin.delete(f"/api/v1/moderation/queues/{spanish['id']}/")

    assert refused.status_code == 400
    assert "spanish" in refused.json()["message"]
    assert changed.status_code == 200
    assert (changed.json()["queue"], changed.json()["action"]) == (None, "review")
    assert deleted.status_code == 204
