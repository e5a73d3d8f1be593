"""Reviewer wellness in Chromium: a moderator sets grayscale, strong blur and hidden flagged
terms on the wellness page, and the review panel applies them (the images' computed filters,
flagged words masked until clicked); revealing graphic content raises the exposure counter in
the panel's bar once per content, and the counts are stored on the server."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from tests.e2e.conftest import BrowserSession, log_in
from tests.e2e.test_browser_annotate import read_db
from tests.e2e.test_browser_layout import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' password
TEXT = "Next time I see you I will stab you, and everyone will watch the video"
VIEWPORTS = [(1366, 768), (1920, 1080)]


def _png(colour: str, size: int = 320) -> bytes:
    image = Image.new("RGB", (size, size), colour)
    margin = size // 8
    ImageDraw.Draw(image).ellipse((margin, margin, size - margin, size - margin), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def graphic_world():
    """A policy whose category ``violence`` is graphic; one pending content in it with a text a
    rule flagged ("stab") and an image; the moderator mia."""
    from labeling.choices import Role
    from moderation.choices import ReportSource
    from tests.factories.moderation import (
        ContentFactory,
        PolicyCategoryFactory,
        PolicyMemberFactory,
        ReportFactory,
        ReviewPolicyFactory,
    )

    policy = ReviewPolicyFactory(name="Threats")
    violence = PolicyCategoryFactory(
        policy=policy, name="violence", label_class="spam", graphic=True, rules=[r"\bstab\b"]
    )
    content = ContentFactory(
        policy=policy, external_id="msg-threat", top_category=violence, priority=5.0
    )
    content.item.text = TEXT
    content.item.save(update_fields=["text"])
    content.item.image.save("photo.png", ContentFile(_png("darkred")))
    content.blurred_thumbnail.save("photo-blurred.png", ContentFile(_png("gray", 64)))
    ReportFactory(
        content=content, source=ReportSource.RULE, reporter=r"\bstab\b", category=violence
    )
    mia = PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="mia")
    return {"content": content.pk, "mia": mia.pk}


def _filter(page, test_id: str) -> str:
    return page.get_by_test_id(test_id).evaluate("(el) => getComputedStyle(el).filter")


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _choose(page, test_id: str, value: str) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id(test_id).select_option(value)
    expect(page.get_by_test_id("wellness-saved")).to_have_text("Saved.")
    expect(page.get_by_test_id(test_id)).to_be_enabled()


def test_wellness_settings_apply_to_the_review_panel_and_reveals_count(
    graphic_world, browser_session: BrowserSession, tmp_path: Path
):
    from playwright.sync_api import expect

    from moderation.models import ExposureEvent

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session, username="mia", password=PASSWORD)
    page.get_by_test_id("nav-moderation").click()
    page.get_by_test_id("tab-moderation-wellness").click()

    expect(page.get_by_test_id("wellness-blur")).to_have_value("")
    _choose(page, "wellness-grayscale", "on")
    _choose(page, "wellness-blur", "strong")
    _choose(page, "wellness-hide_flagged_terms", "on")
    expect(page.get_by_test_id("my-exposure-today")).to_have_text("0")
    # A moderator manages nobody: no table of others' exposure, no organisation defaults.
    expect(page.get_by_test_id("moderators-exposure")).to_have_count(0)
    expect(page.get_by_test_id("wellness-defaults")).to_have_count(0)
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert _no_sideways_scroll(page), f"the wellness page scrolls sideways at {width}x{height}"
        snapshot(browser_session, f"wellness-page-{width}x{height}")

    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_test_id("tab-moderation-queue").click()
    page.get_by_test_id("start-reviewing").click()
    expect(page.get_by_test_id("review-external-id")).to_have_text("msg-threat")
    expect(page.get_by_test_id("exposure-today")).to_have_text("0")
    expect(page.get_by_test_id("review-graphic")).to_be_visible()

    # Grayscale and strong blur on the server's blurred thumbnail.
    assert _filter(page, "review-image-blurred") == "blur(16px) grayscale(1)"
    # The flagged word is masked: not on the page until clicked.
    text = page.get_by_test_id("review-text")
    expect(text).to_have_attribute("data-masked", "1")
    expect(text).not_to_contain_text("stab")
    expect(text).to_contain_text("Next time I see you I will")

    page.get_by_test_id("flagged-mask").click()

    expect(page.get_by_test_id("flagged-term")).to_have_text("stab")
    expect(text).to_have_text(TEXT)
    expect(page.get_by_test_id("exposure-today")).to_have_text("1")

    # The image revealed stays blurred (and gray) until the pointer rests on it.
    page.keyboard.press("v")
    full = page.get_by_test_id("review-image-full")
    expect(full).to_be_visible()
    full.evaluate("(img) => img.decode()")
    assert _filter(page, "review-image-full") == "blur(16px) grayscale(1)"
    full.hover()
    expect(full).to_have_css("filter", "grayscale(1)")
    page.mouse.move(0, 0)
    expect(full).to_have_css("filter", "blur(16px) grayscale(1)")
    # The same content revealed again the same day counts once.
    expect(page.get_by_test_id("exposure-today")).to_have_text("1")
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        expect(page.get_by_test_id("review-item")).to_be_in_viewport()
        assert _no_sideways_scroll(page), f"the review panel scrolls sideways at {width}x{height}"
        snapshot(browser_session, f"wellness-review-{width}x{height}")

    stored = read_db(
        lambda: list(ExposureEvent.objects.values_list("user_id", "content_id", "kind"))
    )
    assert stored == [(graphic_world["mia"], graphic_world["content"], "text")]
    assert browser_session.js_errors == []
