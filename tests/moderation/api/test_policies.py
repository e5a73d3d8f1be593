"""Policies: categories map to label classes of the linked project; thresholds, rules and
reason codes are checked; every change is audited; who may read, create and change them."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.models import Policy, ReasonCode
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

CATEGORY = {
    "name": "spam",
    "label_class": "spam",
    "severity": 3,
    "remove_threshold": 0.95,
    "allow_threshold": 0.1,
    "sla_hours": 12,
    "rules": [r"\bviagra\b", "free money"],
}


@pytest.fixture
def project():
    return ProjectFactory(label_classes=["ham", "spam", "abuse"])


def member(project, role):
    user = UserFactory()
    if role:
        MembershipFactory(project=project, user=user, role=role)
    client = APIClient()
    client.force_login(user)
    client.user = user
    return client


def create(client, project, **overrides):
    body = {
        "name": "Community rules",
        "project": project.pk,
        "automation_level": "partial",
        "categories": [CATEGORY],
        "reason_codes": [
            {"code": "SPAM-1", "description": "Unsolicited ads", "category": "spam"},
            {"code": "OK", "description": "Fine", "action": "approve"},
        ],
        **overrides,
    }
    return client.post("/api/v1/moderation/policies/", body, format="json")


def test_project_admin_creates_a_policy_with_categories_and_reason_codes(project):
    admin = member(project, Role.ADMIN)

    response = create(admin, project)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["automation_level"] == "partial"
    assert body["categories"][0]["rules"] == CATEGORY["rules"]
    assert {r["code"]: r["category"] for r in body["reason_codes"]} == {
        "SPAM-1": "spam",
        "OK": None,
    }
    event = AuditEvent.objects.get(action="policy.create")
    assert event.actor == admin.user
    assert event.after["categories"][0]["label_class"] == "spam"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label_class": "nudity"}, "not a label class"),
        ({"allow_threshold": 0.96}, "allow threshold must be below"),
        ({"rules": ["(unclosed"]}, "rule '(unclosed' cannot be used"),
        ({"severity": 6}, "severity"),
    ],
)
def test_bad_categories_are_refused_naming_the_problem(project, change, message):
    admin = member(project, Role.ADMIN)

    response = create(admin, project, categories=[{**CATEGORY, **change}])

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not Policy.objects.exists()


def test_only_a_project_admin_may_create_a_policy_on_it(project):
    senior = member(project, Role.SENIOR_MODERATOR)
    outsider_admin = member(ProjectFactory(), Role.ADMIN)

    assert create(senior, project).status_code == 403
    assert create(outsider_admin, project).status_code == 403
    assert not Policy.objects.exists()


def test_update_replaces_lists_and_audits_before_and_after(project):
    admin = member(project, Role.ADMIN)
    policy_id = create(admin, project).json()["id"]
    senior = member(project, Role.SENIOR_MODERATOR)

    response = senior.patch(
        f"/api/v1/moderation/policies/{policy_id}/",
        {
            "automation_level": "full",
            "categories": [
                {**CATEGORY, "remove_threshold": 0.9},
                {"name": "abuse", "label_class": "abuse", "severity": 5},
            ],
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    assert [c["name"] for c in response.json()["categories"]] == ["abuse", "spam"]
    event = AuditEvent.objects.get(action="policy.update")
    assert event.actor == senior.user
    assert event.before["automation_level"] == "partial"
    assert event.after["automation_level"] == "full"
    assert len(event.after["categories"]) == 2
    assert "name" not in event.after  # only what changed


def test_removing_a_category_that_reason_codes_name_needs_them_changed_too(project):
    admin = member(project, Role.ADMIN)
    policy_id = create(admin, project).json()["id"]

    response = admin.patch(
        f"/api/v1/moderation/policies/{policy_id}/",
        {"categories": [{"name": "abuse", "label_class": "abuse"}]},
        format="json",
    )

    assert response.status_code == 400
    assert ReasonCode.objects.filter(code="SPAM-1").exists()


def test_moderators_read_policies_but_cannot_change_them(project):
    admin = member(project, Role.ADMIN)
    policy_id = create(admin, project).json()["id"]
    moderator = member(project, Role.MODERATOR)

    listed = moderator.get("/api/v1/moderation/policies/")
    patched = moderator.patch(
        f"/api/v1/moderation/policies/{policy_id}/", {"automation_level": "full"}, format="json"
    )

    assert listed.json()["count"] == 1
    assert patched.status_code == 403
    assert not AuditEvent.objects.filter(action="policy.update").exists()


def test_reason_codes_keep_the_order_the_editor_gave(project):
    """The review page numbers reason codes 1, 2, 3… in the policy's order: saving must not
    re-sort them by code, or every moderator's digit keys move."""
    admin = member(project, Role.ADMIN)
    codes = [
        {"code": "SPAM-2", "description": "Scam", "category": "spam"},
        {"code": "OK", "description": "Fine", "action": "approve"},
        {"code": "ABUSE", "description": "Insults"},
    ]
    policy_id = create(admin, project, reason_codes=codes).json()["id"]
    assert [r["code"] for r in admin.get(f"/api/v1/moderation/policies/{policy_id}/").json()[
        "reason_codes"
    ]] == ["SPAM-2", "OK", "ABUSE"]  # fmt: skip

    response = admin.patch(
        f"/api/v1/moderation/policies/{policy_id}/",
        {"reason_codes": [codes[2], {"code": "A-NEW", "description": "New"}, codes[0], codes[1]]},
        format="json",
    )

    assert response.status_code == 200, response.content
    saved = ["ABUSE", "A-NEW", "SPAM-2", "OK"]
    assert [r["code"] for r in response.json()["reason_codes"]] == saved
    body = admin.get(f"/api/v1/moderation/policies/{policy_id}/").json()
    assert [r["code"] for r in body["reason_codes"]] == saved
