"""One round trip per label in Chromium: three labels, one key each, and no separate request for
the next item; a skip with a reason says so and lands on the dashboard with it; a flag asks what
is unclear and shows that reason in the dashboard's flags list."""

import pytest

from labeling.choices import AssignmentState, Role
from labeling.models import QueueAssignment
from tests.e2e.conftest import BrowserSession, log_in
from tests.e2e.test_browser_annotate import (
    open_workspace,
    read_db,
    shown_item,
    wait_until_prefetched,
    wait_until_saved,
)
from tests.factories import ItemFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue_project(staff_user):
    """A binary project of 12 items in a known queue order, with the annotator ``ann``."""
    from labeling.services.memberships import membership_add
    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="Round trips",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
    )
    for index in range(12):
        ItemFactory(project=project, text=f"Message {index:02d}", priority=100 - index)
    membership_add(project=project, user=UserFactory(username="ann"), role=Role.ANNOTATOR)
    return project


def test_labels_with_one_request_each_and_skip_and_flag_reasons_reach_the_dashboard(
    queue_project, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    posts: list[tuple[str, str]] = []
    browser_session.page.on(
        "request",
        lambda request: (
            posts.append((request.url, request.post_data or ""))
            if request.method == "POST" and "/queue/" in request.url
            else None
        ),
    )
    page = open_workspace(browser_session, queue_project.pk)
    wait_until_prefetched(page)
    nexts_to_start = [url for url, _ in posts if url.endswith("/queue/next/")]

    # Three labels, one key each; the next item comes back with each answer.
    for _ in range(3):
        before = shown_item(page)
        page.keyboard.press("1")
        expect(page.get_by_test_id("annotate-item")).not_to_have_attribute(
            "data-item-id", str(before)
        )
        wait_until_prefetched(page)
    wait_until_saved(page)
    submits = [body for url, body in posts if url.endswith("/submit/")]
    assert len(submits) == 3
    assert all('"next":true' in body for body in submits)
    assert [url for url, _ in posts if url.endswith("/queue/next/")] == nexts_to_start

    # Skip with a reason: Shift+space, a number, Enter; the workspace says what happened.
    skipped = shown_item(page)
    page.keyboard.press("Shift+Space")
    expect(page.get_by_test_id("skip-reason")).to_be_visible()
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("skip-reason")).to_be_hidden()
    expect(page.get_by_test_id("workspace-notice")).to_contain_text("— Not readable.")
    expect(page.get_by_test_id("annotate-item")).not_to_have_attribute("data-item-id", str(skipped))

    # Flag with a reason: f, type it, Enter.
    flagged = shown_item(page)
    page.keyboard.press("f")
    page.get_by_test_id("flag-reason-input").press_sequentially("two labels fit")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("flagged")).to_be_visible()
    wait_until_saved(page)
    assert [url for url, _ in posts if url.endswith("/queue/next/")] == nexts_to_start
    skip = read_db(lambda: QueueAssignment.objects.get(item_id=skipped))
    assert (skip.state, skip.skip_reason) == (AssignmentState.SKIPPED, "Not readable")

    # The project's admin finds both reasons on the dashboard.
    page.context.clear_cookies()
    log_in(browser_session)
    page.goto(browser_session.url(f"/projects/{queue_project.pk}/dashboard"))
    flag_row = page.get_by_test_id("flag-row")
    expect(flag_row).to_contain_text("two labels fit")
    expect(flag_row).to_contain_text(str(read_db(lambda: _external_id(flagged))))
    skip_row = page.get_by_test_id("skip-row")
    expect(skip_row).to_contain_text("Not readable")
    expect(skip_row).to_contain_text("ann")
    assert browser_session.js_errors == []


def _external_id(item_id: int) -> str:
    from labeling.models import Item

    return Item.objects.get(pk=item_id).external_id
