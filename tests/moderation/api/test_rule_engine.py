"""Rules over signals at intake: a background rule is logged and never acts; a live rule acts
and is audited; banks undo obfuscations; every refusal names the field; other policies' members
and anonymous callers see nothing."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import AutomationLevel, ContentState, ReviewTier
from moderation.models import Content, Report, Rule, RuleHitLog, TextBank
from tests.factories import MembershipFactory, UserFactory
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory

pytestmark = pytest.mark.django_db

SCAM_BANK = {"name": "scam phrases", "terms": ["free money", "crypto giveaway"]}
SCAM_RULE = {
    "name": "scam from new accounts",
    "condition": {
        "all": [
            {"signal": "bank", "bank": "scam phrases"},
            {"signal": "account_age_days", "op": "<", "value": 7},
        ]
    },
    "action": "remove",
    "category": "spam",
}


def _client(policy, role=Role.ADMIN) -> APIClient:
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=role)
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    policy = IntakePolicyFactory(automation_level=AutomationLevel.ASSIST)
    platform, key = platform_with_key()
    policy.grants.create(platform=platform)
    admin = _client(policy)
    assert (
        admin.post(
            f"/api/v1/moderation/policies/{policy.pk}/text-banks/", SCAM_BANK, format="json"
        ).status_code
        == 201
    )
    return policy, key, admin


def _intake(key, policy, external_id, text, **context):
    response = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": external_id, "author_id": "a-1", "text": text,
         "context": context},
        format="json",
        **auth(key),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()


def _rule(admin, policy, **overrides):
    response = admin.post(
        f"/api/v1/moderation/policies/{policy.pk}/rules/", {**SCAM_RULE, **overrides}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_background_rule_is_logged_and_never_acts(world):
    policy, key, admin = world
    rule = _rule(admin, policy, status="background")

    answer = _intake(key, policy, "c1", "Get FR33 m0ney now!", account_age_days=1)

    assert answer["verdict"] == "pending_review"
    content = Content.objects.get(external_id="c1")
    assert content.state == ContentState.PENDING
    hit = RuleHitLog.objects.get(rule_id=rule["id"])
    assert (hit.content_id, hit.status, hit.acted) == (content.pk, "background", False)
    assert not Report.objects.filter(content=content, reporter__startswith="rule:").exists()
    assert not AuditEvent.objects.filter(action="rule.act").exists()
    listed = admin.get(f"/api/v1/moderation/rules/{rule['id']}/").json()
    assert (listed["hits"], listed["acted"]) == (1, 0)


def test_a_live_rule_removes_and_is_audited(world):
    policy, key, admin = world
    rule = _rule(admin, policy, status="live")

    removed = _intake(key, policy, "c1", "crypto g1veaway: f r e e money", account_age_days=2)
    old_account = _intake(key, policy, "c2", "free money", account_age_days=400)
    clean = _intake(key, policy, "c3", "carefree moneylender", account_age_days=1)

    assert removed["verdict"] == "remove"
    assert removed["category"] == "spam"
    assert "live rule 'scam from new accounts': remove" in removed["reasons"]
    assert old_account["verdict"] == "pending_review"
    assert clean["verdict"] == "pending_review"
    event = AuditEvent.objects.get(action="rule.act")
    assert event.object_id == str(rule["id"])
    assert event.after["content"] == Content.objects.get(external_id="c1").pk
    assert event.after["state"] == "removed"
    assert Report.objects.filter(reporter="rule:scam from new accounts").count() == 1
    assert RuleHitLog.objects.filter(rule_id=rule["id"], acted=True).count() == 1


def test_an_escalating_rule_sends_content_to_senior_review(world):
    policy, key, admin = world
    dm = {"signal": "metadata", "field": "surface", "op": "==", "value": "dm"}
    _rule(admin, policy, name="direct messages", action="escalate", status="live", condition=dm)
    _intake(key, policy, "c1", "hello", surface="dm")
    _intake(key, policy, "c2", "hello", surface="post", metadata={"followers": 3})
    content = Content.objects.get(external_id="c1")
    assert (content.state, content.tier) == (ContentState.ESCALATED, ReviewTier.SENIOR)
    assert content.sla_due_at is not None
    assert Content.objects.get(external_id="c2").state == ContentState.PENDING


@pytest.mark.parametrize(
    "context",
    [
        {"metadata": {f"k{n}": n for n in range(51)}},
        {"metadata": {"nested": {"a": 1}}},
        {"metadata": {"long": "x" * 501}},
        {"account_age_days": -1},
        {"surface": "x" * 101},
    ],
    ids=["too-many-keys", "nested", "long-text", "negative-age", "long-surface"],
)
def test_bad_context_is_refused_and_nothing_is_stored(world, context):
    policy, key, _admin = world
    response = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": "c1", "author_id": "a-1", "text": "hi",
         "context": context},
        format="json",
        **auth(key),
    )  # fmt: skip
    assert response.status_code == 400, response.content
    assert not Content.objects.exists()


def test_metadata_fields_reach_rules(world):
    policy, key, admin = world
    big = {"signal": "metadata", "field": "followers", "op": ">=", "value": 1000}
    _rule(admin, policy, name="big accounts", action="review", status="live", condition=big)
    policy.automation_level = AutomationLevel.FULL
    policy.save()
    answer = _intake(key, policy, "c1", "hello", metadata={"followers": 5000})
    assert answer["verdict"] == "pending_review"
    assert "live rule 'big accounts': review" in answer["reasons"]


def test_rules_do_not_remove_on_a_human_only_policy(world):
    policy, key, admin = world
    policy.automation_level = AutomationLevel.HUMAN_ONLY
    policy.save()
    _rule(admin, policy, status="live")
    answer = _intake(key, policy, "c1", "free money", account_age_days=1)
    assert answer["verdict"] == "pending_review"
    assert any("would remove" in reason for reason in answer["reasons"])


def test_a_change_to_a_rule_takes_effect_at_the_next_intake(world):
    policy, key, admin = world
    rule = _rule(admin, policy, status="background")
    assert _intake(key, policy, "c1", "free money", account_age_days=1)["verdict"] == (
        "pending_review"
    )
    response = admin.patch(f"/api/v1/moderation/rules/{rule['id']}/", {"status": "live"},
                           format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert _intake(key, policy, "c2", "free money", account_age_days=1)["verdict"] == "remove"
    change = AuditEvent.objects.get(action="rule.update")
    assert (change.before, change.after) == ({"status": "background"}, {"status": "live"})
    # And a bank change too: the new term hits at once.
    bank = TextBank.objects.get(policy=policy)
    admin.patch(f"/api/v1/moderation/text-banks/{bank.pk}/", {"terms": ["gift card"]},
                format="json")  # fmt: skip
    assert _intake(key, policy, "c3", "G1FT C4RD here", account_age_days=1)["verdict"] == "remove"


def test_an_expired_rule_no_longer_acts(world):
    policy, key, admin = world
    rule = _rule(admin, policy, status="live", expires_at="2099-01-01T00:00:00Z")
    Rule.objects.filter(pk=rule["id"]).update(expires_at="2000-01-01T00:00:00Z")
    assert _intake(key, policy, "c1", "free money", account_age_days=1)["verdict"] == (
        "pending_review"
    )
    assert not RuleHitLog.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"condition": {"signal": "bank", "bank": "nope"}}, "condition"),
        ({"condition": {"any": [{"signal": "mood"}]}}, "condition.any[0].signal"),
        ({"condition": {"signal": "score", "category": "harassment", "op": ">", "value": 0.5}},
         "condition"),
        ({"category": "harassment"}, "category"),
        ({"status": "live", "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_field_and_nothing_is_stored(world, body, field):
    policy, _key, admin = world
    response = admin.post(
        f"/api/v1/moderation/policies/{policy.pk}/rules/", {**SCAM_RULE, **body}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["extra"]["field"] == field
    assert not Rule.objects.exists()


def test_bad_banks_are_refused_by_entry(world):
    policy, _key, admin = world
    url = f"/api/v1/moderation/policies/{policy.pk}/text-banks/"
    bad_pattern = admin.post(url, {"name": "b", "patterns": ["ok", "(a)\\1"]}, format="json")
    assert bad_pattern.status_code == 400
    assert bad_pattern.json()["extra"]["field"] == "patterns[1]"
    duplicate = admin.post(url, SCAM_BANK, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["extra"]["field"] == "name"
    assert TextBank.objects.count() == 1


def test_a_bank_that_rules_read_cannot_be_deleted_or_renamed(world):
    policy, _key, admin = world
    _rule(admin, policy)
    bank = TextBank.objects.get(policy=policy)
    assert admin.delete(f"/api/v1/moderation/text-banks/{bank.pk}/").status_code == 400
    renamed = admin.patch(f"/api/v1/moderation/text-banks/{bank.pk}/", {"name": "x"},
                          format="json")  # fmt: skip
    assert renamed.status_code == 400
    assert TextBank.objects.get(pk=bank.pk).name == "scam phrases"


def test_moderators_read_rules_but_only_policy_admins_write_them(world):
    policy, _key, admin = world
    rule = _rule(admin, policy)
    moderator = _client(policy, Role.MODERATOR)
    assert moderator.get(f"/api/v1/moderation/policies/{policy.pk}/rules/").status_code == 200
    assert moderator.patch(f"/api/v1/moderation/rules/{rule['id']}/", {"status": "live"},
                           format="json").status_code == 403  # fmt: skip
    assert moderator.post(f"/api/v1/moderation/policies/{policy.pk}/rules/",
                          {**SCAM_RULE, "name": "x"}, format="json").status_code == 403  # fmt: skip
    assert Rule.objects.get().status == "draft"


def test_other_policies_members_and_anonymous_callers_see_nothing(world):
    policy, _key, admin = world
    rule = _rule(admin, policy)
    bank = TextBank.objects.get(policy=policy)
    other = _client(IntakePolicyFactory(name="Other"))
    for url in (f"/api/v1/moderation/policies/{policy.pk}/rules/",
                f"/api/v1/moderation/rules/{rule['id']}/",
                f"/api/v1/moderation/policies/{policy.pk}/text-banks/",
                f"/api/v1/moderation/text-banks/{bank.pk}/"):  # fmt: skip
        assert other.get(url).status_code == 404, url
        assert other.patch(url, {"name": "x"}, format="json").status_code in (404, 405), url
        assert other.delete(url).status_code in (404, 405), url
        assert APIClient().get(url).status_code in (401, 403), url
    assert Rule.objects.get().name == SCAM_RULE["name"]
    assert TextBank.objects.get().name == "scam phrases"


def test_a_script_in_a_rule_name_is_stored_as_text(world):
    policy, _key, admin = world
    rule = _rule(admin, policy, name="<script>alert(1)</script>")
    assert admin.get(f"/api/v1/moderation/rules/{rule['id']}/").json()["name"] == (
        "<script>alert(1)</script>"
    )
