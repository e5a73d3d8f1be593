"""Review queues in Chromium: a moderator picks a queue on the review page (with each queue's
depth and SLA at risk; a restricted queue of another team is not offered) and works through
it; a policy admin adds and restricts a queue, gives it a member and writes a routing rule to
it. Both pages fit 1366x768 and 1920x1080."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import BrowserSession, log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture
def queues_world(staff_user):
    """A policy with its default queue, an open "Spanish" queue and a restricted "Graphic"
    queue the moderator mia is not a member of; two contents wait in Spanish (one due within
    the hour), one in the default queue and the most urgent one in Graphic."""
    from labeling.choices import Role
    from labeling.services.memberships import membership_add
    from labeling.services.projects import project_create
    from moderation.models import Content, ReviewQueue
    from moderation.services.policies import policy_create
    from moderation.services.queues import review_queue_create
    from tests.factories import UserFactory
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
        automation_level="human_only",
        categories=[{"name": "spam", "label_class": "spam", "severity": 3,
                     "remove_threshold": 0.97, "allow_threshold": 0.05, "sla_hours": 4}],
        reason_codes=[
            {"code": "SPAM-1", "description": "Unsolicited ads", "action": "remove",
             "category": "spam"},
            {"code": "OK-1", "description": "Within the rules", "action": "approve",
             "category": None},
        ],
    )  # fmt: skip
    mia = UserFactory(username="mia")
    membership_add(project=project, user=mia, role=Role.MODERATOR)
    default = ReviewQueue.objects.get(policy=policy, kind="default")
    spanish = review_queue_create(policy=policy, user=staff_user, name="Spanish")
    graphic = review_queue_create(policy=policy, user=staff_user, name="Graphic", restricted=True)
    platform = PlatformFactory(name="Chat app")
    now = timezone.now()
    placed = [
        ("es-1", "Gana dinero gratis hoy", spanish, 5.0, now + timedelta(minutes=30)),
        ("es-2", "Nos vemos mañana", spanish, 2.0, now + timedelta(hours=3)),
        ("en-1", "See you at the match", default, 3.0, now + timedelta(hours=3)),
        ("gr-1", "Graphic content only its team may see", graphic, 9.0, now + timedelta(hours=3)),
    ]
    for external_id, text, queue, priority, due in placed:
        content = ContentFactory(policy=policy, platform=platform, external_id=external_id,
                                 text=text, score=None, priority=priority, queue=queue,
                                 sla_due_at=due)  # fmt: skip
        content.item.text = text
        content.item.save(update_fields=["text"])
        Content.objects.filter(pk=content.pk).update(created_at=now - timedelta(hours=2))
    return {"policy": policy, "spanish": spanish, "graphic": graphic, "default": default}


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_moderator_picks_a_queue_and_works_through_it(
    queues_world, browser_session: BrowserSession, viewport
):
    from playwright.sync_api import expect

    from moderation.models import Content

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session, username="mia", password=PASSWORD)
    page.goto(browser_session.url("/moderation/review?tier=standard"))

    picker = page.get_by_test_id("queue-picker-select")
    expect(picker.locator("option")).to_have_count(3)  # all, Default, Spanish: not Graphic
    spanish = queues_world["spanish"]
    expect(picker.locator(f"option[value='{spanish.pk}']")).to_have_text(
        "Spanish — 2 waiting, 1 SLA at risk"
    )
    assert "Graphic" not in picker.inner_text()
    # Without a queue chosen, the most urgent content mia may work (not Graphic's).
    expect(page.get_by_test_id("review-external-id")).to_have_text("es-1")

    picker.select_option(str(spanish.pk))
    expect(page).to_have_url(
        f"{browser_session.url('/moderation/review')}?tier=standard&queue={spanish.pk}"
    )
    expect(page.get_by_test_id("review-external-id")).to_have_text("es-1")
    expect(page.get_by_test_id("queue-picker-figures")).to_have_text(
        "2 waiting · oldest 2 h · 1 SLA at risk"
    )
    expect(page.get_by_test_id("reason-code").first).to_be_visible()
    snapshot(browser_session, f"queue-picker-review-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"the review page is {scroll_width} px wide"

    for key in ["r", "1", "Enter"]:
        page.keyboard.press(key)
    expect(page.get_by_test_id("review-external-id")).to_have_text("es-2")
    expect(page.get_by_test_id("queue-picker-figures")).to_have_text(
        "1 waiting · oldest 2 h · 0 SLA at risk"
    )
    for key in ["a", "1", "Enter"]:
        page.keyboard.press(key)
    # The Spanish queue is done; the default queue's content is not handed out in it.
    expect(page.get_by_test_id("review-empty")).to_be_visible()
    snapshot(browser_session, f"queue-picker-empty-{width}x{height}")

    states = dict(Content.objects.values_list("external_id", "state"))
    assert states == {"es-1": "removed", "es-2": "allowed", "en-1": "pending", "gr-1": "pending"}
    assert Content.objects.get(external_id="gr-1").leased_by_id is None
    assert browser_session.js_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_policy_admin_adds_a_restricted_queue_and_routes_to_it(
    queues_world, browser_session: BrowserSession, viewport
):
    from playwright.sync_api import expect

    from moderation.models import ReviewQueue, Rule

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)
    policy = queues_world["policy"]
    page.goto(browser_session.url(f"/moderation/policies/{policy.pk}"))
    admin = page.get_by_test_id("queue-admin")
    expect(admin.get_by_test_id("queue-admin-row")).to_have_count(4)

    admin.get_by_test_id("queue-new-name").fill("<b>Scams</b>")
    admin.get_by_test_id("queue-create-submit").click()
    row = admin.locator("[data-testid='queue-admin-row'][data-queue='<b>Scams</b>']")
    expect(row.get_by_test_id("queue-name")).to_have_value("<b>Scams</b>")
    # The box shows what is saved: it ticks once the server has restricted the queue.
    row.get_by_test_id("queue-restricted").click()
    expect(row.get_by_test_id("queue-restricted")).to_be_checked()
    expect(row.get_by_test_id("queue-add-member")).to_be_visible()
    row.get_by_test_id("queue-add-member").select_option(label="mia")
    row.get_by_test_id("queue-add-submit").click()
    expect(row.get_by_test_id("queue-member")).to_contain_text("mia")

    rules = page.get_by_test_id("rules-section")
    rules.get_by_test_id("write-rule").click()
    form = rules.get_by_test_id("rule-form")
    form.get_by_label("Name", exact=True).fill("scam words")
    form.get_by_label("Signal of condition 1").select_option("text_length")
    form.get_by_label("Action").select_option("route")
    form.get_by_label("Queue").select_option(label="<b>Scams</b> (restricted)")
    form.get_by_label("Starts as").select_option("live")
    form.get_by_test_id("rule-submit").click()
    rule_row = rules.locator("[data-testid='rule-row'][data-rule='scam words']")
    expect(rule_row).to_contain_text("route to <b>Scams</b>")
    admin.scroll_into_view_if_needed()
    snapshot(browser_session, f"queue-admin-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"the policy page is {scroll_width} px wide"

    queue = ReviewQueue.objects.get(policy=policy, name="<b>Scams</b>")
    assert queue.restricted
    assert list(queue.members.values_list("user__username", flat=True)) == ["mia"]
    assert Rule.objects.get(policy=policy, name="scam words").queue_id == queue.pk
    assert browser_session.js_errors == []
