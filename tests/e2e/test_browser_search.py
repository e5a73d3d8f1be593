"""Investigation in Chromium: search the policy's content, select every match, remove them in
bulk after a confirm dialog showing the count, watch the job finish, and open an author's page
from a result; the search page fits both window sizes."""

import pytest

from tests.e2e.conftest import BrowserSession, log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MATCHING = 60  # more than one page (50): "select all 60 matching" is offered


@pytest.fixture
def policy(staff_user):
    from labeling.services.projects import project_create
    from moderation.services.policies import policy_create
    from tests.factories.moderation import AuthorFactory, ContentFactory, PlatformFactory

    project = project_create(
        created_by=staff_user,
        name="Marketplace listings",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
    )
    policy = policy_create(
        user=staff_user,
        project_id=project.pk,
        name="Marketplace rules",
        automation_level="assist",
        categories=[{"name": "spam", "label_class": "spam", "severity": 3,
                     "remove_threshold": 0.97, "allow_threshold": 0.05, "sla_hours": 4}],
        reason_codes=[{"code": "SPAM-1", "description": "Counterfeit goods", "action": "remove",
                       "category": "spam"}],
    )  # fmt: skip
    platform = PlatformFactory()
    seller = AuthorFactory(platform=platform, external_id="seller-81")
    for n in range(MATCHING):
        # The seller's three are the newest: on the first page of results.
        author = seller if n >= MATCHING - 3 else None
        ContentFactory(policy=policy, platform=platform, author=author,
                       text=f"Replica luxury watches, listing {n}, ships today")  # fmt: skip
    for text in ("Second-hand bicycle, good condition", "Garden chairs, set of four"):
        ContentFactory(policy=policy, platform=platform, text=text)
    return policy


def test_search_select_all_and_remove_in_bulk(policy, browser_session: BrowserSession):
    from playwright.sync_api import expect

    from moderation.models import BulkAction, Content

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)
    page.goto(browser_session.url("/moderation"))
    page.get_by_test_id("tab-moderation-search").click()
    expect(page.get_by_test_id("search-start")).to_contain_text("press Search")

    page.get_by_test_id("search-q").fill("replica watches")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("search-row")).to_have_count(50)
    expect(page.get_by_test_id("search-total")).to_have_text(f"{MATCHING} matches")

    page.get_by_test_id("select-page").check()
    expect(page.get_by_test_id("selection-count")).to_have_text("50 selected")
    page.get_by_test_id("select-all-matching").click()
    expect(page.get_by_test_id("selection-count")).to_have_text(f"{MATCHING} selected")
    page.get_by_test_id("bulk-remove").click()
    dialog = page.get_by_test_id("bulk-dialog")
    expect(dialog.get_by_test_id("bulk-dialog-count")).to_contain_text(str(MATCHING))
    expect(dialog.get_by_test_id("bulk-reason")).to_have_value("SPAM-1")
    snapshot(browser_session, "search-bulk-confirm-1366x768")
    dialog.get_by_test_id("bulk-confirm").click()

    progress = page.get_by_test_id("bulk-progress")
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(progress.get_by_test_id("bulk-progress-text")).to_contain_text(
        f"{MATCHING} removed, 0 already so, 0 failed"
    )
    expect(page.get_by_test_id("search-row-state").first).to_have_text("Removed")
    snapshot(browser_session, "search-bulk-done-1366x768")
    assert BulkAction.objects.get().done_count == MATCHING
    assert Content.objects.filter(policy=policy, state="removed").count() == MATCHING
    assert Content.objects.filter(policy=policy, state="pending").count() == 2
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"the search page is {scroll_width} px wide"

    # The author of a result: their strikes (three removals, 3 points each: the category's) and
    # everything they posted.
    page.get_by_test_id("search-author-link").first.click()
    author = page.get_by_test_id("author-page")
    expect(author).to_contain_text("seller-81")
    expect(author.get_by_test_id("author-live-points")).to_have_text("9 live strike points")
    expect(author.get_by_test_id("search-row")).to_have_count(3)
    snapshot(browser_session, "author-page-1366x768")
    assert browser_session.js_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_search_page_fits_the_window(policy, browser_session: BrowserSession, viewport):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)
    page.goto(browser_session.url("/moderation/search"))
    page.get_by_test_id("search-q").fill("watches")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("search-row")).to_have_count(50)
    page.get_by_test_id("select-row").first.check()
    expect(page.get_by_test_id("bulk-remove")).to_be_in_viewport()
    snapshot(browser_session, f"search-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, (
        f"the search page is {scroll_width} px wide in {inner_width}"
    )
    assert browser_session.js_errors == []
