"""Layout in Chromium at the two window sizes people use most: no page scrolls sideways, and a
pile of training jobs waiting for labels does not push the learning curve off screen."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone

from labeling.choices import AnnotationOutcome, AnnotationSource, Role
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import ModelVersion, TrainingJob
from tests.e2e import test_browser_moderation
from tests.e2e.conftest import BrowserSession, log_in
from tests.factories import AnnotationFactory, ItemFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [(1366, 768), (1920, 1080)]
WAITING_JOBS = 7


@pytest.fixture
def models_project(staff_user):
    """A project with labels, three model versions, a finished job and seven jobs waiting for
    labels (what a new project piles up before it has labels of two classes)."""
    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="Spam with models",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
    )
    for index in range(30):
        item = ItemFactory(project=project, text=f"Message {index}", predicted_label="spam")
        AnnotationFactory(
            item=item,
            annotator=staff_user,
            labels=["spam" if index % 3 else "ham"],
            source=AnnotationSource.HUMAN,
            outcome=AnnotationOutcome.ACCEPTED if index % 2 else AnnotationOutcome.CORRECTED,
            suggested_labels=["spam"],
        )
    for version in (1, 2, 3):
        ModelVersion.objects.create(
            owner=project.owner_key,
            version=version,
            algorithm="logistic_regression",
            embedder="hashing",
            snapshot_id=f"snapshot-{version}",
            snapshot_hash="h" * 64,
            label_count=10 * version,
            metrics={"roc_auc": 0.6 + version / 10, "f1_macro": 0.5 + version / 10},
            artifact="models/none.npz",
            stage="production" if version == 3 else "archived",
        )
    now = timezone.now()
    TrainingJob.objects.create(
        owner=project.owner_key,
        kind=JobKind.TRAIN,
        trigger=JobTrigger.MANUAL,
        status=JobStatus.SUCCEEDED,
        step="done",
        progress=1.0,
        message="Version 3 trained on 30 labels.",
        started_at=now,
        finished_at=now,
    )
    for _ in range(WAITING_JOBS):
        TrainingJob.objects.create(
            owner=project.owner_key,
            kind=JobKind.TRAIN,
            trigger=JobTrigger.LABELS,
            status=JobStatus.WAITING,
            message="Waiting for 5 labels of each class (ham 10, spam 0).",
            started_at=now,
            finished_at=now,
        )
    return project


def snapshot(session: BrowserSession, name: str) -> None:
    """A full-page screenshot into ``TANDEM_SCREENSHOT_DIR`` when set, for a person to look at."""
    folder = os.environ.get("TANDEM_SCREENSHOT_DIR")
    if folder:
        session.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def no_sideways_scroll(session: BrowserSession) -> tuple[int, int]:
    return session.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_models_dashboard_and_datasets_do_not_scroll_sideways(
    models_project, browser_session, viewport
):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)

    page.goto(browser_session.url(f"/projects/{models_project.pk}/models"))
    expect(page.get_by_test_id("learning-curve-point")).to_have_count(3)
    expect(page.get_by_test_id("training-jobs")).to_be_visible()
    snapshot(browser_session, f"models-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Models is {scroll_width} px wide in {inner_width} px"

    page.goto(browser_session.url(f"/projects/{models_project.pk}/dashboard"))
    expect(page.get_by_test_id("acceptance-table")).to_be_attached()
    snapshot(browser_session, f"dashboard-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Dashboard is {scroll_width} px wide in {inner_width} px"

    # No snapshot yet: the Datasets tab says what to do, its action on the first screen.
    page.goto(browser_session.url(f"/projects/{models_project.pk}/datasets"))
    expect(page.get_by_test_id("snapshots-empty")).to_contain_text("Cut your first snapshot")
    snapshot(browser_session, f"datasets-{width}x{height}")
    cut = page.get_by_role("button", name="Cut a snapshot").bounding_box()
    assert cut is not None
    assert cut["y"] + cut["height"] <= height, cut
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Datasets is {scroll_width} px wide in {inner_width} px"
    assert browser_session.js_errors == []


def test_waiting_jobs_collapse_into_one_row(models_project, browser_session):
    """Seven jobs waiting for labels are one line, so the curve starts on the first screen."""
    from playwright.sync_api import expect

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)
    page.goto(browser_session.url(f"/projects/{models_project.pk}/models"))
    expect(page.get_by_test_id("learning-curve-point")).to_have_count(3)

    waiting = page.get_by_test_id("training-job-status").and_(
        page.locator('[data-status="waiting"]')
    )
    expect(waiting).to_have_count(1)
    expect(page.get_by_test_id("training-jobs")).to_contain_text(f"{WAITING_JOBS} jobs")
    chart_top = page.get_by_role("heading", name="Learning curve").bounding_box()
    assert chart_top is not None
    assert chart_top["y"] < 768, chart_top


EMAIL = "Subject: a long email\n\nDear reader,\n\n" + "This line goes on about nothing much. " * 40


@pytest.fixture
def email_project(staff_user):
    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="Long emails",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
    )
    for index in range(8):
        ItemFactory(project=project, text=f"{index}: {EMAIL}")
    return project


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_items_browser_shows_a_few_lines_per_email(email_project, browser_session, viewport):
    """A list of emails shows each in at most three lines, so a screen holds several."""
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)
    page.goto(browser_session.url(f"/projects/{email_project.pk}/items"))
    texts = page.get_by_test_id("item-text")
    expect(texts).to_have_count(8)
    snapshot(browser_session, f"items-{width}x{height}")

    line_height = texts.first.evaluate("(node) => parseFloat(getComputedStyle(node).lineHeight)")
    for index in range(8):
        box = texts.nth(index).bounding_box()
        assert box is not None
        assert box["height"] <= 3.5 * line_height, (index, box["height"], line_height)
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width


def long_email(length: int = 5_000) -> str:
    """A realistic long email of exactly ``length`` characters: headers, paragraphs, a signature."""
    paragraph = (
        "Thank you for your message about the quarterly report. I have gone through the figures "
        "again and the numbers for the northern region still do not add up: the totals on page "
        "four disagree with the summary table by a few hundred units.\n\n"
    )
    text = "From: alice@example.org\nTo: team@example.org\nSubject: Re: quarterly report\n\n"
    while len(text) < length:
        text += paragraph
    return text[:length]


def inside_viewport(page, test_id: str) -> None:
    """The element is on screen in full, not below (or beside) the fold."""
    viewport = page.viewport_size
    box = page.get_by_test_id(test_id).bounding_box()
    assert box is not None, f"{test_id} is not rendered"
    assert box["y"] >= 0, (test_id, box)
    assert box["x"] >= 0, (test_id, box)
    assert box["y"] + box["height"] <= viewport["height"], (test_id, box, viewport)
    assert box["x"] + box["width"] <= viewport["width"], (test_id, box, viewport)


@pytest.fixture
def long_email_project(staff_user):
    """A project whose next item is a 5,000-character email with a model proposal on it."""
    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="Long emails with proposals",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
    )
    for index in range(3):
        ItemFactory(
            project=project,
            external_id=f"email-{index}",
            text=long_email(),
            predicted_label="spam",
            confidence=0.81,
            priority=100 - index,
        )
    return project


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_annotate_keeps_proposal_labels_and_actions_in_view_for_a_long_email(
    long_email_project, browser_session, viewport
):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)
    page.goto(browser_session.url(f"/projects/{long_email_project.pk}/annotate"))
    expect(page.get_by_test_id("proposal")).to_have_attribute("data-state", "proposal")
    expect(page.get_by_test_id("annotate-item-text")).to_contain_text("quarterly report")
    snapshot(browser_session, f"annotate-long-{width}x{height}")

    for test_id in ("proposal", "label-buttons", "workspace-actions"):
        inside_viewport(page, test_id)
    # The email scrolls in its own box; the page does not scroll at all.
    box = page.get_by_test_id("annotate-content")
    assert box.evaluate("(node) => node.scrollHeight > node.clientHeight + 100")
    # ...and that box gets the room the rest leaves: a good part of the window, not a slit.
    assert box.bounding_box()["height"] >= 0.3 * height
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= innerHeight")
    # PageDown pages the email from anywhere on the page; Space stays Skip (nothing is sent).
    page.keyboard.press("PageDown")
    expect(box).not_to_have_js_property("scrollTop", 0)
    inside_viewport(page, "workspace-actions")
    assert browser_session.js_errors == []


# The moderation browser test's world: a policy, a moderator "mia" and four pending contents.
moderation_world = test_browser_moderation.moderation_world


@pytest.fixture
def long_review_world(moderation_world):
    """The moderation world whose first content in the queue is a 5,000-character post."""
    from labeling.models import Item

    prize = moderation_world["contents"]["msg-prize"]
    # The post's text is its labeling item's.
    Item.objects.filter(pk=prize.item_id).update(text=long_email())
    return moderation_world


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_review_keeps_the_decision_bar_in_view_for_long_content(
    long_review_world, browser_session, viewport
):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session, username="mia", password=test_browser_moderation.PASSWORD)
    page.goto(browser_session.url("/moderation/review?tier=standard"))
    test_browser_moderation._wait_for(page, "msg-prize")
    expect(page.get_by_test_id("review-text")).to_contain_text("quarterly report")
    snapshot(browser_session, f"review-long-{width}x{height}")

    for test_id in ("decision-approve", "decision-remove", "decision-escalate", "decision-bar"):
        inside_viewport(page, test_id)
    box = page.get_by_test_id("review-content")
    assert box.evaluate("(node) => node.scrollHeight > node.clientHeight + 100")
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= innerHeight")
    # Space pages the post (it is no review key); the decision form does not move.
    page.keyboard.press("Space")
    expect(box).not_to_have_js_property("scrollTop", 0)
    page.keyboard.press("r")
    expect(page.get_by_test_id("decision-remove")).to_have_attribute("aria-pressed", "true")
    inside_viewport(page, "decision-bar")
    assert browser_session.js_errors == []


# ---------------------------------------------------------------------------------------------
# Every page of the app, at both window sizes, with realistic data on it.


@dataclass(frozen=True)
class PageCheck:
    """One page of the app: where it is, what shows it has loaded, and which controls (by test
    id) must be on screen without scrolling (a workspace's action bar)."""

    name: str
    path: str  # formatted with the ids of the world: {project}, {item}, {policy}, {platform}
    ready: str = "main h1"  # a CSS selector present once the page has its data
    in_view: tuple[str, ...] = ()
    anonymous: bool = False


# One line per page. A page added to the app gets a line here.
PAGES = [
    PageCheck("login", "/login", ready="[data-testid=login-username]", anonymous=True),
    PageCheck("projects", "/projects", ready="[data-testid=new-project]"),
    PageCheck("project create", "/projects/new"),
    PageCheck("overview", "/projects/{project}", ready="[data-testid=tab-overview]"),
    PageCheck(
        "annotate",
        "/projects/{project}/annotate",
        ready="[data-testid=proposal][data-state=proposal]",
        in_view=("proposal", "label-buttons", "workspace-actions"),
    ),
    PageCheck("items", "/projects/{project}/items", ready="[data-testid=item-text]"),
    PageCheck("item", "/projects/{project}/items/{item}", ready="[data-testid=tab-items]"),
    PageCheck("import", "/projects/{project}/import", ready="[data-testid=tab-import]"),
    PageCheck("export", "/projects/{project}/export", ready="[data-testid=tab-export]"),
    PageCheck("models", "/projects/{project}/models", ready="[data-testid=learning-curve-point]"),
    PageCheck("dashboard", "/projects/{project}/dashboard", ready="[data-testid=acceptance-table]"),
    PageCheck("members", "/projects/{project}/members", ready="[data-testid=tab-members]"),
    PageCheck("settings", "/projects/{project}/settings", ready="[data-testid=settings-name]"),
    PageCheck(
        "model compare",
        "/projects/{project}/models/compare?a=1&b=3",
        ready="[data-testid=shared-items]",
    ),
    PageCheck("moderation queue", "/moderation", ready="[data-testid=queue-row]"),
    PageCheck(
        "review",
        "/moderation/review?tier=standard",
        ready="[data-testid=reason-code]",
        in_view=("decision-approve", "decision-remove", "decision-bar"),
    ),
    PageCheck(
        "appeals",
        "/moderation/appeals",
        ready="[data-testid=appeal]",
        in_view=("appeal-uphold", "appeal-overturn"),
    ),
    PageCheck("policies", "/moderation/policies", ready="[data-testid=tab-moderation-policies]"),
    PageCheck("policy", "/moderation/policies/{policy}", ready="[data-testid=policy-name]"),
    PageCheck("audit", "/moderation/audit", ready="[data-testid=tab-moderation-audit]"),
    PageCheck("platforms", "/platforms"),
    PageCheck("platform", "/platforms/{platform}", ready="[data-testid=platform-title]"),
    PageCheck("users", "/users"),
    PageCheck("account", "/account"),
]

# Problems a person would see, found in the page: sideways scroll, and text wider than its box
# (an element that neither scrolls nor clips, whose content is wider than it, with text in it).
# Form fields scroll their own text; inline boxes have no width of their own to overflow.
LAYOUT_PROBLEMS_JS = """
() => {
  const problems = [];
  const scroller = document.scrollingElement;
  if (scroller.scrollWidth > innerWidth) {
    problems.push(`scrolls sideways: ${scroller.scrollWidth} px in a ${innerWidth} px window`);
  }
  const overflowing = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (element.closest("input, select, textarea, svg, option")) continue;
    const style = getComputedStyle(element);
    if (["inline", "contents", "none"].includes(style.display)) continue;
    if (style.overflowX !== "visible") continue;
    if (element.scrollWidth <= element.clientWidth + 1) continue;
    if (!element.textContent.trim()) continue;
    overflowing.push(element);
  }
  // The innermost element that overflows names the culprit; its ancestors only carry it.
  for (const element of overflowing) {
    if (overflowing.some((other) => other !== element && element.contains(other))) continue;
    const classes = typeof element.className === "string" ? element.className.trim() : "";
    const label = element.tagName.toLowerCase()
      + (element.dataset.testid ? `[data-testid=${element.dataset.testid}]` : "")
      + (classes ? `.${classes.split(" ").join(".")}` : "");
    problems.push(
      `text overflows ${label} (${element.scrollWidth} px in ${element.clientWidth} px): `
      + JSON.stringify(element.textContent.trim().slice(0, 60))
    );
  }
  return problems;
}
"""


@pytest.fixture
def every_page_world(models_project, long_review_world, staff_user):
    """Realistic data behind every page: a project with labels, model versions, waiting jobs and
    long emails carrying proposals; a moderation policy with a platform, a queue whose first post
    is 5,000 characters, and an open appeal against a removal; a second member in the project."""
    from django.contrib.auth import get_user_model

    from labeling.models import Item
    from labeling.services.memberships import membership_add
    from moderation.choices import ContentState, DecisionAction
    from moderation.models import Content
    from tests.factories.moderation import AppealFactory, DecisionFactory

    long_items = [
        ItemFactory(
            project=models_project,
            external_id=f"long-email-{index}",
            text=long_email(),
            predicted_label="spam",
            confidence=0.81,
            priority=1000 - index,
        )
        for index in range(3)
    ]
    membership_add(project=models_project, user=UserFactory(username="bo"), role=Role.ANNOTATOR)

    contents = long_review_world["contents"]
    threat = contents["msg-threat"]
    Content.objects.filter(pk=threat.pk).update(state=ContentState.REMOVED)
    Item.objects.filter(pk=threat.item_id).update(text=long_email())
    decision = DecisionFactory(
        content=threat,
        action=DecisionAction.REMOVE,
        moderator=get_user_model().objects.get(username="mia"),
        moderator_name="mia",
    )
    AppealFactory(
        decision=decision,
        content=threat,
        statement="I was quoting a film line to a friend, not threatening anyone. " * 12,
    )
    policy = long_review_world["policy"]
    return {
        "project": models_project.pk,
        "item": long_items[0].pk,
        "policy": policy.pk,
        "platform": threat.platform_id,
    }


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_every_page_fits_the_window(every_page_world, browser_session, viewport):
    """No page scrolls sideways or lets text run out of its box, and in the workspaces the
    action bar is on screen without scrolling: at 1366x768 and 1920x1080, one page after
    another in one browser."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    problems: list[str] = []
    logged_in = False
    # The check itself finds text run out of a box (or this test could never fail).
    page.goto(browser_session.url("/login"))
    page.wait_for_selector("[data-testid=login-username]")
    page.evaluate(
        """() => {
            const box = document.createElement("div");
            box.id = "planted-overflow";
            box.style.cssText = "width: 40px; white-space: nowrap";
            box.textContent = "a sentence far wider than forty pixels";
            document.body.append(box);
        }"""
    )
    planted = page.evaluate(LAYOUT_PROBLEMS_JS)
    page.evaluate("() => document.getElementById('planted-overflow').remove()")
    assert any("a sentence far wider" in problem for problem in planted), planted
    for check in sorted(PAGES, key=lambda check: not check.anonymous):
        if not check.anonymous and not logged_in:
            log_in(browser_session)
            logged_in = True
        page.goto(browser_session.url(check.path.format(**every_page_world)))
        try:
            page.wait_for_selector(check.ready, timeout=15_000)
        except PlaywrightTimeout:
            snapshot(browser_session, f"page-{check.name.replace(' ', '-')}-not-ready")
            raise AssertionError(f"{check.name}: {check.ready} never showed") from None
        # Whatever the page still loads (a second query, a chart) has arrived.
        page.wait_for_function("() => !document.querySelector('.loading')")
        page.wait_for_load_state("networkidle")
        snapshot(browser_session, f"page-{check.name.replace(' ', '-')}-{width}x{height}")
        problems += [f"{check.name}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS_JS)]
        for test_id in check.in_view:
            box = page.get_by_test_id(test_id).first.bounding_box()
            if box is None or box["y"] < 0 or box["y"] + box["height"] > height:
                problems.append(f"{check.name}: {test_id} is not on screen ({box})")
    assert problems == [], "\n".join(problems)
    assert browser_session.js_errors == []


@pytest.fixture
def tall_image_project(staff_user):
    """An image project whose next item is a tall picture (a long screenshot) with a proposal."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from labeling.services.projects import project_create

    project = project_create(
        created_by=staff_user,
        name="Screenshots",
        data_type="image",
        task_type="binary",
        label_classes=[{"name": "safe"}, {"name": "unsafe"}],
        retrain_every=0,
    )
    buffer = io.BytesIO()
    Image.new("RGB", (400, 3000), "#588157").save(buffer, format="PNG")
    item = ItemFactory(
        project=project,
        external_id="long-screenshot",
        text="",
        predicted_label="unsafe",
        confidence=0.7,
    )
    item.image.save("long-screenshot.png", ContentFile(buffer.getvalue()), save=True)
    return project


def test_annotate_fits_a_tall_image_and_scrolls_it_at_full_size(
    tall_image_project, browser_session
):
    from playwright.sync_api import expect

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)
    page.goto(browser_session.url(f"/projects/{tall_image_project.pk}/annotate"))
    image = page.get_by_test_id("annotate-image")
    expect(image).to_have_js_property("complete", True)
    expect(page.get_by_test_id("proposal")).to_have_attribute("data-state", "proposal")
    snapshot(browser_session, "annotate-tall-image-1366x768")

    # Fitted: the whole picture in its box, the proposal and the actions below it on screen.
    box = page.get_by_test_id("annotate-content")
    picture, frame = image.bounding_box(), box.bounding_box()
    assert picture["y"] >= frame["y"] - 1, (picture, frame)
    assert picture["y"] + picture["height"] <= frame["y"] + frame["height"] + 1, (picture, frame)
    for test_id in ("proposal", "label-buttons", "workspace-actions"):
        inside_viewport(page, test_id)

    # Full size (`v`): the picture is taller than its box and scrolls in it, actions stay.
    page.keyboard.press("v")
    expect(image).to_have_attribute("data-zoomed", "true")
    assert box.evaluate("(node) => node.scrollHeight > node.clientHeight + 1000")
    page.keyboard.press("PageDown")
    expect(box).not_to_have_js_property("scrollTop", 0)
    inside_viewport(page, "workspace-actions")
    assert browser_session.js_errors == []
