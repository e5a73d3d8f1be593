"""The Datasets tab in Chromium: cut a snapshot of real SMS labels with a preview of its counts,
watch it to the end, download the Parquet export the cut wrote and read it back with pyarrow; cut a
second, narrower one and compare the two; the tab's layout at the two usual window sizes."""

import io
import re
import zipfile
from pathlib import Path

import pytest

from labeling.choices import AnnotationSource
from labeling.models import Item
from tests.e2e.conftest import BrowserSession, log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot
from tests.factories import ItemFactory
from tests.factories.intake import sms_rows
from tests.factories.learning import give_labels
from tests.skips import dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMS_ITEMS = 200


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.fixture
def sms_project(staff_user):
    """200 distinct SMS messages with their real labels: most by annotators, the held-out ones
    imported; the staff user is the project's admin."""
    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="SMS spam datasets",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
        embedder="hashing",
    )
    labels: dict[int, str] = {}
    seen: set[str] = set()
    for label, text in sms_rows(dataset("sms_spam_collection.tsv")):
        if text in seen:
            continue
        seen.add(text)
        labels[ItemFactory(project=project, text=text).pk] = label
        if len(labels) == SMS_ITEMS:
            break
    held_out = set(
        Item.objects.filter(project=project, split__in=["dev", "test"]).values_list("id", flat=True)
    )
    give_labels([pk for pk in labels if pk not in held_out], labels)
    give_labels([pk for pk in labels if pk in held_out], labels, source=AnnotationSource.IMPORT)
    project.expected_labels = labels  # read by the test, not stored
    return project


def parquet_tables(payload: bytes) -> dict[str, object]:
    """The Parquet files of a download (a zip of one file per split, or one bare file)."""
    import pyarrow.parquet as pq

    if payload[:4] == b"PAR1":
        return {"all": pq.read_table(io.BytesIO(payload))}
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return {
            name: pq.read_table(io.BytesIO(archive.read(name)))
            for name in archive.namelist()
            if name.endswith(".parquet")
        }


def cut_snapshot(page, *, name: str, classes: tuple[str, ...] = ()) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("cut-snapshot").click()
    dialog = page.get_by_test_id("cut-snapshot-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("snapshot-name").fill(name)
    for label in classes:
        dialog.get_by_role("checkbox", name=label, exact=True).check()
    # The preview counts what the snapshot would hold before anything is cut.
    expect(dialog.get_by_test_id("count-items")).not_to_have_text("0")
    dialog.get_by_test_id("snapshot-submit").click()
    expect(dialog).to_have_count(0)


def test_cut_a_snapshot_prepare_parquet_and_read_it_back(
    sms_project, browser_session: BrowserSession
):
    import pyarrow as pa
    from playwright.sync_api import expect

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    labels = sms_project.expected_labels
    spam = sum(1 for label in labels.values() if label == "spam")
    log_in(browser_session)

    page.goto(browser_session.url(f"/projects/{sms_project.pk}"))
    page.get_by_test_id("tab-datasets").click()
    expect(page.get_by_test_id("snapshots-empty")).to_contain_text("Cut your first snapshot")

    # The preview counts every labeled item, per class, before the snapshot is cut.
    page.get_by_test_id("cut-snapshot").click()
    dialog = page.get_by_test_id("cut-snapshot-dialog")
    expect(dialog.get_by_test_id("count-items")).to_have_text(f"{SMS_ITEMS:,}")
    expect(dialog.get_by_test_id("count-classes")).to_contain_text(f"spam {spam}")
    # Asking for the model's own labels warns that they will be marked.
    dialog.get_by_test_id("snapshot-source-auto").check()
    expect(dialog.get_by_test_id("snapshot-automatic-warning")).to_be_visible()
    dialog.get_by_test_id("snapshot-source-auto").uncheck()
    snapshot(browser_session, "datasets-cut-dialog-1366x768")
    # Labels from the future select nothing: the preview says so, and the server's 400 is
    # shown in the dialog, which stays open with nothing cut.
    dialog.get_by_test_id("snapshot-labeled-after").fill("2999-01-01T00:00")
    expect(dialog.get_by_test_id("snapshot-preview-empty")).to_be_visible()
    dialog.get_by_test_id("snapshot-submit").click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        "The snapshot was not cut: The filters select no items"
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("snapshots-empty")).to_be_visible()

    cut_snapshot(page, name="all SMS labels")
    row = page.locator("[data-testid='snapshot-row'][data-number='1']")
    state = row.get_by_test_id("snapshot-state")
    expect(state).to_have_attribute("data-state", re.compile("succeeded|failed"), timeout=120_000)
    expect(state).to_have_attribute("data-state", "succeeded")
    expect(row.get_by_test_id("count-items")).to_have_text(f"{SMS_ITEMS:,}")
    expect(row.get_by_test_id("count-labeled")).to_have_text(f"{SMS_ITEMS:,}")
    expect(row.get_by_test_id("snapshot-progress")).to_have_count(0)

    # The cut wrote the Parquet export too: a download, nothing to prepare.
    parquet = row.get_by_test_id("snapshot-export-parquet")
    link = parquet.get_by_role("link", name="Download Parquet of snapshot 1")
    expect(link).to_be_visible()
    expect(parquet.get_by_role("button", name="Prepare Parquet of snapshot 1")).to_have_count(0)
    with page.expect_download() as download_info:
        link.click()
    payload = Path(download_info.value.path()).read_bytes()
    tables = parquet_tables(payload)
    assert tables, "the Parquet download holds no Parquet file"
    read: dict[int, str] = {}
    for table in tables.values():
        # Label names as a dictionary column: the codes mean the project's classes in order.
        assert pa.types.is_dictionary(table.schema.field("label").type), table.schema
        for record in table.select(["id", "split", "label"]).to_pylist():
            read[record["id"]] = record["label"]
    assert read == labels
    # A second snapshot of spam only; the diff says the ham items were removed.
    cut_snapshot(page, name="spam only", classes=("spam",))
    second = page.locator("[data-testid='snapshot-row'][data-number='2']")
    expect(second.get_by_test_id("snapshot-state")).to_have_attribute(
        "data-state", "succeeded", timeout=120_000
    )
    expect(second.get_by_test_id("count-items")).to_have_text(f"{spam:,}")
    diff = page.get_by_test_id("snapshot-diff")
    expect(diff.get_by_test_id("diff-removed")).to_have_text(f"{SMS_ITEMS - spam:,}")
    expect(diff.get_by_test_id("diff-added")).to_have_text("0")
    expect(diff.get_by_test_id("diff-unchanged")).to_have_text(f"{spam:,}")
    ham = diff.locator("[data-testid='diff-distribution-row'][data-class='ham']")
    expect(ham.get_by_test_id("diff-change")).to_have_text(f"\N{MINUS SIGN}{SMS_ITEMS - spam:,}")
    snapshot(browser_session, "datasets-two-snapshots-1366x768")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Datasets is {scroll_width} px wide in {inner_width} px"
    assert browser_session.js_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_datasets_tab_empty_state_says_what_to_do_and_fits(sms_project, browser_session, viewport):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)
    page.goto(browser_session.url(f"/projects/{sms_project.pk}/datasets"))
    expect(page.get_by_test_id("snapshots-empty")).to_contain_text("Cut your first snapshot")
    snapshot(browser_session, f"datasets-empty-{width}x{height}")
    cut = page.get_by_test_id("cut-snapshot").bounding_box()
    assert cut is not None
    assert cut["y"] + cut["height"] <= height, cut
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Datasets is {scroll_width} px wide in {inner_width} px"
    assert browser_session.js_errors == []


