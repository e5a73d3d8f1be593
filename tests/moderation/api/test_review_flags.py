"""The review panel keeps the model apart from people: its version is not a score, its own flag
is not a user's report, and each category's score is shown with the policy's thresholds."""

import pytest
from rest_framework.test import APIClient

from labeling.choices import Role
from models_app.choices import Stage
from moderation.choices import AutomationLevel
from moderation.models import Content
from tests.factories.intake import auth, platform_with_key, trained_project
from tests.factories.moderation import IntakePolicyFactory, PolicyMemberFactory

pytestmark = pytest.mark.django_db

SPAM = (
    "URGENT! You have won a 1 week FREE membership in our £100,000 Prize Jackpot! Txt the "
    "word: CLAIM to No: 81010 T&C www.dbuk.net LCCLTD POBOX 4403LDNW1A7RW18"
)


@pytest.fixture
def flagged(dataset_path):
    """Spam the production model flagged at intake (assist mode), then reported by one user."""
    project, version = trained_project(dataset_path("sms_spam_collection.tsv"))
    platform, key = platform_with_key(scopes=("intake", "reports"))
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.ASSIST, granted_to=platform
    )
    client = APIClient()
    intake = client.post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": "post-1", "author_id": "a", "text": SPAM},
        format="json",
        **auth(key),
    )
    assert intake.status_code == 201, intake.content
    reported = client.post(
        "/api/v1/platform/reports/",
        {"external_id": "post-1", "reporter_id": "user-9", "reason": "scam"},
        format="json",
        **auth(key),
    )
    assert reported.status_code in (200, 201), reported.content
    moderator = APIClient()
    moderator.force_login(PolicyMemberFactory(policy=policy, role=Role.MODERATOR))
    return Content.objects.get(external_id="post-1"), version, moderator


def test_content_detail_separates_the_model_flag_from_reports_and_shows_category_scores(flagged):
    content, version, moderator = flagged
    assert version.stage == Stage.PRODUCTION

    detail = moderator.get(f"/api/v1/moderation/contents/{content.pk}/").json()

    # Only people's reports are reports; the model's flag is its own line.
    assert [(r["source"], r["reporter"]) for r in detail["reports"]] == [("user", "user-9")]
    assert detail["user_report_count"] == 1
    flag = detail["model_flag"]
    assert (flag["model_version"], flag["model_stage"]) == (version.version, "production")
    assert flag["category"] == "spam"
    assert flag["score"] == pytest.approx(content.model_score)
    assert flag["score"] > 0.9
    # The scores are the categories' probabilities, never the version number.
    assert set(detail["scores"]) == {"spam"}
    [spam] = detail["category_scores"]
    assert spam["category"] == "spam"
    assert spam["score"] == pytest.approx(content.model_score)
    assert (spam["remove_threshold"], spam["allow_threshold"]) == (0.9, 0.1)
    assert detail["model"]["model_version"] == version.version
    assert detail["model"]["model_stage"] == "production"


def test_queue_reports_column_counts_only_users(flagged):
    content, _, moderator = flagged

    rows = moderator.get("/api/v1/moderation/queue/").json()["results"]

    [row] = [r for r in rows if r["id"] == content.pk]
    assert row["user_report_count"] == 1
    assert row["report_count"] == 2  # the model's flag and the user's report raise the priority
