"""The Models tab's full evaluation in Chromium: the reliability diagram with ECE and Brier, the
worst slice named, the moderation policy's operating points, the slice settings; no sideways
scroll at 1366x768 and 1920x1080."""

import random

import pytest

from labeling.models import Item
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobTrigger
from models_app.models import ModelVersion
from tests.e2e.conftest import log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot
from tests.factories import ItemFactory
from tests.factories.learning import HAM_WORDS, SPAM_WORDS, give_labels, held_out_ids, train_ids
from tests.factories.moderation import PolicyCategoryFactory, PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sliced_project(staff_user):
    """English texts use their class's words only; French ones mix in the other class's words
    nearly half the time: the model does worse on French, the worst slice."""
    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="Spam by language",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
        embedder="hashing",
    )
    rng = random.Random(4)
    truth = {}
    for n in range(600):
        language = "fr" if n % 2 else "en"
        label = "spam" if rng.random() < 0.4 else "ham"
        own, other = (SPAM_WORDS, HAM_WORDS) if label == "spam" else (HAM_WORDS, SPAM_WORDS)
        noise = 0.45 if language == "fr" else 0.0
        words = [rng.choice(other if rng.random() < noise else own) for _ in range(8)]
        item = ItemFactory(project=project, text=" ".join(words) + f" n{n}")
        Item.objects.filter(pk=item.pk).update(metadata={"language": language})
        truth[item.pk] = label
    project.slice_fields = ["language", "text_length"]
    project.save()
    give_labels(train_ids(project, truth)[:200], truth)
    give_labels(held_out_ids(project, truth), truth)
    PolicyCategoryFactory(
        policy=PolicyFactory(project=project, name="Messaging policy"),
        name="Spam",
        label_class="spam",
        remove_threshold=0.9,
        allow_threshold=0.1,
    )
    # Queued after commit (and run there, tasks being eager in tests); run here when it was not.
    training_job_run(job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk)
    assert ModelVersion.objects.filter(owner=project.owner_key).exists()
    return project


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_models_tab_shows_the_reliability_diagram_and_the_worst_slice(
    sliced_project, browser_session, viewport
):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)

    page.goto(browser_session.url(f"/projects/{sliced_project.pk}/models"))
    evaluation = page.get_by_test_id("version-evaluation")
    diagram = evaluation.get_by_test_id("reliability-diagram")
    expect(diagram).to_be_visible()
    expect(diagram.get_by_test_id("calibration-summary")).to_contain_text("ECE 0.")
    expect(diagram.get_by_test_id("calibration-summary")).to_contain_text("Brier score 0.")
    expect(diagram.locator("rect.reliability-bar").first).to_be_visible()
    expect(evaluation.get_by_test_id("pr-curves")).to_be_visible()
    expect(evaluation.get_by_test_id("worst-slice")).to_contain_text("Worst slice: language = fr")
    worst_row = evaluation.get_by_test_id("slices-language").get_by_test_id("worst-slice-row")
    expect(worst_row).to_contain_text("fr")
    expect(evaluation.get_by_test_id("operating-points")).to_contain_text(
        "Policy Messaging policy at its thresholds"
    )
    expect(page.get_by_test_id("slice-settings").get_by_label("language")).to_be_checked()
    evaluation.get_by_test_id("reliability-diagram").scroll_into_view_if_needed()
    snapshot(browser_session, f"models-evaluation-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Models is {scroll_width} px wide in {inner_width} px"
