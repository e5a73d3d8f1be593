"""Project settings and the status line in Chromium: a class added on the Settings page is a
label button on Annotate after a reload, a running embedding shows on the project page and on
the projects list, and a member who does not manage the project has no Settings tab."""

from datetime import timedelta

import pytest
from django.utils import timezone

from labeling.choices import ImportStatus, Role
from labeling.models import ImportJob
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import TrainingJob
from tests.e2e.conftest import log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot
from tests.factories import ItemFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANNOTATOR_PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture
def projects(staff_user):
    """A multiclass project with items to label, one embedding its items right now, and one
    whose last import failed; an annotator in the first."""
    from labeling.services.memberships import membership_add
    from labeling.services.projects import project_create

    def create(name, **fields):
        return project_create(
            created_by=staff_user,
            name=name,
            data_type="text",
            task_type="multiclass",
            label_classes=[{"name": "ham"}, {"name": "spam"}],
            retrain_every=0,
            **fields,
        )

    labeling = create("Support tickets", guidelines="Old guidelines.")
    for index in range(5):
        ItemFactory(project=labeling, text=f"Ticket {index}", priority=100 - index)
    membership_add(project=labeling, user=UserFactory(username="ann"), role=Role.ANNOTATOR)

    embedding = create("Reviews being embedded")
    ItemFactory(project=embedding)
    TrainingJob.objects.create(
        owner=embedding.owner_key,
        kind=JobKind.EMBED,
        trigger=JobTrigger.IMPORT,
        status=JobStatus.RUNNING,
        progress=0.25,
        result={"missing": 400},
        started_at=timezone.now() - timedelta(minutes=1),
    )
    broken = create("Broken upload")
    broken.failed_import = ImportJob.objects.create(
        project=broken,
        original_name="tickets.csv",
        format="csv",
        file="imports/tickets.csv",
        status=ImportStatus.FAILED,
        error_message="The file is not UTF-8 (line 3).",
    )
    return labeling, embedding, broken


def test_settings_change_shows_on_annotate_and_status_shows_while_embedding(
    projects, browser_session
):
    from playwright.sync_api import expect

    labeling, embedding, broken = projects
    broken_job = broken.failed_import.pk
    page = browser_session.page
    log_in(browser_session)

    # The projects list: each row says what is happening in its project.
    page.goto(browser_session.url("/projects"))
    rows = page.get_by_test_id("projects-table").locator("tbody tr")
    expect(rows.filter(has_text="Reviews being embedded")).to_contain_text(
        "Embedding items: 100 of 400."
    )
    expect(rows.filter(has_text="Broken upload")).to_contain_text("The last import failed.")
    expect(rows.filter(has_text="Support tickets")).to_contain_text(
        "Label 5 more ham and 5 more spam to train the first model."
    )
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        snapshot(browser_session, f"projects-list-{width}x{height}")
        scroll_width, inner_width = no_sideways_scroll(browser_session)
        assert scroll_width <= inner_width, f"the list is {scroll_width} px in {inner_width} px"

    # The project page: the running embedding, with its progress, above the tabs.
    page.goto(browser_session.url(f"/projects/{embedding.pk}"))
    status = page.get_by_test_id("project-status")
    expect(status).to_have_attribute("data-phase", "embedding")
    expect(status).to_contain_text("Embedding items: 100 of 400.")
    expect(status).to_contain_text("left")
    expect(page.get_by_test_id("project-status-progress")).to_be_visible()
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        snapshot(browser_session, f"project-embedding-{width}x{height}")

    # A failed import: the reason, and a link to that import for those who may open it.
    page.goto(browser_session.url(f"/projects/{broken.pk}"))
    failures = page.get_by_test_id("project-status-failures")
    expect(failures).to_contain_text("The file is not UTF-8 (line 3).")
    failures.get_by_role("link", name="See the import").click()
    expect(page).to_have_url(
        f"{browser_session.url(f'/projects/{broken.pk}/import')}?job={broken_job}"
    )

    # Settings: add a class, rename another, change the guidelines; each part says "Saved".
    page.goto(browser_session.url(f"/projects/{labeling.pk}"))
    page.get_by_test_id("tab-settings").click()
    page.get_by_test_id("add-label-class").click()
    page.get_by_test_id("label-class-name-2").fill("billing <b>issue</b>")
    page.get_by_test_id("label-class-name-1").fill("junk")
    page.get_by_test_id("save-classes").click()
    expect(page.get_by_test_id("saved-classes")).to_have_text("Saved")
    page.get_by_test_id("settings-guidelines").fill("Mark **billing** questions.")
    page.get_by_test_id("guidelines-preview-toggle").click()
    expect(page.get_by_test_id("guidelines-preview").locator("strong")).to_have_text("billing")
    page.get_by_test_id("guidelines-preview-toggle").click()
    page.get_by_test_id("save-guidelines").click()
    expect(page.get_by_test_id("saved-guidelines")).to_be_visible()
    # A name too long for the server is refused under its field, and nothing else is lost.
    page.get_by_test_id("settings-name").evaluate("el => el.removeAttribute('maxlength')")
    page.get_by_test_id("settings-name").fill("x" * 201)
    page.get_by_test_id("save-general").click()
    expect(page.get_by_test_id("settings-name-error")).to_contain_text("200")
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        snapshot(browser_session, f"project-settings-{width}x{height}")
        scroll_width, inner_width = no_sideways_scroll(browser_session)
        assert scroll_width <= inner_width, f"settings are {scroll_width} px in {inner_width} px"

    # Persisted: after a reload the rows hold the saved names; Annotate offers the new class,
    # its markup shown as typed.
    page.reload()
    expect(page.get_by_test_id("label-class-name-1")).to_have_value("junk")
    expect(page.get_by_test_id("label-class-name-2")).to_have_value("billing <b>issue</b>")
    page.get_by_test_id("tab-annotate").click()
    buttons = page.get_by_test_id("label-button")
    expect(buttons).to_have_count(3)
    expect(buttons.nth(2)).to_contain_text("billing <b>issue</b>")
    expect(buttons.nth(1)).to_contain_text("junk")
    page.set_viewport_size({"width": 1366, "height": 768})
    snapshot(browser_session, "annotate-1366x768")
    assert browser_session.js_errors == []

    # An annotator has no Settings tab, and the address alone says they have no access.
    page.context.clear_cookies()
    log_in(browser_session, username="ann", password=ANNOTATOR_PASSWORD)
    page.goto(browser_session.url(f"/projects/{labeling.pk}/settings"))
    expect(page.get_by_test_id("settings-no-access")).to_be_visible()
    expect(page.get_by_test_id("tab-settings")).to_have_count(0)
    expect(page.get_by_test_id("project-status")).to_be_visible()
