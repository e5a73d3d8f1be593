"""Strikes in Chromium: the review panel shows the author's live points, the action in force and
strikes with their expiry; the policy editor's strike settings fit the page at both sizes."""

import pytest

from tests.e2e.conftest import start_reviewing
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot

PASSWORD = "correct horse battery"  # the factories' password
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def struck_author():
    """An author with two 3-point strikes under a policy that suspends at 6 points, and a new
    post of theirs waiting for review."""
    from labeling.choices import Role
    from moderation.choices import DecisionAction
    from moderation.services.decisions import decision_create
    from moderation.services.review import review_next
    from tests.factories.moderation import (
        AuthorFactory,
        ContentFactory,
        PlatformFactory,
        PolicyMemberFactory,
        ReviewPolicyFactory,
    )

    policy = ReviewPolicyFactory(
        name="Chat community rules",
        strike_ttl_days=30,
        strike_thresholds=[
            {"points": 3, "action": "warn"},
            {"points": 6, "action": "suspend", "suspend_days": 7},
            {"points": 12, "action": "ban"},
        ],
    )
    platform = PlatformFactory(name="Riverside chat")
    author = AuthorFactory(platform=platform, external_id="user-<b>77</b>")
    moderator = PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="mia")
    PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR, username="sam")
    for number in (1, 2):
        content = ContentFactory(
            policy=policy, platform=platform, author=author, external_id=f"old-{number}"
        )
        review_next(user=moderator, tier="standard", policy_ids=[policy.pk])
        decision_create(
            content=content, user=moderator, action=DecisionAction.REMOVE, reason_code="SPAM-1"
        )
    ContentFactory(policy=policy, platform=platform, author=author, external_id="new-post")
    return policy


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_review_panel_and_policy_editor_show_strikes(struck_author, browser_session, viewport):
    from playwright.sync_api import expect

    width, height = viewport
    page = start_reviewing(
        browser_session, username="sam", password=PASSWORD, viewport=(width, height)
    )
    expect(page.get_by_test_id("review-external-id")).to_have_text("new-post")
    author = page.get_by_test_id("review-author")
    expect(author).to_contain_text("user-<b>77</b>")
    expect(page.get_by_test_id("author-live-points")).to_have_text("6 live strike points")
    expect(page.get_by_test_id("author-current-action")).to_contain_text("Suspended until")
    expect(page.get_by_test_id("author-strike")).to_have_count(2)
    expect(page.get_by_test_id("author-strike").first).to_contain_text("3 pts (SPAM-1) · expires")
    author.scroll_into_view_if_needed()
    snapshot(browser_session, f"strikes-review-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width

    page.goto(browser_session.url(f"/moderation/policies/{struck_author.pk}"))
    expect(page.get_by_test_id("policy-strike-ttl")).to_have_value("30")
    expect(page.get_by_test_id("policy-threshold-row")).to_have_count(3)
    page.get_by_test_id("policy-thresholds").scroll_into_view_if_needed()
    snapshot(browser_session, f"strikes-policy-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width
    assert browser_session.js_errors == []
