"""The review panel in Chromium: a text bank's terms, obfuscated as posted (spaced letters,
digits, a zero-width joiner, Cyrillic look-alikes), are masked until revealed for a moderator
who hides flagged terms; the "Similar content" section lists the nearest contents with their
similarity, their texts hidden with the flagged terms until the reveal; a reply in the thread
posting a term is masked until clicked."""

from pathlib import Path

import numpy as np
import pytest

from tests.e2e.conftest import BrowserSession, start_reviewing
from tests.e2e.test_browser_layout import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' password
ZWJ, CYRILLIC_E = "\u200d", "\u0435"
TEXT = f"Hello friend, get F R E E m0ney today and fr{CYRILLIC_E}{ZWJ}e m0n3y tomorrow"
VIEWPORTS = [(1366, 768), (1920, 1080)]


@pytest.fixture
def world(settings, tmp_path):
    """A policy with a text bank ("free money"); a pending content posting it obfuscated,
    three other contents near it by embedding; the moderator mia, who hides flagged terms."""
    from labeling.choices import Role
    from labeling.selectors.embedders import project_embedder
    from models_app.services.embeddings import embedding_store
    from models_app.services.neighbours import neighbours_forget_open
    from moderation.models import TextBank, WellnessSettings
    from tests.factories.moderation import ContentFactory, PolicyMemberFactory, ReviewPolicyFactory

    settings.TANDEM_ANN_DIR = tmp_path / "ann"
    neighbours_forget_open()
    policy = ReviewPolicyFactory(name="Scams")
    TextBank.objects.create(policy=policy, name="scam", terms=["free money"])
    content = ContentFactory(policy=policy, external_id="msg-scam", priority=9.0)
    content.item.text = TEXT
    content.item.save(update_fields=["text"])
    others = [
        ContentFactory(policy=policy, external_id=name, state=state, priority=1.0)
        for name, state in (("msg-near", "removed"), ("msg-mid", "allowed"), ("msg-far", "pending"))
    ]
    others[0].item.text = "Free money for everyone who replies today"
    others[0].item.save(update_fields=["text"])
    rows = np.array([[1, 0, 0], [0.95, 0.05, 0], [0.6, 0.4, 0], [0, 0.2, 1]], dtype=np.float32)
    embedding_store(
        owner=policy.project.owner_key,
        embedder=project_embedder(project=policy.project).key,
        object_ids=[c.item_id for c in [content, *others]],
        vectors=rows / np.linalg.norm(rows, axis=1, keepdims=True),
    )
    mia = PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="mia")
    WellnessSettings.objects.create(user=mia, hide_flagged_terms=True)
    yield
    neighbours_forget_open()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_bank_terms_are_masked_where_posted_and_similar_content_is_listed(
    world, browser_session: BrowserSession, tmp_path: Path
):
    from playwright.sync_api import expect

    page = start_reviewing(browser_session, username="mia", password=PASSWORD)
    expect(page.get_by_test_id("review-external-id")).to_have_text("msg-scam")

    text = page.get_by_test_id("review-text")
    expect(text).to_have_attribute("data-masked", "1")
    expect(page.get_by_test_id("flagged-mask")).to_have_count(2)
    expect(text).to_contain_text("Hello friend, get")
    expect(text).to_contain_text("tomorrow")
    expect(text).not_to_contain_text("m0ney")
    expect(text).not_to_contain_text("m0n3y")
    similar = page.get_by_test_id("similar-content")
    expect(similar).to_have_count(3)
    expect(similar.first).to_contain_text("msg-near")
    expect(similar.first).to_contain_text("Removed")
    expect(page.get_by_test_id("similar-texts-hidden")).to_be_visible()
    expect(page.get_by_test_id("similar-excerpt")).to_have_count(0)
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert _no_sideways_scroll(page), f"the review panel scrolls sideways at {width}x{height}"
        expect(page.get_by_test_id("decision-submit")).to_be_in_viewport()
        snapshot(browser_session, f"review-masked-similar-{width}x{height}")

    page.get_by_test_id("flagged-mask").first.click()

    expect(text).to_have_text(TEXT)
    terms = page.get_by_test_id("flagged-term")
    expect(terms).to_have_count(2)
    expect(terms.nth(0)).to_have_text("F R E E m0ney")
    expect(terms.nth(1)).to_have_text(f"fr{CYRILLIC_E}{ZWJ}e m0n3y")
    expect(page.get_by_test_id("similar-excerpt").first).to_contain_text("Free money for")
    page.set_viewport_size({"width": 1366, "height": 768})
    snapshot(browser_session, "review-revealed-similar-1366x768")
    assert browser_session.js_errors == []


def test_a_reply_in_the_thread_is_masked_until_clicked(browser_session: BrowserSession):
    """The thread around the content: a reply posting the bank's term, obfuscated, is masked
    for a moderator who hides flagged terms, until that reply is clicked."""
    from playwright.sync_api import expect

    from labeling.choices import Role
    from moderation.models import TextBank, WellnessSettings
    from tests.factories.moderation import (
        ContentFactory,
        PlatformFactory,
        PolicyMemberFactory,
        ReviewPolicyFactory,
    )

    policy = ReviewPolicyFactory(name="Forum")
    TextBank.objects.create(policy=policy, name="scam", terms=["free money"])
    platform = PlatformFactory()
    post = ContentFactory(policy=policy, platform=platform, external_id="post-1",
                          state="allowed", priority=0.0)  # fmt: skip
    post.item.text = "Selling my bike, barely used"
    post.item.save(update_fields=["text"])
    reply = ContentFactory(policy=policy, platform=platform, external_id="reply-1",
                           parent_external_id="post-1", state="allowed", priority=0.0)  # fmt: skip
    reply.item.text = "forget the bike, get fr33 m0ney at my page"
    reply.item.save(update_fields=["text"])
    mine = ContentFactory(policy=policy, platform=platform, external_id="reply-2",
                          parent_external_id="post-1", priority=9.0)  # fmt: skip
    mine.item.text = "Is it still available?"
    mine.item.save(update_fields=["text"])
    mia = PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="mia")
    WellnessSettings.objects.create(user=mia, hide_flagged_terms=True)

    page = start_reviewing(browser_session, username="mia", password=PASSWORD)
    expect(page.get_by_test_id("review-external-id")).to_have_text("reply-2")

    sibling = page.get_by_test_id("thread-sibling")
    expect(sibling).to_have_count(1)
    expect(sibling.get_by_test_id("thread-text")).to_have_attribute("data-masked", "1")
    expect(sibling).to_contain_text("forget the bike, get")
    expect(sibling).not_to_contain_text("m0ney")
    expect(page.get_by_test_id("thread-ancestor")).to_contain_text("Selling my bike")
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        assert _no_sideways_scroll(page), f"the review panel scrolls sideways at {width}x{height}"
        snapshot(browser_session, f"review-thread-masked-{width}x{height}")

    sibling.get_by_test_id("flagged-mask").click()

    expect(sibling.get_by_test_id("flagged-term")).to_have_text("fr33 m0ney")
    expect(sibling.get_by_test_id("thread-text")).to_have_attribute("data-masked", "0")
    assert browser_session.js_errors == []
