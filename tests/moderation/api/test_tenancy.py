"""Tenant isolation: a platform's key uses only the policies granted to its platform, and a
moderator sees only content of the policies they moderate.

Platform A may use policy A, which has a keyword rule and a hash-bank entry for a known text;
platform B may use policy B only. B's key sends A's policy id (and asks about A's content) on
every platform endpoint: each answer must be the 404 a nonexistent id gets, store nothing, and
say nothing of policy A (no verdict, score, hash or rule result), without even looking at A's
hash bank or rules.
"""

import hashlib

import numpy as np
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from labeling.models import Item
from labeling.selectors.embedders import project_embedder_name
from models_app.services.embeddings import embedding_store
from moderation.choices import AutomationLevel, ContentState
from moderation.models import Appeal, Author, Content, PolicyGrant, Report
from moderation.services import hashbank, rules
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import (
    AuthorFactory,
    ContentFactory,
    HashEntryFactory,
    IntakePolicyFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db

KNOWN_BAD = "Claim your FREE prize now: send your card number to 0800-WIN-NOW"
SCOPES = ("intake", "reports", "appeals")
MISSING_POLICY = 987654


@pytest.fixture
def tenants():
    platform_a, key_a = platform_with_key("Platform A", scopes=SCOPES)
    platform_b, key_b = platform_with_key("Platform B", scopes=SCOPES)
    # Partial automation: a hash match removes content at once (and says so in the answer).
    policy_a = IntakePolicyFactory(
        project=ProjectFactory(name="Project A"),
        name="Policy A",
        automation_level=AutomationLevel.PARTIAL,
        spam__rules=["prize"],
        granted_to=platform_a,
    )
    HashEntryFactory(
        kind="sha256",
        value=hashlib.sha256(KNOWN_BAD.encode()).hexdigest(),
        category=policy_a.categories.get(),
    )
    policy_b = IntakePolicyFactory(
        project=ProjectFactory(name="Project B"),
        name="Policy B",
        automation_level=AutomationLevel.HUMAN_ONLY,
        granted_to=platform_b,
    )
    # A's content: removed by the hash bank, with a final decision B could try to appeal.
    answer = _intake(key_a, policy_a.pk, "a-1", KNOWN_BAD)
    assert answer.status_code == 201, answer.content
    assert answer.json()["verdict"] == "remove"
    # Nothing of A cached in this process before B's requests.
    hashbank._banks.clear()
    rules._compiled.clear()
    return {
        "policy_a": policy_a,
        "policy_b": policy_b,
        "platform_b": platform_b,
        "key_a": key_a,
        "key_b": key_b,
    }


def _intake(key, policy_id, external_id, text, author="author-1"):
    return APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy_id, "external_id": external_id, "author_id": author, "text": text},
        format="json",
        **auth(key),
    )


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (Content, Item, Author, Report, Appeal)
    }


def _unknown_policy(policy_id: int) -> dict:
    return {"message": f"Unknown policy {policy_id}.", "extra": {"policy": policy_id}}


def _nothing_of_policy_a_was_looked_at(policy_a) -> None:
    assert policy_a.pk not in hashbank._banks
    assert policy_a.pk not in rules._compiled


def test_intake_under_another_platforms_policy_answers_like_a_missing_policy(tenants):
    before = _counts()

    theirs = _intake(tenants["key_b"], tenants["policy_a"].pk, "b-1", KNOWN_BAD)
    missing = _intake(tenants["key_b"], MISSING_POLICY, "b-1", KNOWN_BAD)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == _unknown_policy(tenants["policy_a"].pk)
    assert missing.json() == _unknown_policy(MISSING_POLICY)
    assert _counts() == before
    _nothing_of_policy_a_was_looked_at(tenants["policy_a"])