@pytest.fixture
def trained_sms_project(sms_project):
    """The SMS project with one model version trained (on the snapshot training cuts)."""
    from labeling.services.learning_jobs import project_training_request
    from labeling.services.training import training_job_run
    from models_app.choices import JobTrigger

    requested = project_training_request(project=sms_project, trigger=JobTrigger.MANUAL)
    training_job_run(job_id=requested.pk)
    return sms_project


def test_model_version_links_to_the_snapshot_it_was_trained_on(
    trained_sms_project, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)
    page.goto(browser_session.url(f"/projects/{trained_sms_project.pk}/models"))
    link = page.get_by_test_id("trained-on-snapshot-link")
    expect(link).to_have_text("trained on snapshot 1")
    link.click()

    expect(page).to_have_url(re.compile(r"/datasets\?snapshot=1$"))
    row = page.locator("[data-testid='snapshot-row'][data-number='1']")
    expect(row).to_have_class(re.compile("snapshot-card-highlighted"))
    expect(row).to_contain_text("by a training run")
    expect(row.get_by_test_id("snapshot-trained-version")).to_have_text("v1")
    assert browser_session.js_errors == []


def test_a_real_worker_cuts_the_snapshot_while_its_progress_moves(
    sms_project, browser_session: BrowserSession, start_worker
):
    """The cut (which writes the Parquet export) runs in a Celery worker process, as in
    production; the worker reads the snapshot in pages of 50 items with a pause after each
    (``tests.integration.worker_hooks``), so the card's progress bar is seen moving."""
    import time

    from playwright.sync_api import expect

    from tests.integration.worker_hooks import SLOW_NAME, SLOW_PAGE_ITEMS

    sms_project.name = f"{SLOW_NAME} SMS"
    sms_project.save(update_fields=["name"])
    start_worker(["default"], include=["tests.integration.worker_hooks"])
    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)
    page.goto(browser_session.url(f"/projects/{sms_project.pk}/datasets"))
    cut_snapshot(page, name="watched")

    row = page.locator("[data-testid='snapshot-row'][data-number='1']")
    state = row.get_by_test_id("snapshot-state")
    bar = row.get_by_test_id("snapshot-progress")
    seen: list[float] = []
    hints: set[str] = set()
    deadline = time.monotonic() + 120
    while state.get_attribute("data-state") not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, f"the worker did not finish the cut; saw {seen}"
        value = bar.get_attribute("value", timeout=1_000) if bar.count() else None
        if value is not None and (not seen or float(value) != seen[-1]):
            seen.append(float(value))
            hints.add(row.locator(".snapshot-progress .hint").inner_text())
        page.wait_for_timeout(100)
    expect(state).to_have_attribute("data-state", "succeeded")
    moving = [value for value in seen if 0 < value < 1]
    assert len(set(moving)) >= 2, f"the progress bar did not move: {seen}"
    assert seen == sorted(seen), f"the progress went backwards: {seen}"
    assert any(
        hint.startswith(f"{n:,} of {SMS_ITEMS:,} items")
        for n in range(SLOW_PAGE_ITEMS, SMS_ITEMS, SLOW_PAGE_ITEMS)
        for hint in hints
    ), hints
    expect(bar).to_have_count(0)
    expect(row.get_by_test_id("count-items")).to_have_text(f"{SMS_ITEMS:,}")

    parquet = row.get_by_test_id("snapshot-export-parquet")  # written by the worker's cut
    link = parquet.get_by_role("link", name="Download Parquet of snapshot 1")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    read = {
        record["id"]: record["label"]
        for table in parquet_tables(Path(download_info.value.path()).read_bytes()).values()
        for record in table.select(["id", "label"]).to_pylist()
    }
    assert read == sms_project.expected_labels
    assert browser_session.js_errors == []
