"""The moderator's workbench in Chromium: a moderator works through the review queue with the
keyboard only, an image stays blurred (and its full version unrequested) until revealed, and an
escalated item leaves the moderators' queue for the senior queue, where a senior decides it."""

import base64
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from django.db import connections
from django.urls import NoReverseMatch, reverse

from core.models import AuditEvent
from labeling.choices import Role
from tests.e2e.conftest import BrowserSession, log_in, require
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' password

# What the moderator sees, in the queue's order (highest priority first). Real-looking messages.
MESSAGES = [
    ("msg-prize", "WINNER!! You have been selected for a £900 prize. Call 09061701461 to claim"),
    ("msg-photo", None),  # the image
    ("msg-threat", "I know where you park. Delete your review or you will regret it."),
    ("msg-pickup", "I'll be at the station at half past six, can you pick me up on the way?"),
]
PRIORITIES = {"msg-prize": 40.0, "msg-photo": 30.0, "msg-threat": 20.0, "msg-pickup": 10.0}
# Endpoints the test drives; it skips, naming the first missing one, when the API is not there.
ENDPOINTS = [
    ("moderation-queue", {}),
    ("moderation-queue-next", {}),
    ("moderation-content-detail", {"content_id": 1}),
    ("moderation-content-image", {"content_id": 1}),
    ("moderation-content-release", {"content_id": 1}),
    ("moderation-content-decide", {"content_id": 1}),
]

T = TypeVar("T")


