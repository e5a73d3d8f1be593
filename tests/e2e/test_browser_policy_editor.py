"""The policy editor in Chromium: the rules box and the canary label have room, saving says it
saved, reason codes keep the order given (their digit keys on the review page), and a category
added in the form can be picked for a reason code before it is saved."""

import pytest

from tests.e2e.conftest import BrowserSession, log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = ["SPAM-2", "OK-1", "ABUSE-1"]  # not in sorted order


@pytest.fixture
def policy(staff_user):
    from labeling.services.projects import project_create
    from moderation.services.policies import policy_create

    project = project_create(
        created_by=staff_user,
        name="Chat messages",
        data_type="text",
        task_type="multiclass",
        label_classes=[{"name": "ham"}, {"name": "spam"}, {"name": "abuse"}],
        retrain_every=0,
    )
    return policy_create(
        user=staff_user,
        project_id=project.pk,
        name="Chat community rules",
        automation_level="human_only",
        categories=[
            {
                "name": "spam",
                "label_class": "spam",
                "severity": 3,
                "remove_threshold": 0.97,
                "allow_threshold": 0.05,
                "sla_hours": 4,
                "rules": [r"\bfree money\b"],
            }
        ],
        reason_codes=[
            {"code": "SPAM-2", "description": "Scam", "action": "remove", "category": "spam"},
            {"code": "OK-1", "description": "Within the rules", "action": "approve"},
            {"code": "ABUSE-1", "description": "Insults", "action": "remove"},
        ],
    )


def reason_codes_shown(session: BrowserSession) -> list[str]:
    rows = session.page.get_by_test_id("policy-reason-row")
    return [rows.nth(i).get_by_label("Reason code").input_value() for i in range(rows.count())]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_policy_editor_has_room_for_rules_and_the_canary_label(policy, browser_session, viewport):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)
    page.goto(browser_session.url(f"/moderation/policies/{policy.pk}"))
    rules = page.get_by_label("Rules")
    expect(rules).to_have_value(r"\bfree money\b")
    snapshot(browser_session, f"policy-{width}x{height}")

    rules_box = rules.bounding_box()
    assert rules_box is not None
    assert rules_box["width"] >= 200, rules_box
    label = page.locator('label[for="policy-canary"]')
    line_height = label.evaluate("(node) => parseFloat(getComputedStyle(node).lineHeight)")
    label_box = label.bounding_box()
    assert label_box is not None
    assert label_box["height"] < 1.5 * line_height, "the canary label wraps"
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width
    # The form stays in the page's column, the rules box included.
    column = page.locator("main").bounding_box()
    form = page.get_by_test_id("policy-settings").bounding_box()
    assert column is not None
    assert form is not None
    assert form["x"] + form["width"] <= column["x"] + column["width"] + 1
    assert rules_box["x"] + rules_box["width"] <= form["x"] + form["width"]


def test_saving_confirms_keeps_the_order_and_offers_new_categories(policy, browser_session):
    from playwright.sync_api import expect

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)
    page.goto(browser_session.url(f"/moderation/policies/{policy.pk}"))
    expect(page.get_by_test_id("policy-reason-row")).to_have_count(3)
    assert reason_codes_shown(browser_session) == CODES

    # A category added in the form is offered to reason codes before it is saved.
    page.get_by_role("button", name="Add a category").click()
    new_category = page.get_by_test_id("policy-category-row").last
    new_category.get_by_label("Category name").fill("abuse")
    new_category.get_by_label("Label class").select_option("abuse")
    abuse_reason = page.get_by_test_id("policy-reason-row").nth(2)
    abuse_reason.get_by_label("Reason category").select_option("abuse")

    page.get_by_test_id("policy-save").click()

    expect(page.get_by_test_id("policy-saved")).to_be_visible()
    expect(page.get_by_test_id("policy-category-row")).to_have_count(2)
    assert reason_codes_shown(browser_session) == CODES
    page.reload()
    expect(page.get_by_test_id("policy-reason-row")).to_have_count(3)
    assert reason_codes_shown(browser_session) == CODES
    expect(
        page.get_by_test_id("policy-reason-row").nth(2).get_by_label("Reason category")
    ).to_have_value("abuse")
    assert browser_session.js_errors == []