def test_batch_lists_ungranted_policies_as_404_errors_and_stores_only_the_rest(tenants):
    policy_a, policy_b = tenants["policy_a"], tenants["policy_b"]
    before = _counts()
    items = [
        {"policy": policy_b.pk, "external_id": "b-ok", "author_id": "author-ok", "text": "hello"},
        {"policy": policy_a.pk, "external_id": "b-x", "author_id": "author-x", "text": KNOWN_BAD},
        {"policy": MISSING_POLICY, "external_id": "b-y", "author_id": "author-y", "text": "hi"},
    ]

    response = APIClient().post(
        "/api/v1/platform/intake/batch/",
        {"items": items},
        format="json",
        **auth(tenants["key_b"]),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["external_id"] for r in body["results"]] == ["b-ok"]
    assert body["errors"] == [
        {"index": 1, "status": 404, **_unknown_policy(policy_a.pk)},
        {"index": 2, "status": 404, **_unknown_policy(MISSING_POLICY)},
    ]
    after = _counts()
    assert after["Content"] == before["Content"] + 1
    assert after["Item"] == before["Item"] + 1
    assert after["Report"] == before["Report"]
    assert not Author.objects.filter(external_id__in=["author-x", "author-y"]).exists()
    assert not Content.objects.filter(external_id__in=["b-x", "b-y"]).exists()
    _nothing_of_policy_a_was_looked_at(policy_a)


def test_reports_appeals_and_status_of_another_platforms_content_answer_like_unknown_ids(tenants):
    key_b, external_id = tenants["key_b"], "a-1"
    client = APIClient()
    before = _counts()

    def report(eid):
        return client.post(
            "/api/v1/platform/reports/",
            {"external_id": eid, "reporter_id": "reporter-9"},
            format="json",
            **auth(key_b),
        )

    def appeal(eid):
        return client.post(
            "/api/v1/platform/appeals/",
            {"external_id": eid, "statement": "This was not spam."},
            format="json",
            **auth(key_b),
        )

    def status(eid):
        return client.get(f"/api/v1/platform/contents/{eid}/", **auth(key_b))

    for call in (report, appeal, status):
        theirs, unknown = call(external_id), call("never-sent")
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.json() == {
            **unknown.json(),
            "extra": dict.fromkeys(unknown.json()["extra"], external_id),
        }
        assert "verdict" not in theirs.json()
    assert _counts() == before
    assert Content.objects.get(external_id="a-1").report_count == 2  # hash + rule, as before


def test_a_revoked_grant_stops_intake_reports_appeals_and_status_at_once(tenants):
    platform_b, policy_b, key_b = tenants["platform_b"], tenants["policy_b"], tenants["key_b"]
    client = APIClient()
    assert _intake(key_b, policy_b.pk, "b-1", "Selling my old bike, anyone?").status_code == 201
    content = Content.objects.get(external_id="b-1")
    Content.objects.filter(pk=content.pk).update(state=ContentState.REMOVED)
    content.decisions.create(action="remove", is_final=True, moderator_name="mo")
    staff = APIClient()
    staff.force_login(UserFactory(is_staff=True))

    revoked = staff.delete(f"/api/v1/moderation/platforms/{platform_b.pk}/grants/{policy_b.pk}/")

    assert revoked.status_code == 204
    assert AuditEvent.objects.filter(action="policy_grant.delete").count() == 1
    before = _counts()
    new = _intake(key_b, policy_b.pk, "b-2", "Anyone up for football?")
    again = _intake(key_b, policy_b.pk, "b-1", "Selling my old bike, anyone?")
    status = client.get("/api/v1/platform/contents/b-1/", **auth(key_b))
    unknown_status = client.get("/api/v1/platform/contents/never-sent/", **auth(key_b))

    def report(eid):
        return client.post(
            "/api/v1/platform/reports/",
            {"external_id": eid, "reporter_id": "r"},
            format="json",
            **auth(key_b),
        )

    def appeal(eid):
        return client.post(
            "/api/v1/platform/appeals/", {"external_id": eid}, format="json", **auth(key_b)
        )

    reported, unknown_report = report("b-1"), report("never-sent")
    appealed, unknown_appeal = appeal("b-1"), appeal("never-sent")

    assert new.status_code == 404
    assert new.json() == _unknown_policy(policy_b.pk)
    assert again.status_code == 404
    assert status.status_code == 404
    assert status.json() == unknown_status.json()
    assert reported.status_code == unknown_report.status_code == 404
    assert reported.json() == unknown_report.json()
    assert appealed.status_code == unknown_appeal.status_code == 404
    assert appealed.json() == {**unknown_appeal.json(), "extra": {"external_id": "b-1"}}
    assert _counts() == before
    # The content stays with its policy: moderators still have it.
    assert Content.objects.get(pk=content.pk).policy_id == policy_b.pk

    # Granted again, the platform reads its content again.
    assert (
        staff.put(f"/api/v1/moderation/platforms/{platform_b.pk}/grants/{policy_b.pk}/").status_code
        == 201
    )
    assert client.get("/api/v1/platform/contents/b-1/", **auth(key_b)).status_code == 200


