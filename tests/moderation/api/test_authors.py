"""Strike settings on policies (policy managers; checked) and authors' records (live points,
strikes with expiry, actions) for moderators of the policy and the author's own platform only."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import DecisionAction
from moderation.services.decisions import decision_create
from moderation.services.platforms import api_key_create
from moderation.services.review import review_next
from tests.factories import UserFactory
from tests.factories.moderation import (
    AuthorFactory,
    ContentFactory,
    PlatformFactory,
    PolicyGrantFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db
THRESHOLDS = [
    {"points": 6, "action": "suspend", "suspend_days": 7},
    {"points": 3, "action": "warn"},
    {"points": 12, "action": "ban"},
]


def _patch(api, user, policy, body):
    return api.as_user(user).patch(f"/api/v1/moderation/policies/{policy.pk}/", body, format="json")


def test_senior_moderator_sets_strike_settings_and_the_change_is_audited(api):
    policy = ReviewPolicyFactory()
    senior = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR)
    spam = {"name": "spam", "label_class": "spam", "severity": 3, "strike_points": 4}
    reasons = [
        {"code": "SPAM-1", "description": "Ads", "category": "spam", "strike_points": 5},
        {"code": "OK-1", "description": "Fine", "action": "approve"},
        {"code": "ESC-1", "description": "Look", "action": "escalate"},
    ]

    response = _patch(
        api,
        senior,
        policy,
        {"strike_ttl_days": 60, "strike_thresholds": THRESHOLDS, "categories": [spam],
         "reason_codes": reasons},
    )  # fmt: skip

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["strike_ttl_days"] == 60
    assert body["strike_thresholds"] == [
        {"points": 3, "action": "warn", "suspend_days": None},
        {"points": 6, "action": "suspend", "suspend_days": 7},
        {"points": 12, "action": "ban", "suspend_days": None},
    ]
    assert body["categories"][0]["strike_points"] == 4
    assert body["reason_codes"][0]["strike_points"] == 5
    event = AuditEvent.objects.get(action="policy.update")
    assert event.after["strike_ttl_days"] == 60
    assert event.before["strike_ttl_days"] == 90


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"strike_ttl_days": -1}, "strike_ttl_days"),
        ({"strike_ttl_days": 10**9}, "strike_ttl_days"),
        ({"strike_ttl_days": "soon"}, "strike_ttl_days"),
        ({"strike_thresholds": [{"points": -3, "action": "warn"}]}, "strike_thresholds"),
        ({"strike_thresholds": [{"points": 10**12, "action": "ban"}]}, "strike_thresholds"),
        ({"strike_thresholds": [{"points": 3, "action": "jail"}]}, "strike_thresholds"),
        ({"strike_thresholds": [{"points": 3, "action": "suspend"}]}, "strike_thresholds"),
        (
            {"strike_thresholds": [{"points": 3, "action": "warn", "suspend_days": 2}]},
            "strike_thresholds",
        ),
        (
            {
                "strike_thresholds": [
                    {"points": 3, "action": "warn"},
                    {"points": 3, "action": "ban"},
                ]
            },
            "strike_thresholds",
        ),
        (
            {"strike_thresholds": [{"points": n, "action": "warn"} for n in range(1, 12)]},
            "strike_thresholds",
        ),
        ({"strike_thresholds": "lots"}, "strike_thresholds"),
        (
            {"categories": [{"name": "spam", "label_class": "spam", "strike_points": -2}]},
            "categories",
        ),
        (
            {"categories": [{"name": "spam", "label_class": "spam", "strike_points": 101}]},
            "categories",
        ),
    ],
)
def test_bad_strike_settings_are_refused_naming_the_field(api, body, field):
    policy = ReviewPolicyFactory()
    senior = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR)

    response = _patch(api, senior, policy, body)

    assert response.status_code == 400, response.content
    assert response.json()["message"].startswith(field)
    policy.refresh_from_db()
    assert (policy.strike_ttl_days, policy.strike_thresholds) == (90, [])


def test_moderators_cannot_change_strike_settings(api):
    policy = ReviewPolicyFactory()
    moderator = PolicyMemberFactory(policy=policy, role=Role.MODERATOR)
    outsider = UserFactory()

    assert _patch(api, moderator, policy, {"strike_ttl_days": 1}).status_code == 403
    assert _patch(api, outsider, policy, {"strike_ttl_days": 1}).status_code == 404
    policy.refresh_from_db()
    assert policy.strike_ttl_days == 90


@pytest.fixture
def struck():
    """An author with one 3-point strike and a warning (threshold 3) under a policy."""
    policy = ReviewPolicyFactory(strike_thresholds=[{"points": 3, "action": "warn"}])
    platform = PlatformFactory()
    author = AuthorFactory(platform=platform, external_id="user-<script>1")
    moderator = PolicyMemberFactory(policy=policy, role=Role.MODERATOR)
    content = ContentFactory(policy=policy, platform=platform, author=author)
    review_next(user=moderator, tier="standard", policy_ids=[policy.pk])
    decision_create(
        content=content, user=moderator, action=DecisionAction.REMOVE, reason_code="SPAM-1"
    )
    return policy, platform, author, moderator, content


def _key(platform, scopes=("intake",)) -> APIClient:
    key = api_key_create(platform=platform, scopes=list(scopes), created_by=UserFactory()).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_moderator_reads_the_authors_live_points_strikes_and_current_action(api, struck):
    policy, _platform, author, moderator, _content = struck

    response = api.as_user(moderator).get(f"/api/v1/moderation/authors/{author.pk}/")

    assert response.status_code == 200, response.content
    record = response.json()
    assert record["external_id"] == "user-<script>1"  # JSON: the SPA renders it as text
    assert record["live_points"] == 3
    assert record["policies"] == [
        {"policy": policy.pk, "policy_name": policy.name, "live_points": 3}
    ]
    [strike] = record["strikes"]
    assert (strike["points"], strike["reason_code"], strike["state"]) == (3, "SPAM-1", "live")
    assert strike["expires_at"] is not None
    assert record["current_action"]["kind"] == "warn"
    assert [a["kind"] for a in record["actions"]] == ["warn"]


def test_review_panel_shows_the_authors_record(api, struck):
    policy, platform, author, moderator, _content = struck
    later = ContentFactory(policy=policy, platform=platform, author=author)

    detail = api.as_user(moderator).get(f"/api/v1/moderation/contents/{later.pk}/").json()

    assert detail["author"]["live_points"] == 3
    assert detail["author"]["current_action"]["kind"] == "warn"
    assert detail["author"]["strikes"][0]["expires_at"] is not None


def test_author_records_are_refused_to_anonymous_outsiders_and_other_platforms(api, struck):
    policy, platform, author, _moderator, _content = struck
    other_policy = ReviewPolicyFactory()
    outsider = PolicyMemberFactory(policy=other_policy, role=Role.SENIOR_MODERATOR)
    url = f"/api/v1/moderation/authors/{author.pk}/"

    assert APIClient().get(url).status_code in (401, 403)
    assert api.as_user(outsider).get(url).status_code == 404
    assert api.as_user(outsider).get("/api/v1/moderation/authors/999999/").status_code == 404

    own = _key(platform)
    platform_url = "/api/v1/platform/authors/user-<script>1/"
    response = own.get(platform_url)
    assert response.status_code == 200, response.content
    assert response.json()["live_points"] == 3
    assert _key(platform, scopes=["reports"]).get(platform_url).status_code == 403
    other = PlatformFactory()
    PolicyGrantFactory(policy=policy, platform=other)
    assert _key(other).get(platform_url).status_code == 404
    assert APIClient().get(platform_url).status_code in (401, 403)


def test_a_platform_sees_no_strikes_of_a_policy_no_longer_granted(struck):
    policy, platform, _author, _moderator, _content = struck
    policy.grants.filter(platform=platform).delete()

    response = _key(platform).get("/api/v1/platform/authors/user-<script>1/")

    assert response.status_code == 200
    assert (response.json()["live_points"], response.json()["strikes"]) == (0, [])
