"""Review suspect labels in Chromium: the suspects job's list shows wrong labels first, a batch
is sent for a second opinion, and the dashboard shows the error rates; no sideways scroll."""

import random

import pytest

from labeling.models import SuspectLabel
from labeling.services.learning_jobs import project_suspects_request
from labeling.services.suspects import suspects_job_run
from models_app.choices import JobStatus, JobTrigger
from tests.e2e.conftest import log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot
from tests.factories import UserFactory
from tests.factories.learning import give_labels, make_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def judged_project(staff_user):
    """300 messages, labeled by two people; 30 of bob's labels are wrong; suspects found."""
    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="Spam, judged labels",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
        embedder="hashing",
    )
    truth = make_corpus(project, 300, seed=4, max_noise=0.15)
    ids = sorted(truth)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    flipped = set(random.Random(4).sample(ids[1::2], 30))
    give_labels(ids[::2], truth, annotator=alice)
    give_labels(
        ids[1::2],
        {
            i: ("spam" if truth[i] == "ham" else "ham") if i in flipped else truth[i]
            for i in ids[1::2]
        },
        annotator=bob,
    )
    # The test settings run tasks on commit, in this process: the job has run once this returns.
    job = project_suspects_request(project=project, trigger=JobTrigger.MANUAL)
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        job = suspects_job_run(job_id=job.pk) or job
    assert job.status == JobStatus.SUCCEEDED, job.error
    return project


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_suspects_are_listed_and_a_batch_is_sent_for_a_second_opinion(
    judged_project, browser_session, viewport
):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)

    page.goto(browser_session.url(f"/projects/{judged_project.pk}/models"))
    page.get_by_test_id("suspects-link").click()
    expect(page.get_by_role("heading", name="Review suspect labels")).to_be_visible()
    expect(page.get_by_test_id("suspects-summary")).to_contain_text("people's labels look wrong")
    rows = page.get_by_test_id("suspect-row")
    expect(rows.first).to_be_visible()
    first = SuspectLabel.objects.filter(project=judged_project).order_by("rank").first()
    expect(rows.first).to_contain_text(first.given_label)
    snapshot(browser_session, f"suspect-labels-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Suspects is {scroll_width} px wide in {inner_width} px"

    page.get_by_test_id("suspect-select").nth(0).check()
    page.get_by_test_id("suspect-select").nth(1).check()
    page.get_by_test_id("suspects-send").click()

    expect(page.get_by_test_id("suspects-sent")).to_contain_text("Sent 2 for a second opinion")
    assert SuspectLabel.objects.filter(project=judged_project, status="sent").count() == 2
    page.get_by_role("button", name="Out for review").click()
    expect(page.get_by_test_id("suspect-row")).to_have_count(2)

    page.goto(browser_session.url(f"/projects/{judged_project.pk}/dashboard"))
    people = page.get_by_test_id("label-error-rates-annotators")
    expect(people.get_by_role("rowheader", name="bob")).to_be_visible()
    expect(page.get_by_test_id("label-error-rates-classes")).to_contain_text("spam")
    page.get_by_role("heading", name="Label errors").scroll_into_view_if_needed()
    snapshot(browser_session, f"dashboard-label-errors-{width}x{height}")
    assert browser_session.js_errors == []