# --- what a moderator sees ------------------------------------------------------------------


@pytest.fixture
def two_policies():
    """One platform, one author posting under two policies, a moderator in each policy."""
    policy_1 = ReviewPolicyFactory()
    policy_2 = ReviewPolicyFactory()
    platform = platform_with_key("Shared platform")[0]
    author = AuthorFactory(platform=platform)
    return {
        "policy_1": policy_1,
        "policy_2": policy_2,
        "platform": platform,
        "author": author,
        "moderator_1": PolicyMemberFactory(policy=policy_1, role=Role.MODERATOR),
        "moderator_2": PolicyMemberFactory(policy=policy_2, role=Role.MODERATOR),
    }


def _detail(user, content):
    client = APIClient()
    client.force_login(user)
    response = client.get(f"/api/v1/moderation/contents/{content.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_author_history_lists_only_content_of_policies_the_viewer_moderates(two_policies):
    w = two_policies
    first = ContentFactory(policy=w["policy_1"], platform=w["platform"], author=w["author"])
    other = ContentFactory(
        policy=w["policy_2"], platform=w["platform"], author=w["author"], state="removed"
    )
    other.decisions.create(action="remove", is_final=True, moderator_name="mo-2")
    later = ContentFactory(policy=w["policy_1"], platform=w["platform"], author=w["author"])
    both = PolicyMemberFactory(policy=w["policy_1"], role=Role.MODERATOR)
    MembershipFactory(project=w["policy_2"].project, user=both, role=Role.MODERATOR)

    seen_by_1 = _detail(w["moderator_1"], first)["author_history"]
    seen_by_2 = _detail(w["moderator_2"], other)["author_history"]
    seen_by_both = _detail(both, first)["author_history"]

    assert [c["id"] for c in seen_by_1] == [later.pk]
    assert seen_by_2 == []
    assert {c["id"] for c in seen_by_both} == {later.pk, other.pk}
    # Moderator 1 cannot open the other policy's content either.
    client = APIClient()
    client.force_login(w["moderator_1"])
    assert client.get(f"/api/v1/moderation/contents/{other.pk}/").status_code == 404


def test_similar_content_never_shows_another_policys_content():
    """Two policies on one project share its embeddings: the nearest decided content of the
    other policy is not among the similar ones."""
    policy_1 = ReviewPolicyFactory()
    policy_2 = ReviewPolicyFactory(project=policy_1.project)
    platform = platform_with_key("Shared platform")[0]
    moderator = PolicyMemberFactory(policy=policy_1, role=Role.MODERATOR)
    content = ContentFactory(policy=policy_1, platform=platform)
    mine = ContentFactory(policy=policy_1, platform=platform, state="allowed")
    theirs = ContentFactory(policy=policy_2, platform=platform, state="allowed")
    Content.objects.filter(pk__in=[mine.pk, theirs.pk]).update(decided_at=timezone.now())
    project = policy_1.project
    embedding_store(
        owner=project.owner_key,
        embedder=project_embedder_name(project=project),
        object_ids=[content.item_id, mine.item_id, theirs.item_id],
        vectors=np.array([[1, 0, 0], [0, 1, 0], [1, 0.01, 0]], dtype=np.float32),
    )

    similar = _detail(moderator, content)["similar"]

    assert [row["content"]["id"] for row in similar] == [mine.pk]


def test_grants_are_kept_per_pair_and_listed_on_the_policy(tenants):
    policy_a = tenants["policy_a"]
    admin = PolicyMemberFactory(policy=policy_a, role=Role.ADMIN)
    client = APIClient()
    client.force_login(admin)

    detail = client.get(f"/api/v1/moderation/policies/{policy_a.pk}/").json()

    assert [p["name"] for p in detail["granted_platforms"]] == ["Platform A"]
    assert PolicyGrant.objects.filter(policy=policy_a).count() == 1
