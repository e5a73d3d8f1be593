"""The audit log in Chromium: a screen full of events at 1366x768 without sideways scroll, an
event's changes as a field diff on expand, its object a link to the object's page, and the
filtered log downloaded as CSV."""

import csv
import io
import os
from pathlib import Path

import pytest

from core.services.audit import audit_record
from labeling.choices import Role
from tests.e2e.conftest import BrowserSession, log_in
from tests.factories import MembershipFactory
from tests.factories.moderation import PlatformFactory, ReviewPolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [(1366, 768), (1920, 1080)]
EVENTS = 40


@pytest.fixture
def audit_world(staff_user):
    """Forty events of several kinds, the newest a policy change; some values are long enough
    to widen a careless table (a rules list, a long platform name)."""
    policy = ReviewPolicyFactory(name="Community rules")
    # Site staff read the whole log; a policy's page needs a role in its project.
    MembershipFactory(project=policy.project, user=staff_user, role=Role.SENIOR_MODERATOR)
    platform = PlatformFactory(name="Chatter " + "with a very long name " * 6)
    for n in range(EVENTS - 1):
        if n % 3 == 0:
            audit_record(
                actor=staff_user,
                action="platform.create",
                object_type="moderation.platform",
                object_id=platform.pk,
                after={"name": platform.name, "note": "x" * 400},
            )
        elif n % 3 == 1:
            audit_record(
                actor=None,
                actor_name="platform:Chatter",
                action="appeal.create",
                object_type="moderation.appeal",
                object_id=10_000 + n,  # long gone
                scope=f"moderation.policy:{policy.pk}",
                after={"statement": "It was a real prize draw " * 20},
            )
        else:
            audit_record(
                actor=staff_user,
                action="member.role",
                object_type="labeling.membership",
                object_id=n,
                before={"role": "moderator"},
                after={"role": "senior_moderator"},
            )
    audit_record(
        actor=staff_user,
        action="policy.update",
        object_type="moderation.policy",
        object_id=policy.pk,
        scope=f"moderation.policy:{policy.pk}",
        before={"automation_level": "assist", "rules": ["free money"]},
        after={"automation_level": "partial", "rules": ["free money", "click " * 60]},
    )
    return policy


def snapshot(session: BrowserSession, name: str) -> None:
    """A screenshot into ``TANDEM_SCREENSHOT_DIR`` when set, for a person to look at."""
    folder = os.environ.get("TANDEM_SCREENSHOT_DIR")
    if folder:
        session.page.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_a_screen_holds_many_events_without_sideways_scroll(
    audit_world, browser_session: BrowserSession, viewport
):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)

    page.goto(browser_session.url("/moderation/audit"))
    expect(page.get_by_test_id("audit-row")).to_have_count(EVENTS)
    in_view = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=audit-row]')]
            .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length"""
    )
    snapshot(browser_session, f"audit-{width}x{height}")
    assert in_view >= 15, f"only {in_view} events in a {width}x{height} window"
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"the audit page is {scroll_width} px in {inner_width} px"

    page.get_by_test_id("audit-expand").first.click()
    expect(page.get_by_test_id("audit-diff")).to_be_visible()
    snapshot(browser_session, f"audit-expanded-{width}x{height}")
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"expanded, the page is {scroll_width} px wide"
    assert browser_session.js_errors == []


def test_expand_shows_the_diff_the_object_link_opens_its_page_and_the_log_downloads(
    audit_world, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)
    page.goto(browser_session.url("/moderation/audit?action=policy.update"))
    row = page.get_by_test_id("audit-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("audit-summary")).to_contain_text(
        "automation_level: assist → partial"
    )

    row.get_by_test_id("audit-expand").click()
    changed = page.get_by_test_id("audit-diff").locator("tr[data-change=changed]")
    expect(changed).to_have_count(2)
    level = changed.filter(has_text="automation_level")
    expect(level.locator("td")).to_have_text(["assist", "partial"])

    with page.expect_download() as download_info:
        page.get_by_test_id("audit-export-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text("utf-8"))))
    assert [r["action"] for r in rows] == ["policy.update"]

    row.get_by_test_id("audit-object-link").click()
    expect(page.get_by_test_id("policy-name")).to_have_text("Community rules")
    assert page.url.endswith(f"/moderation/policies/{audit_world.pk}")
    assert browser_session.js_errors == []
