"""Policy rules run with RE2: a pattern that would backtrack for ever in Python's ``re`` simply
works; patterns RE2 cannot run are refused when the policy is saved; only the first
TANDEM_RULE_SCAN_MAX_CHARS characters of a text are scanned."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import AutomationLevel
from moderation.models import Content, Policy, PolicyCategory, Report
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory

pytestmark = pytest.mark.django_db

CATASTROPHIC = "(a+)+$"


def _admin_client(project) -> APIClient:
    user = UserFactory()
    MembershipFactory(project=project, user=user, role=Role.ADMIN)
    client = APIClient()
    client.force_login(user)
    return client


def _category(rules: list[str]) -> dict:
    return {"name": "spam", "label_class": "spam", "rules": rules}


def _intake(key, policy, external_id, text):
    return APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": external_id, "author_id": "a-1", "text": text},
        format="json",
        **auth(key),
    )


def test_a_catastrophic_pattern_saved_as_a_rule_just_works_at_intake():
    """``(a+)+$`` against 99,999 ``a``s and a ``!`` (the whole text within the scan limit)
    never finishes with a backtracking engine; with RE2 the intake answers, without flagging
    (the text does not end in ``a``)."""
    project = ProjectFactory()
    created = _admin_client(project).post(
        "/api/v1/moderation/policies/",
        {"name": "Rules", "project": project.pk, "categories": [_category([CATASTROPHIC])]},
        format="json",
    )
    assert created.status_code == 201, created.content
    policy = Policy.objects.get(pk=created.json()["id"])
    platform, key = platform_with_key()
    policy.grants.create(platform=platform)

    attack = _intake(key, policy, "long", "a" * 99_999 + "!")
    matching = _intake(key, policy, "short", "aaaa")

    assert attack.status_code == 201, attack.content
    assert attack.json()["reasons"] == ["policy is human-only: people decide"]
    assert not Report.objects.filter(content__external_id="long").exists()
    assert matching.status_code == 201
    assert Report.objects.get(content__external_id="short").reporter == CATASTROPHIC


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        (r"(\w+) \1", r"invalid escape sequence: \1"),  # backreference
        (r"free(?=money)", "invalid perl operator: (?="),  # lookahead
        (r"(?<!not )spam", "invalid perl operator: (?<"),  # lookbehind
    ],
)
def test_a_rule_re2_cannot_compile_is_refused_by_name_and_nothing_is_saved(rule, why):
    project = ProjectFactory()
    client = _admin_client(project)

    created = client.post(
        "/api/v1/moderation/policies/",
        {
            "name": "Rules",
            "project": project.pk,
            "categories": [_category(["viagra", rule])],
        },
        format="json",
    )

    assert created.status_code == 400
    body = created.json()
    assert f"rule {rule!r} cannot be used" in body["message"]
    assert why in body["message"]
    assert body["extra"]["rule"] == rule
    assert body["extra"]["rule_index"] == 1
    assert not Policy.objects.exists()
    assert not AuditEvent.objects.filter(action="policy.create").exists()


def test_updating_a_policy_with_a_backreference_rule_changes_nothing():
    project = ProjectFactory()
    client = _admin_client(project)
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.HUMAN_ONLY, spam__rules=["prize"]
    )

    response = client.patch(
        f"/api/v1/moderation/policies/{policy.pk}/",
        {"description": "tightened", "categories": [_category(["prize", r"(a)\1"])]},
        format="json",
    )

    assert response.status_code == 400
    assert r"rule '(a)\\1' cannot be used" in response.json()["message"]
    policy.refresh_from_db()
    assert policy.description == ""
    assert PolicyCategory.objects.get(policy=policy).rules == ["prize"]
    assert not AuditEvent.objects.filter(action="policy.update").exists()


def test_rules_are_case_insensitive_and_scan_only_the_first_characters(settings):
    settings.TANDEM_RULE_SCAN_MAX_CHARS = 1000
    platform, key = platform_with_key()
    policy = IntakePolicyFactory(
        automation_level=AutomationLevel.HUMAN_ONLY, spam__rules=["jackpot"], granted_to=platform
    )

    early = _intake(key, policy, "early", "You hit the JACKPOT! " + "x" * 2000)
    late = _intake(key, policy, "late", "x" * 1000 + " jackpot")

    assert early.status_code == late.status_code == 201
    assert Content.objects.get(external_id="early").report_count == 1
    assert Content.objects.get(external_id="late").report_count == 0
    assert late.json()["category"] is None
