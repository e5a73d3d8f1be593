"""Quality of moderation and thread context in Chromium: a moderator's review panel shows the
conversation around the content (hostile texts as text), and the quality page shows her own
figures only; the policy lead sees every moderator and the policy's figures, and sets the gold
rate. Screenshots at 1366x768 and 1920x1080, never a sideways scroll."""

import pytest

from tests.e2e.conftest import BrowserSession, log_in, start_reviewing
from tests.e2e.test_browser_annotate import read_db
from tests.e2e.test_browser_layout import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' password
VIEWPORTS = [(1366, 768), (1920, 1080)]
HOSTILE = '<img src=x onerror="alert(1)">Free <script>alert("thread")</script> tickets'


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def forum():
    """A forum thread under "Community rules": a post, two decided replies (one hostile) and
    two pending ones; the lead (senior moderator), ana and ben; gold answers and decisions."""
    from django.utils import timezone

    from labeling.choices import Role
    from moderation.choices import ContentState
    from moderation.models import Decision, GoldItem, QualityTask
    from tests.factories.moderation import (
        AuthorFactory,
        ContentFactory,
        PlatformFactory,
        PolicyMemberFactory,
        ReviewPolicyFactory,
    )

    policy = ReviewPolicyFactory(name="Community rules")
    platform = PlatformFactory(name="Forum")
    lead = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR, username="lead")
    ana = PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="ana")
    ben = PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="ben")

    def message(external_id, text, name, state=ContentState.PENDING, priority=0.5, parent=""):
        content = ContentFactory(
            policy=policy,
            platform=platform,
            external_id=external_id,
            state=state,
            priority=priority,
            parent_external_id=parent,
            author=AuthorFactory(platform=platform, external_id=f"user-{external_id}"),
            context={"author_display_name": name, "account_age_days": 12},
        )
        content.item.text = text
        content.item.save(update_fields=["text"])
        return content

    message(
        "post-1",
        "Anyone selling tickets for Saturday's match?",
        "Matchday Mo",
        ContentState.ALLOWED,
    )
    first = message("reply-1", "I have two, DM me", "Sam", ContentState.ALLOWED, parent="post-1")
    hostile = message("reply-2", HOSTILE, HOSTILE, ContentState.REMOVED, parent="post-1")
    message("reply-3", "Cheap tickets at tix-deals dot biz, pay by gift card only", "Deals4U",
            priority=9.0, parent="post-1")  # fmt: skip
    message("reply-4", "Please don't buy from strangers", "Kim", parent="post-1")
    Decision.objects.create(content=first, moderator=ana, action="approve", is_final=True)
    Decision.objects.create(content=hostile, moderator=ben, action="remove", is_final=True)
    gold = GoldItem.objects.create(policy=policy, content=hostile, expected_action="remove")
    now = timezone.now()
    for user, action in ((ana, "remove"), (ben, "approve")):
        QualityTask.objects.create(
            kind="gold", content=hostile, gold_item=gold, reviewer=user, action=action,
            matches=action == "remove", answered_at=now,
        )  # fmt: skip
    return {"policy": policy.pk, "lead": lead.pk}


def test_the_review_panel_shows_the_thread_and_a_moderator_sees_her_own_figures(
    forum, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    page = start_reviewing(browser_session, username="ana", password=PASSWORD)

    expect(page.get_by_test_id("review-external-id")).to_have_text("reply-3")
    thread = page.get_by_test_id("review-thread")
    expect(thread).to_be_visible()
    expect(page.get_by_test_id("review-author-name")).to_have_text("Deals4U")
    ancestors = page.get_by_test_id("thread-ancestor")
    expect(ancestors).to_have_count(1)
    expect(ancestors.first).to_contain_text("Matchday Mo")
    expect(ancestors.first).to_contain_text("Anyone selling tickets")
    siblings = page.get_by_test_id("thread-sibling")
    expect(siblings).to_have_count(3)
    # The hostile reply is shown as the text it is, its state next to it; nothing ran.
    expect(siblings.nth(1)).to_contain_text(HOSTILE)
    expect(siblings.nth(1).get_by_test_id("thread-state")).to_have_text("Removed")
    assert thread.locator("img, script").count() == 0
    assert browser_session.dialogs == []
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        expect(page.get_by_test_id("review-item")).to_be_in_viewport()
        thread.scroll_into_view_if_needed()
        assert _no_sideways_scroll(page), f"the review panel scrolls sideways at {width}x{height}"
        snapshot(browser_session, f"quality-thread-review-{width}x{height}")

    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_test_id("tab-moderation-quality").click()
    rows = page.get_by_test_id("quality-moderator-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-username", "ana")
    expect(rows.first.get_by_test_id("quality-gold")).to_have_text("100% of 1")
    expect(rows.first.get_by_test_id("quality-decisions")).to_have_text("1")
    expect(page.get_by_test_id("quality-policy")).to_have_count(0)
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert _no_sideways_scroll(page), f"the quality page scrolls sideways at {width}x{height}"
        snapshot(browser_session, f"quality-own-{width}x{height}")
    assert browser_session.js_errors == []


def test_the_policy_lead_sees_every_moderator_and_sets_the_gold_rate(
    forum, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    from moderation.models import QualitySettings

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session, username="lead", password=PASSWORD)
    page.get_by_test_id("nav-moderation").click()
    page.get_by_test_id("tab-moderation-quality").click()

    rows = page.get_by_test_id("quality-moderator-row")
    expect(rows).to_have_count(2)
    ben = page.locator('[data-testid="quality-moderator-row"][data-username="ben"]')
    expect(ben.get_by_test_id("quality-gold")).to_have_text("0% of 1")
    card = page.get_by_test_id("quality-policy")
    expect(card).to_contain_text("Community rules")
    expect(card.get_by_test_id("quality-automated")).to_contain_text(
        "0% (0 automatic, 2 by people)"
    )

    page.get_by_label("Gold items (% of the queue)").fill("2")
    page.get_by_label("Second reviews (% of decisions)").fill("5")
    page.get_by_role("button", name="Save rates").click()
    expect(page.get_by_test_id("quality-settings-saved")).to_have_text("Saved.")
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        expect(page.get_by_role("button", name="Save rates")).to_be_visible()
        assert _no_sideways_scroll(page), f"the quality page scrolls sideways at {width}x{height}"
        snapshot(browser_session, f"quality-lead-{width}x{height}")

    stored = read_db(
        lambda: list(QualitySettings.objects.values_list("gold_rate", "double_review_rate"))
    )
    assert stored == [(0.02, 0.05)]
    assert browser_session.js_errors == []
