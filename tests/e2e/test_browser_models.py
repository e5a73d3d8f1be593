"""The Models tab and the compare screen in Chromium: a version's confusion matrix as a real
table, two versions ticked and compared on the same held-out items, no sideways scroll."""

import pytest

from labeling.choices import AnnotationSource
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobTrigger
from tests.e2e.conftest import log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trained_project(staff_user):
    """Two versions really trained: 40 imported labels, then 60 more by annotators."""
    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="Spam, two versions",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
        embedder="hashing",
    )
    truth = make_corpus(project, 300, seed=11)
    held = held_out_ids(project, truth)
    give_labels(train_ids(project, truth)[:40], truth, source=AnnotationSource.IMPORT)
    give_labels(held[:20], truth, source=AnnotationSource.IMPORT)
    training_job_run(job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk)
    give_labels(train_ids(project, truth)[40:100], truth)
    give_labels(held[20:40], truth)
    training_job_run(job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk)
    return project


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_compare_two_versions_on_the_same_items_from_the_versions_table(
    trained_project, browser_session, viewport
):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)

    page.goto(browser_session.url(f"/projects/{trained_project.pk}/models"))
    detail = page.get_by_test_id("model-version-detail")
    expect(detail.get_by_test_id("trained-on")).to_contain_text(
        "100 labels: 40 imported, 60 by annotators"
    )
    matrix = detail.get_by_role("table", name="Confusion matrix of version")
    expect(matrix.get_by_role("columnheader", name="spam")).to_be_visible()
    expect(matrix.get_by_role("rowheader", name="ham")).to_be_visible()
    expect(page.get_by_test_id("promotion-cell").first).not_to_be_empty()
    snapshot(browser_session, f"models-versions-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Models is {scroll_width} px wide in {inner_width} px"

    page.get_by_role("checkbox", name="Compare version 1").check()
    page.get_by_role("checkbox", name="Compare version 2").check()
    page.get_by_role("link", name="Compare versions 1 and 2").click()

    expect(page).to_have_url(
        f"{browser_session.url('')}/projects/{trained_project.pk}/models/compare?a=1&b=2"
    )
    expect(page.get_by_test_id("shared-items")).to_contain_text("the same 40 held-out items")
    metrics = page.get_by_test_id("compare-metrics")
    accuracy = metrics.locator("[data-metric='Accuracy'] td")
    # Both versions: a score with its interval and n, then the change.
    expect(accuracy.nth(0)).to_contain_text(", n=40)")
    expect(accuracy.nth(1)).to_contain_text(", n=40)")
    expect(page.get_by_role("table", name="Version 1", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name="Version 2", exact=True)).to_be_visible()
    snapshot(browser_session, f"models-compare-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Compare is {scroll_width} px wide in {inner_width} px"
    assert browser_session.js_errors == []
