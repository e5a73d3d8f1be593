"""A person's path through the app: sign in, create a project, import a real dataset, check the
report and counts, export it; and item text that looks like HTML stays text."""

import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import BrowserSession, log_in
from tests.skips import dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMS_ROWS = 5574


def distinct_messages(path: Path) -> set[str]:
    """Distinct messages in the TSV, counted straight from the file.

    Rows without an id column are keyed by their text, so a message that occurs twice in the
    file becomes one item (the import reports the repeat as a duplicate row). The SMS corpus has
    5,574 rows and 5,171 distinct messages.
    """
    with path.open(encoding="utf-8") as lines:
        next(lines)  # header: Label<TAB>SMS
        return {line.rstrip("\n").split("\t", 1)[1] for line in lines if line.strip()}


def digits(text: str) -> int:
    """A number as the page shows it ("5,574" or "5 574") read back as an int."""
    return int(re.sub(r"\D", "", text))


@pytest.fixture
def sms_dataset() -> Path:
    return dataset("sms_spam_collection.tsv")


def test_staff_user_imports_sms_collection_and_exports_it_as_jsonl(
    sms_dataset, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    page = browser_session.page
    messages = distinct_messages(sms_dataset)
    unique_messages = len(messages)
    log_in(browser_session)

    # Create a binary project with two label classes.
    page.get_by_test_id("new-project").click()
    page.get_by_test_id("project-name").fill("SMS spam")
    page.get_by_test_id("label-class-name-0").fill("ham")
    page.get_by_test_id("label-class-name-1").fill("spam")
    page.get_by_test_id("project-create-submit").click()
    expect(page.get_by_test_id("project-title")).to_have_text("SMS spam")
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    expect(page.get_by_test_id("item-count")).to_have_text("0")

    # Import the TSV through the form and wait for the job to finish.
    page.get_by_test_id("tab-import").click()
    page.get_by_test_id("import-file").set_input_files(str(sms_dataset))
    page.get_by_test_id("import-submit").click()
    status = page.get_by_test_id("import-status")
    expect(status).to_have_attribute("data-status", re.compile("succeeded|failed"), timeout=300_000)
    expect(status).to_have_attribute("data-status", "succeeded")
    expect(status).to_have_text("Succeeded")
    progress = page.get_by_test_id("import-progress")
    assert float(progress.evaluate("element => element.value")) == 1.0
    assert float(progress.evaluate("element => element.max")) == 1.0

    assert digits(page.get_by_test_id("import-rows-seen").inner_text()) == SMS_ROWS
    assert digits(page.get_by_test_id("import-error-count").inner_text()) == 0
    assert digits(page.get_by_test_id("import-items-created").inner_text()) == unique_messages
    assert digits(page.get_by_test_id("import-items-existing").inner_text()) == 0
    assert (
        digits(page.get_by_test_id("import-duplicate-rows").inner_text())
        == SMS_ROWS - unique_messages
    )
    assert digits(page.get_by_test_id("import-annotations-created").inner_text()) == unique_messages
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    expect(page.get_by_test_id("import-unknown-labels")).to_have_count(0)
    # The job id is kept in the address, so the report survives a reload.
    expect(page).to_have_url(re.compile(r"/import\?job=\d+$"))
    page.reload()
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "succeeded")
    assert digits(page.get_by_test_id("import-rows-seen").inner_text()) == SMS_ROWS

    # The overview counts one item per distinct message, every one of them labeled.
    page.get_by_test_id("tab-overview").click()
    expect(page.get_by_test_id("item-count")).to_have_text(f"{unique_messages:,}")
    expect(page.get_by_test_id("labeled-count")).to_have_text(f"{unique_messages:,}")
    expect(page.get_by_test_id("unlabeled-count")).to_have_text("0")

    # The items browser lists them, with the imported labels.
    page.get_by_test_id("tab-items").click()
    expect(page.get_by_test_id("items-count")).to_have_text(re.compile(rf"^{unique_messages:,} "))
    expect(page.get_by_test_id("item-row")).to_have_count(50)
    page.get_by_test_id("items-label").select_option("spam")
    expect(page).to_have_url(re.compile(r"label=spam"))
    expect(page.get_by_test_id("items-count")).not_to_have_text(
        re.compile(rf"^{unique_messages:,} ")
    )
    spam = digits(page.get_by_test_id("items-count").inner_text())
    assert 0 < spam < unique_messages

    # Export every item as JSON Lines through the download link.
    page.get_by_test_id("tab-export").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("export-jsonl").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".jsonl")
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == unique_messages
    records = [json.loads(line) for line in lines]
    assert {record["text"] for record in records} == messages
    imported_labels = [
        [annotation["labels"] for annotation in record["annotations"]] for record in records
    ]
    assert all(labels in ([["ham"]], [["spam"]]) for labels in imported_labels), records[0]

    assert browser_session.js_errors == []


HOSTILE_ROWS = [
    {"id": "img", "text": '<img src=x onerror="window.__tandemXss = 1">', "label": "spam"},
    {"id": "script", "text": "<script>window.__tandemXss = 2</script>", "label": "spam"},
    {"id": "plain", "text": "an ordinary\nmessage", "label": "ham"},
]


@pytest.fixture
def text_project(staff_user):
    from labeling.services.projects import project_create

    return project_create(
        created_by=staff_user,
        name="Hostile text",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
    )


def test_item_text_that_looks_like_html_is_shown_as_literal_text(
    text_project, browser_session: BrowserSession, tmp_path
):
    from playwright.sync_api import expect

    upload = tmp_path / "hostile.jsonl"
    upload.write_text("\n".join(json.dumps(row) for row in HOSTILE_ROWS) + "\n", encoding="utf-8")
    page = browser_session.page
    log_in(browser_session)

    page.goto(browser_session.url(f"/projects/{text_project.pk}/import"))
    page.get_by_test_id("import-file").set_input_files(str(upload))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "succeeded")
    assert digits(page.get_by_test_id("import-items-created").inner_text()) == len(HOSTILE_ROWS)

    page.get_by_test_id("tab-items").click()
    texts = page.get_by_test_id("item-text")
    expect(texts).to_have_count(len(HOSTILE_ROWS))
    shown = sorted(texts.all_inner_texts())
    # The list shows a few-line preview: the same text, line breaks folded into spaces.
    assert shown == sorted(" ".join(row["text"].split()) for row in HOSTILE_ROWS)

    table = page.get_by_test_id("items-table")
    # Nothing was parsed out of the text: no image or script element exists, no handler ran.
    assert table.locator("img").count() == 0
    assert table.locator("script").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("() => window.__tandemXss") is None
    # On the item's own page, line breaks in the text are kept by CSS.
    page.get_by_role("link", name="plain").click()
    expect(page.get_by_test_id("item-text")).to_have_text("an ordinary\nmessage")
    white_space = page.get_by_test_id("item-text").evaluate(
        "element => getComputedStyle(element).whiteSpace"
    )
    assert white_space == "pre-wrap"
    assert browser_session.dialogs == []
    assert browser_session.js_errors == []