def read_db(query: Callable[[], T]) -> T:
    """Run ``query`` in a thread of its own: once Playwright's sync API runs, Django refuses ORM
    calls from the test's thread as async-unsafe (see test_browser_annotate.py)."""

    def run() -> T:
        try:
            return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _photo_png() -> bytes:
    """A small picture with shapes and colour, so blurred and full versions differ visibly."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 64), "#2a6f97")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 40, 56), fill="#f4a259")
    draw.ellipse((50, 12, 88, 50), fill="#bc4b51")
    draw.line((0, 63, 95, 0), fill="white", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _reason(code: str, description: str, action: str, category: str | None = None) -> dict:
    return {"code": code, "description": description, "action": action, "category": category}


@pytest.fixture
def moderation_world(staff_user):
    """A human-only policy on a spam project, a platform, a moderator and a senior moderator, and
    four pending contents taken in through the intake service (one of them an image)."""
    for name, args in ENDPOINTS:
        try:
            reverse(name, kwargs=args)
        except NoReverseMatch:
            require(False, f"the moderation API route {name!r} is not there yet")

    from labeling.services.memberships import membership_add
    from labeling.services.projects import project_create
    from moderation.models import Content
    from moderation.services.grants import policy_grant
    from moderation.services.intake import IntakeInput, intake_submit
    from moderation.services.platforms import platform_create
    from moderation.services.policies import policy_create

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
        categories=[
            {
                "name": "spam",
                "label_class": "spam",
                "severity": 3,
                "remove_threshold": 0.97,
                "allow_threshold": 0.05,
                "sla_hours": 4,
                "rules": [],
            }
        ],
        reason_codes=[
            _reason("SPAM-1", "Unsolicited ads", "remove", "spam"),
            _reason("OK-1", "Within the rules", "approve"),
            _reason("ESC-1", "Needs a senior look", "escalate"),
        ],
    )
    moderator = UserFactory(username="mia")
    senior = UserFactory(username="sam")
    membership_add(project=project, user=moderator, role=Role.MODERATOR)
    membership_add(project=project, user=senior, role=Role.SENIOR_MODERATOR)
    platform = platform_create(name="Chat app", created_by=staff_user)
    policy_grant(policy=policy, platform=platform, actor=staff_user)
    photo = base64.b64encode(_photo_png()).decode()
    entries = [
        IntakeInput(
            index=index,
            policy=policy.pk,
            external_id=external_id,
            author_id="author-1" if external_id != "msg-pickup" else "author-2",
            text=text,
            image=photo if text is None else None,
            context={"url": f"https://chat.example/m/{external_id}", "language": "en"},
        )
        for index, (external_id, text) in enumerate(MESSAGES)
    ]
    result = intake_submit(platform=platform, entries=entries)
    assert not result.errors, result.errors
    for external_id, priority in PRIORITIES.items():
        Content.objects.filter(platform=platform, external_id=external_id).update(priority=priority)
    contents = {
        content.external_id: content for content in Content.objects.filter(platform=platform)
    }
    assert {c.state for c in contents.values()} == {"pending"}
    assert contents["msg-photo"].blurred_thumbnail
    return {"policy": policy, "contents": contents}


def _shown(page) -> str:
    return page.get_by_test_id("review-external-id").inner_text()


def _wait_for(page, external_id: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("review-external-id")).to_have_text(external_id)
    # The policy's reason codes are on screen: the digit keys have something to pick.
    expect(page.get_by_test_id("reason-code").first).to_be_visible()


def _decisions(contents) -> dict[str, list[tuple[str, str, str, bool]]]:
    from moderation.models import Decision

    ids = {content.pk: external_id for external_id, content in contents.items()}
    rows: dict[str, list[tuple[str, str, str, bool]]] = {}
    for decision in Decision.objects.filter(content_id__in=ids).order_by("id"):
        rows.setdefault(ids[decision.content_id], []).append(
            (
                decision.action,
                decision.reason_code.code if decision.reason_code else "",
                decision.moderator_name,
                decision.is_final,
            )
        )
    return rows


def test_moderator_works_through_the_queue_with_hotkeys_and_escalates_to_seniors(
    moderation_world, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    contents = moderation_world["contents"]
    photo = contents["msg-photo"]
    page = browser_session.page
    image_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            image_requests.append(request.url)
            if f"/moderation/contents/{photo.pk}/image/" in request.url
            else None
        ),
    )

    log_in(browser_session, username="mia", password=PASSWORD)
    page.get_by_test_id("nav-moderation").click()
    # The queue: every open content, with a live SLA countdown (4 hours, not overdue yet).
    expect(page.get_by_test_id("queue-row")).to_have_count(4)
    first_row = page.get_by_test_id("queue-row").first
    expect(first_row).to_contain_text("WINNER!!")
    expect(first_row.get_by_test_id("sla-countdown")).to_have_attribute("data-overdue", "0")
    expect(first_row.get_by_test_id("sla-countdown")).to_contain_text("left")

    page.get_by_test_id("start-reviewing").click()

    # 1. Spam: remove with the first removal reason.
    _wait_for(page, "msg-prize")
    text = page.get_by_test_id("review-text")
    assert text.inner_text() == MESSAGES[0][1]
    for key in ["r", "1", "Enter"]:
        page.keyboard.press(key)

    # 2. The image: blurred until revealed, the full image fetched only on `v`.
    _wait_for(page, "msg-photo")
    blurred = page.get_by_test_id("review-image-blurred")
    expect(blurred).to_be_visible()
    assert blurred.get_attribute("src") == f"/api/v1/moderation/contents/{photo.pk}/blurred/"
    expect(page.get_by_test_id("review-image-full")).to_have_count(0)
    page.keyboard.press("g")
    expect(blurred).to_have_class("review-image review-image-blurred review-image-grayscale")
    page.wait_for_timeout(300)
    assert image_requests == []
    assert read_db(lambda: AuditEvent.objects.filter(action="content.reveal").count()) == 0
    page.keyboard.press("v")
    full = page.get_by_test_id("review-image-full")
    expect(full).to_be_visible()
    expect(page.get_by_test_id("review-image-blurred")).to_have_count(0)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=review-image-full]')?.naturalWidth === 96"
    )
    assert len(image_requests) == 1
    assert read_db(lambda: AuditEvent.objects.filter(action="content.reveal").count()) == 1
    for key in ["a", "Enter"]:  # the policy's only approval reason is picked with `a`
        page.keyboard.press(key)

    # 3. A threat: escalate to the seniors, with a note typed while the keys stay quiet.
    _wait_for(page, "msg-threat")
    page.keyboard.press("e")
    page.keyboard.press("c")
    page.keyboard.type("reads as a real threat; a senior should decide")
    expect(page.get_by_test_id("decision-escalate")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("decision-remove")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")

    # 4. Harmless: approve. Then nothing is left for a moderator (the escalation is not theirs).
    _wait_for(page, "msg-pickup")
    page.keyboard.press("?")
    expect(page.get_by_test_id("review-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("review-help")).to_have_count(0)
    for key in ["a", "Enter"]:
        page.keyboard.press(key)
    expect(page.get_by_test_id("review-empty")).to_be_visible()

    after_moderator = read_db(lambda: _decisions(contents))
    assert after_moderator == {
        "msg-prize": [("remove", "SPAM-1", "mia", True)],
        "msg-photo": [("approve", "OK-1", "mia", True)],
        "msg-threat": [("escalate", "ESC-1", "mia", False)],
        "msg-pickup": [("approve", "OK-1", "mia", True)],
    }
    from moderation.models import Content, Decision

    states = read_db(
        lambda: dict(
            Content.objects.filter(pk__in=[c.pk for c in contents.values()]).values_list(
                "external_id", "state"
            )
        )
    )
    assert states == {
        "msg-prize": "removed",
        "msg-photo": "allowed",
        "msg-threat": "escalated",
        "msg-pickup": "allowed",
    }
    note = read_db(
        lambda: Decision.objects.get(content=contents["msg-threat"], action="escalate").note
    )
    assert note == "reads as a real threat; a senior should decide"

    # The senior moderator finds the escalated content in the senior queue and decides it.
    page.context.clear_cookies()
    log_in(browser_session, username="sam", password=PASSWORD)
    page.get_by_test_id("nav-moderation").click()
    page.get_by_test_id("queue-filter-tier").select_option("senior")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue-row")).to_contain_text("I know where you park")
    page.get_by_test_id("start-reviewing").click()
    expect(page.get_by_test_id("review-panel")).to_have_attribute("data-tier", "senior")
    _wait_for(page, "msg-threat")
    expect(page.get_by_test_id("review-decisions")).to_contain_text("Escalate (ESC-1) by mia")
    for key in ["r", "1", "w", "Enter"]:
        page.keyboard.press(key)
    expect(page.get_by_test_id("review-empty")).to_be_visible()

    final = read_db(lambda: _decisions(contents)["msg-threat"])
    assert final == [("escalate", "ESC-1", "mia", False), ("remove", "SPAM-1", "sam", True)]
    from moderation.selectors.strikes import author_live_points

    points = read_db(
        lambda: author_live_points(
            author_id=Content.objects.get(pk=contents["msg-threat"].pk).author_id
        )
    )
    # author-1's two removals for SPAM-1 (category spam, severity 3): 3 points each.
    assert points == 6
    assert browser_session.js_errors == []
