"""The review panel in Chromium shows the model as it is: its version apart from the scores, its
score per category with the policy's thresholds, and its own flag apart from the users' reports,
which alone make the queue's Reports column. Content comes in through intake, scored by a real
model trained on SMS spam (the shared datasets)."""

import os
from pathlib import Path

import pytest

from labeling.choices import Role
from tests.e2e.conftest import BrowserSession, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' password
SPAM = (
    "URGENT! You have won a 1 week FREE membership in our £100,000 Prize Jackpot! Txt the "
    "word: CLAIM to No: 81010 T&C www.dbuk.net LCCLTD POBOX 4403LDNW1A7RW18"
)
# Where to keep the screenshots for a person to look at (optional).
SHOTS = os.environ.get("TANDEM_SCREENSHOTS")


@pytest.fixture
def flagged_world(dataset_path):
    """An assist policy served by a production model; spam the model flagged at intake, then
    reported by one of the platform's users; a moderator."""
    from moderation.models import Content
    from moderation.services.intake import IntakeInput, intake_submit
    from moderation.services.reports import report_create
    from tests.factories.intake import platform_with_key, trained_project
    from tests.factories.moderation import IntakePolicyFactory, PolicyMemberFactory

    project, version = trained_project(dataset_path("sms_spam_collection.tsv"))
    platform, _ = platform_with_key(scopes=("intake", "reports"))
    policy = IntakePolicyFactory(
        project=project, automation_level="assist", granted_to=platform, name="Chat rules"
    )
    result = intake_submit(
        platform=platform,
        entries=[
            IntakeInput(
                index=0, policy=policy.pk, external_id="msg-prize", author_id="author-1", text=SPAM
            )
        ],
    )
    assert not result.errors, result.errors
    content = Content.objects.get(platform=platform, external_id="msg-prize")
    report_create(content=content, reporter_id="user-9", reason="a scam")
    content.refresh_from_db()
    assert content.report_count == 2  # the model's flag and the user's report
    PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="mia")
    return {"version": version.version, "score": content.model_score}


def test_review_panel_shows_category_scores_and_counts_only_user_reports(
    flagged_world, browser_session: BrowserSession, tmp_path: Path
):
    from playwright.sync_api import expect

    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session, username="mia", password=PASSWORD)
    page.get_by_test_id("nav-moderation").click()

    row = page.get_by_test_id("queue-row")
    expect(row).to_have_count(1)
    # The Reports column: the one user, not the model's flag.
    expect(row.get_by_test_id("queue-report-count")).to_have_text("1")

    page.get_by_test_id("start-reviewing").click()
    expect(page.get_by_test_id("review-external-id")).to_have_text("msg-prize")
    model = page.get_by_test_id("review-suggestion")
    version = flagged_world["version"]
    expect(model.get_by_test_id("review-model-version")).to_have_text(
        f"model v{version} (production)"
    )
    scores = model.get_by_test_id("category-score")
    expect(scores).to_have_count(1)
    expect(scores.first).to_have_attribute("data-category", "spam")
    expect(scores.first).to_contain_text(f"{flagged_world['score'] * 100:.1f}%")
    expect(scores.first).to_contain_text("remove ≥ 90% · allow ≤ 10%")
    expect(model).not_to_contain_text("model_version")

    reports = page.get_by_test_id("review-reports")
    expect(reports.get_by_test_id("review-report-count")).to_have_text("1")
    expect(reports.get_by_test_id("review-report")).to_have_count(1)
    expect(reports.get_by_test_id("review-report")).to_contain_text("user-9")
    expect(reports.get_by_test_id("review-model-flag")).to_have_text(
        f"Flagged by model v{version} at {flagged_world['score']:.2f} · spam"
    )

    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        expect(scores.first).to_be_in_viewport()
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ), f"the review page scrolls sideways at {width}x{height}"
        shot = Path(SHOTS or tmp_path) / f"review-panel-{width}x{height}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    assert browser_session.js_errors == []
