"""Private files and the Content-Security-Policy in Chromium.

- Every page of the built SPA (and the API docs) runs under the strict policy without one
  violation in the console, and its images (served by the role-checked file endpoints) show.
- An annotator labeling an image project meets a moderated image blurred: its full image is
  requested only when they reveal it, and that fetch is in the audit log.
"""

import base64
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import NoReverseMatch, reverse

from core.models import AuditEvent
from labeling.choices import Role
from tests.e2e.conftest import BrowserSession, log_in
from tests.factories import UserFactory
from tests.factories.moderation import grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' password
CSP_MARKER = "csp-violation:"
# Reports every violation on the console too (Chromium logs most of them itself; this also
# catches the ones reported only as events), on every document the page loads.
CSP_LISTENER = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  console.error("{CSP_MARKER} " + event.violatedDirective + " " + event.blockedURI);
}});
"""

T = TypeVar("T")


def read_db(query: Callable[[], T]) -> T:
    """Run ``query`` in a thread of its own (see test_browser_annotate.py)."""

    def run() -> T:
        try:
            return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _photo(colour: str, size=(96, 64)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 40, 56), fill="#f4a259")
    draw.ellipse((50, 12, 88, 50), fill="#bc4b51")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def photo_world(staff_user):
    """An image project (staff is its admin) with two imported photos and one photo taken in
    by moderation intake (a media-restricted item, first in the labeling queue); an annotator."""
    from labeling.models import Item
    from labeling.services.imports.jobs import import_job_create
    from labeling.services.imports.run import import_job_run
    from labeling.services.memberships import membership_add
    from labeling.services.projects import project_create
    from moderation.models import Content
    from moderation.services.intake import IntakeInput, intake_submit
    from moderation.services.platforms import platform_create
    from moderation.services.policies import policy_create

    project = project_create(
        created_by=staff_user,
        name="Street photos",
        data_type="image",
        task_type="binary",
        label_classes=[{"name": "safe"}, {"name": "unsafe"}],
        retrain_every=0,
    )
    uploads = [
        SimpleUploadedFile("harbour.png", _photo("#2a6f97")),
        SimpleUploadedFile("market.png", _photo("#588157")),
    ]
    job = import_job_create(project=project, created_by=staff_user, uploads=uploads, enqueue=False)
    import_job_run(job_id=job.pk)
    policy = policy_create(
        user=staff_user,
        project_id=project.pk,
        name="Photo rules",
        automation_level="human_only",
        categories=[
            {
                "name": "unsafe",
                "label_class": "unsafe",
                "severity": 3,
                "remove_threshold": 0.97,
                "allow_threshold": 0.05,
                "sla_hours": 4,
                "rules": [],
            }
        ],
        reason_codes=[
            {"code": "UNSAFE-1", "description": "Unsafe", "action": "remove", "category": "unsafe"},
            {"code": "OK-1", "description": "Fine", "action": "approve", "category": None},
        ],
    )
    platform = platform_create(name="Photo app", created_by=staff_user)
    grant(policy, platform)
    result = intake_submit(
        platform=platform,
        entries=[
            IntakeInput(
                index=0,
                policy=policy.pk,
                external_id="upload-77",
                author_id="author-1",
                text=None,
                image=base64.b64encode(_photo("#9b2226")).decode(),
                context={"language": "en"},
            )
        ],
    )
    assert not result.errors, result.errors
    content = Content.objects.select_related("item").get(platform=platform)
    assert content.item.media_restricted
    # The moderated photo first in the labeling queue, then the imported ones.
    Item.objects.filter(pk=content.item_id).update(priority=100)
    Item.objects.filter(project=project, media_restricted=False).update(priority=50)
    membership_add(project=project, user=UserFactory(username="ann"), role=Role.ANNOTATOR)
    imported = Item.objects.filter(project=project, media_restricted=False).order_by("id").first()
    return {"project": project, "content": content, "imported": imported, "job": job}


def snap(page, name: str) -> None:
    """A screenshot for people checking the pages by eye (TANDEM_SCREENSHOTS=<folder>)."""
    folder = os.environ.get("TANDEM_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def natural_width(locator) -> int:
    locator.evaluate("image => image.decode ? image.decode() : null")
    return locator.evaluate("image => image.naturalWidth")


def test_annotator_sees_a_moderated_photo_blurred_until_revealed_and_the_reveal_is_audited(
    photo_world, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    project, content = photo_world["project"], photo_world["content"]
    restricted_image = f"/api/v1/projects/{project.pk}/items/{content.item_id}/image/"
    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    log_in(browser_session, username="ann", password=PASSWORD)
    page.goto(browser_session.url(f"/projects/{project.pk}/annotate"))
    card = page.get_by_test_id("annotate-item")
    expect(card).to_have_attribute("data-item-id", str(content.item_id))
    blurred = page.get_by_test_id("annotate-image-blurred")
    expect(blurred).to_be_visible()
    assert natural_width(blurred) > 0  # the blurred thumbnail loaded under the CSP
    expect(page.get_by_test_id("annotate-workspace")).to_have_attribute("data-prefetched", "1")
    page.wait_for_timeout(300)
    assert not [url for url in requested if url.endswith(restricted_image)]
    assert read_db(lambda: AuditEvent.objects.filter(action="item.reveal").count()) == 0
    snap(page, "annotate-blurred")

    page.keyboard.press("v")
    full = page.get_by_test_id("annotate-image")
    expect(full).to_have_attribute("src", restricted_image)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=annotate-image]')?.naturalWidth === 96"
    )
    assert len([url for url in requested if url.endswith(restricted_image)]) == 1
    reveals = read_db(
        lambda: list(
            AuditEvent.objects.filter(action="item.reveal").values("actor_name", "object_id")
        )
    )
    assert reveals == [{"actor_name": "ann", "object_id": str(content.item_id)}]

    # Label it; the next item is an imported photo, shown at once in full.
    page.keyboard.press("1")
    expect(card).not_to_have_attribute("data-item-id", str(content.item_id))
    image = page.get_by_test_id("annotate-image")
    expect(image).to_be_visible()
    assert natural_width(image) == 96
    snap(page, "annotate-image")
    assert browser_session.js_errors == []


def _admin_routed() -> bool:
    try:
        reverse("admin:login")
    except NoReverseMatch:
        return False
    return True


def test_every_page_runs_under_the_content_security_policy_without_a_violation(
    photo_world, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    project, content = photo_world["project"], photo_world["content"]
    imported = photo_world["imported"]
    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    console: list[tuple[str, str]] = []  # (page, message)
    page.on(
        "console",
        lambda message: (
            console.append((page.url, f"{message.type}: {message.text}"))
            if message.type in {"error", "warning"}
            else None
        ),
    )
    page.add_init_script(CSP_LISTENER)
    visited: list[str] = []
    # Every request any page makes, to see that none goes to another site.
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    def visit(path: str, ready: Callable[[], None]) -> None:
        response = page.goto(browser_session.url(path))
        assert response is not None
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        ready()
        page.wait_for_load_state("networkidle")
        visited.append(path)

    visit("/login", lambda: expect(page.get_by_test_id("login-username")).to_be_visible())
    log_in(browser_session)
    visit("/projects", lambda: expect(page.get_by_text("Street photos")).to_be_visible())
    visit(
        f"/projects/{project.pk}", lambda: expect(page.get_by_test_id("tab-items")).to_be_visible()
    )

    def items_shown() -> None:
        expect(page.locator("img.thumbnail")).to_have_count(3)
        for index in range(3):
            assert natural_width(page.locator("img.thumbnail").nth(index)) > 0

    visit(f"/projects/{project.pk}/items", items_shown)
    snap(page, "items")

    def imported_item_shown() -> None:
        image = page.locator("img.item-image")
        expect(image).to_be_visible()
        assert natural_width(image) == 96

    visit(f"/projects/{project.pk}/items/{imported.pk}", imported_item_shown)

    def restricted_item_shown() -> None:
        expect(page.get_by_test_id("item-image-blurred")).to_be_visible()
        snap(page, "item-blurred")
        page.get_by_test_id("item-reveal").click()
        assert natural_width(page.get_by_test_id("item-image-full")) == 96

    visit(f"/projects/{project.pk}/items/{content.item_id}", restricted_item_shown)
    visit(
        f"/projects/{project.pk}/import",
        lambda: expect(page.get_by_test_id("import-file-download")).to_have_count(1),
    )
    visit(
        f"/projects/{project.pk}/annotate",
        lambda: expect(page.get_by_test_id("annotate-item")).to_be_visible(),
    )
    visit(f"/projects/{project.pk}/models", lambda: page.wait_for_timeout(200))
    visit(f"/projects/{project.pk}/dashboard", lambda: page.wait_for_timeout(200))
    visit("/moderation", lambda: expect(page.get_by_test_id("queue-row")).to_have_count(1))

    def review_shown() -> None:
        blurred = page.get_by_test_id("review-image-blurred")
        expect(blurred).to_be_visible()
        assert natural_width(blurred) > 0
        page.keyboard.press("v")
        assert natural_width(page.get_by_test_id("review-image-full")) == 96

    visit("/moderation/review?tier=standard", review_shown)
    visit("/moderation/audit", lambda: page.wait_for_timeout(200))
    visit("/platforms", lambda: page.wait_for_timeout(200))
    visit("/users", lambda: page.wait_for_timeout(200))
    visit("/account", lambda: page.wait_for_timeout(200))
    snap(page, "review")
    visit(
        "/api/docs/",
        # Redoc renders the whole schema in the browser: on a busy machine that takes seconds.
        lambda: expect(page.get_by_text("Tandem API").first).to_be_visible(timeout=30_000),
    )
    snap(page, "api-docs")
    if _admin_routed():
        # Staff are signed in: the admin's index page (its own scripts and styles).
        visit("/admin/", lambda: expect(page.locator("#site-name")).to_be_visible())

    problems = [
        (url, line)
        for url, line in console
        if CSP_MARKER in line
        or "Content Security Policy" in line
        or "Permissions-Policy" in line
        or "Refused to" in line
    ]
    # Nothing is refused anywhere, the API docs included: Redoc's logo from its CDN is never
    # requested (the docs page loads nothing from other sites).
    assert problems == [], problems
    server = urlsplit(browser_session.base_url)
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme not in {"data", "blob"}
        and (urlsplit(url).hostname, urlsplit(url).port) != (server.hostname, server.port)
    ]
    assert elsewhere == [], elsewhere
    assert any("/api/docs/" in url for url in requested)
    assert browser_session.js_errors == []
    assert len(visited) >= 17
