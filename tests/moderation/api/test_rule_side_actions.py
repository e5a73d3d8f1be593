"""Live rules that act beside the verdict: "strike" gives the content's author the rule's
points (audited, thresholds act), "notify" sends one signed ``rule.notify`` webhook. Background
rules never do either; the rule editor refuses points outside 1..100."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import AutomationLevel, ContentState
from moderation.models import AuthorSanction, Content, RuleHitLog, Strike, WebhookDelivery
from tests.factories import MembershipFactory, UserFactory
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {"signal": "account_age_days", "op": "<", "value": 7}


def _client(policy, role=Role.ADMIN) -> APIClient:
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=role)
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    policy = IntakePolicyFactory(
        automation_level=AutomationLevel.ASSIST,
        strike_ttl_days=30,
        strike_thresholds=[{"points": 10, "action": "warn"}],
    )
    platform, key = platform_with_key()
    policy.grants.create(platform=platform)
    WebhookEndpointFactory(platform=platform)
    return policy, key, _client(policy)


def _intake(key, policy, external_id, author="a-1", **context):
    response = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": external_id, "author_id": author,
         "text": "hello there", "context": context},
        format="json",
        **auth(key),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return Content.objects.get(external_id=external_id)


def _rule(admin, policy, expect=201, **fields):
    body = {"name": "new accounts", "condition": NEW_ACCOUNT, "status": "live", **fields}
    response = admin.post(f"/api/v1/moderation/policies/{policy.pk}/rules/", body, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def test_a_live_strike_rule_strikes_the_author_at_intake_and_is_audited(world):
    policy, key, admin = world
    rule = _rule(admin, policy, action="strike", strike_points=6, category="spam")

    first = _intake(key, policy, "c1", account_age_days=1)
    second = _intake(key, policy, "c2", account_age_days=2)
    _intake(key, policy, "c3", author="a-2", account_age_days=900)

    # The verdict is left to the model and the other rules.
    assert first.state == ContentState.PENDING
    strikes = list(Strike.objects.order_by("id"))
    assert [(s.content_id, s.rule_id, s.points, s.decision_id) for s in strikes] == [
        (first.pk, rule["id"], 6, None),
        (second.pk, rule["id"], 6, None),
    ]
    assert strikes[0].category.name == "spam"
    assert strikes[0].expires_at is not None
    audited = AuditEvent.objects.filter(action="author.strike").order_by("id")
    assert [(e.after["rule"], e.after["points"], e.after["live_points"]) for e in audited] == [
        (rule["id"], 6, 6),
        (rule["id"], 6, 12),
    ]
    assert AuditEvent.objects.filter(action="rule.act").count() == 2
    assert RuleHitLog.objects.filter(rule_id=rule["id"], acted=True).count() == 2
    # 12 live points cross the policy's threshold of 10: the author is warned, by webhook too.
    assert list(AuthorSanction.objects.values_list("kind", "threshold_points")) == [("warn", 10)]
    assert WebhookDelivery.objects.filter(event="author.actioned").count() == 1
    record = admin.get(f"/api/v1/moderation/authors/{first.author_id}/").json()
    assert record["live_points"] == 12
    assert [s["rule"] for s in record["strikes"]] == [rule["id"], rule["id"]]


def test_a_live_notify_rule_sends_one_webhook_per_content(world):
    policy, key, admin = world
    rule = _rule(admin, policy, action="notify")

    _intake(key, policy, "c1", account_age_days=1)
    _intake(key, policy, "c2", account_age_days=300)

    deliveries = list(WebhookDelivery.objects.filter(event="rule.notify"))
    assert len(deliveries) == 1
    assert deliveries[0].payload["rule"] == {"id": rule["id"], "name": "new accounts"}
    assert deliveries[0].payload["content"]["external_id"] == "c1"
    assert AuditEvent.objects.get(action="rule.act").after["action"] == "notify"
    assert not Strike.objects.exists()


@pytest.mark.parametrize("action", ["strike", "notify"])
def test_background_strike_and_notify_rules_never_act(world, action):
    policy, key, admin = world
    points = {"strike_points": 5} if action == "strike" else {}
    rule = _rule(admin, policy, action=action, status="background", **points)

    _intake(key, policy, "c1", account_age_days=1)

    assert RuleHitLog.objects.get(rule_id=rule["id"]).acted is False
    assert not Strike.objects.exists()
    assert not WebhookDelivery.objects.filter(event="rule.notify").exists()
    assert not AuditEvent.objects.filter(action__in=["rule.act", "author.strike"]).exists()


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"action": "strike"}, "1 to 100"),
        ({"action": "strike", "strike_points": 0}, "strike_points"),
        ({"action": "strike", "strike_points": 101}, "strike_points"),
        ({"action": "strike", "strike_points": "many"}, "strike_points"),
        ({"action": "remove", "strike_points": 3}, "Only a strike rule"),
    ],
)
def test_strike_points_outside_1_to_100_are_refused_and_nothing_is_stored(world, fields, problem):
    policy, _, admin = world

    body = _rule(admin, policy, expect=400, **fields)

    assert problem in str(body)
    assert not policy.rules.exists()


def test_changing_a_strike_rule_to_another_action_drops_its_points_audited(world):
    policy, _, admin = world
    rule = _rule(admin, policy, action="strike", strike_points=4)

    changed = admin.patch(
        f"/api/v1/moderation/rules/{rule['id']}/", {"action": "notify"}, format="json"
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["strike_points"] is None
    event = AuditEvent.objects.get(action="rule.update")
    assert event.before == {"action": "strike", "strike_points": 4}
    assert event.after == {"action": "notify", "strike_points": None}
