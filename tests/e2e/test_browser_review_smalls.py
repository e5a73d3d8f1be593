"""The review page's small things in Chromium: the "Enter" badge on "Send decision" can be read,
and leaving the page (closing the tab, going elsewhere) gives the content back at once instead of
holding it until its lease runs out."""

import time

import pytest

from tests.e2e import test_browser_moderation
from tests.e2e.conftest import BrowserSession, log_in
from tests.e2e.test_browser_annotate import read_db
from tests.e2e.test_browser_layout import snapshot
from tests.e2e.test_browser_moderation import PASSWORD, _wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The moderation browser test's world: a policy, a moderator "mia" and four pending contents.
moderation_world = test_browser_moderation.moderation_world


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two CSS ``rgb(...)`` / ``rgba(...)`` colours."""

    def luminance(colour: str) -> float:
        channels = [float(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def open_review(session: BrowserSession) -> None:
    page = session.page
    log_in(session, username="mia", password=PASSWORD)
    page.goto(session.url("/moderation/review?tier=standard"))
    _wait_for(page, "msg-prize")


@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_the_enter_badge_on_send_decision_is_readable(moderation_world, browser_session, viewport):
    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    open_review(browser_session)
    snapshot(browser_session, f"review-{width}x{height}")

    colours = page.get_by_role("button", name="Send decision").evaluate(
        """(button) => {
            const kbd = button.querySelector("kbd");
            const style = getComputedStyle(kbd);
            const background = style.backgroundColor === "rgba(0, 0, 0, 0)"
                ? getComputedStyle(button).backgroundColor : style.backgroundColor;
            return [style.color, background];
        }"""
    )
    text, background = colours
    assert contrast(text, background) >= 3, colours


def test_leaving_the_page_gives_the_content_back(moderation_world, browser_session):
    from moderation.models import Content

    prize = moderation_world["contents"]["msg-prize"]
    open_review(browser_session)

    def holder() -> int | None:
        return Content.objects.values_list("leased_by_id", flat=True).get(pk=prize.pk)

    assert read_db(holder) is not None
    # A real navigation away from the app: what closing the tab does, with a page left to
    # finish the request the app sends on `pagehide`.
    browser_session.page.goto("about:blank")

    deadline = time.monotonic() + 15  # only a bound on waiting, not a timing assertion
    while read_db(holder) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert read_db(holder) is None


@pytest.fixture
def appeal_world(moderation_world):
    """The prize message removed by mia, and its author's appeal for a senior to decide."""
    from django.contrib.auth import get_user_model

    from moderation.choices import ContentState, DecisionAction
    from moderation.models import Content
    from tests.factories.moderation import AppealFactory, DecisionFactory

    prize = moderation_world["contents"]["msg-prize"]
    Content.objects.filter(pk=prize.pk).update(state=ContentState.REMOVED)
    decision = DecisionFactory(
        content=prize,
        action=DecisionAction.REMOVE,
        moderator=get_user_model().objects.get(username="mia"),
        moderator_name="mia",
    )
    return AppealFactory(decision=decision, content=prize, statement="It was a real prize draw.")


@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_appeals_are_decided_from_the_keyboard(appeal_world, browser_session, viewport):
    from playwright.sync_api import expect

    from moderation.models import Appeal

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session, username="sam", password=PASSWORD)
    page.goto(browser_session.url("/moderation/appeals"))
    expect(page.get_by_test_id("appeal")).to_contain_text("It was a real prize draw.")

    page.keyboard.press("u")
    expect(page.get_by_test_id("appeal-uphold")).to_have_attribute("aria-pressed", "true")
    snapshot(browser_session, f"appeals-{width}x{height}")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("appeals-empty")).to_be_visible()
    state = read_db(lambda: Appeal.objects.get(pk=appeal_world.pk).state)
    assert state == "upheld"
    assert browser_session.js_errors == []
