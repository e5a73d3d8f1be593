"""Rules in Chromium: add a text bank, write a rule with the condition builder, backtest it over
the policy's decided content, switch it live, and see intake act on it; the section fits both
window sizes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import BrowserSession, log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (text, state people gave it): three mention the scam, two of them removed.
DECIDED = [
    ("Claim your FR33 M0NEY today", "removed"),
    ("f r e e money for the first 100", "removed"),
    ("Is the free money thing real?", "allowed"),
    ("See you at the match", "allowed"),
    ("Lunch at noon?", "removed"),
]


@pytest.fixture
def policy(staff_user):
    from labeling.services.projects import project_create
    from moderation.models import Content
    from moderation.services.policies import policy_create
    from tests.factories.moderation import ContentFactory, PlatformFactory

    project = project_create(
        created_by=staff_user,
        name="Chat messages",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
    )
    policy = policy_create(
        user=staff_user,
        project_id=project.pk,
        name="Chat community rules",
        automation_level="assist",
        categories=[{"name": "spam", "label_class": "spam", "severity": 3,
                     "remove_threshold": 0.97, "allow_threshold": 0.05, "sla_hours": 4}],
        reason_codes=[{"code": "SPAM-1", "description": "Scam", "action": "remove",
                       "category": "spam"}],
    )  # fmt: skip
    platform = PlatformFactory()
    for n, (text, state) in enumerate(DECIDED):
        content = ContentFactory(policy=policy, platform=platform, text=text, score=None,
                                 state=state)  # fmt: skip
        content.item.text = text
        content.item.save(update_fields=["text"])
        Content.objects.filter(pk=content.pk).update(
            created_at=timezone.now() - timedelta(days=2, hours=n)
        )
    return policy


def test_write_a_rule_backtest_it_and_switch_it_live(policy, browser_session: BrowserSession):
    from playwright.sync_api import expect

    from moderation.models import Rule

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)
    page.goto(browser_session.url(f"/moderation/policies/{policy.pk}"))
    section = page.get_by_test_id("rules-section")
    expect(section.get_by_test_id("rules-empty")).to_contain_text("Write one")

    section.get_by_test_id("add-text-bank").click()
    form = section.get_by_test_id("text-bank-form")
    form.get_by_label("Name").fill("scam phrases")
    form.get_by_label("Terms, one per line").fill("free money\ncrypto giveaway")
    form.get_by_role("button", name="Save bank").click()
    expect(section.get_by_test_id("text-bank")).to_contain_text("scam phrases")

    section.get_by_test_id("write-rule").click()
    rule_form = section.get_by_test_id("rule-form")
    rule_form.get_by_label("Name", exact=True).fill("scam phrases")
    rule_form.get_by_label("Text bank of condition 1").select_option("scam phrases")
    rule_form.get_by_label("Action").select_option("remove")
    rule_form.get_by_label("Category").select_option("spam")
    rule_form.get_by_label("Starts as").select_option("background")
    rule_form.get_by_test_id("rule-submit").click()

    row = section.locator("[data-testid='rule-row'][data-rule='scam phrases']")
    expect(row.get_by_test_id("rule-status")).to_have_attribute("data-status", "background")
    expect(row.get_by_test_id("rule-condition")).to_have_text("When text hits bank “scam phrases”")

    row.get_by_test_id("rule-backtest").click()
    expect(row.get_by_test_id("backtest-results")).to_be_visible(timeout=60_000)
    expect(row.get_by_test_id("backtest-hits")).to_have_text("3")
    expect(row.get_by_test_id("backtest-removed")).to_have_text("2")
    expect(row.get_by_test_id("backtest-allowed")).to_have_text("1")
    expect(row.get_by_test_id("backtest-precision")).to_have_text("67 %")
    snapshot(browser_session, "rules-backtested-1366x768")

    row.get_by_label("Status of scam phrases").select_option("live")
    expect(row.get_by_test_id("rule-status")).to_have_attribute("data-status", "live")
    assert Rule.objects.get(policy=policy).status == "live"
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"the policy page is {scroll_width} px wide"
    assert browser_session.js_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_rule_form_fits_the_window(policy, browser_session: BrowserSession, viewport):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)
    page.goto(browser_session.url(f"/moderation/policies/{policy.pk}"))
    section = page.get_by_test_id("rules-section")
    section.get_by_test_id("write-rule").click()
    rule_form = section.get_by_test_id("rule-form")
    for _ in range(3):
        rule_form.get_by_role("button", name="Add a condition").click()
    rule_form.get_by_label("Signal of condition 2").select_option("metadata")
    rule_form.get_by_label("Signal of condition 3").select_option("score")
    expect(rule_form.get_by_test_id("condition-row")).to_have_count(4)
    rule_form.scroll_into_view_if_needed()
    snapshot(browser_session, f"rule-form-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"the rule form is {scroll_width} px wide in {inner_width}"
    assert browser_session.js_errors == []
