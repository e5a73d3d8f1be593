"""Reports from a platform's users: each reporter counts once and raises the priority."""

import pytest
from rest_framework.test import APIClient

from moderation.choices import AutomationLevel
from moderation.models import Content, Report
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def content_and_key(db):
    platform, key = platform_with_key(scopes=("intake", "reports"))
    policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY, granted_to=platform)
    APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": "post-1", "author_id": "a", "text": "cheap pills"},
        format="json",
        **auth(key),
    )
    return Content.objects.get(), key


def report(key, reporter, external_id="post-1"):
    return APIClient().post(
        "/api/v1/platform/reports/",
        {"external_id": external_id, "reporter_id": reporter, "reason": "spam"},
        format="json",
        **auth(key),
    )


def test_the_same_reporter_twice_counts_once(content_and_key):
    content, key = content_and_key
    start_priority = content.priority

    first = report(key, "user-1")
    again = report(key, "user-1")
    second = report(key, "user-2")

    assert (first.status_code, again.status_code, second.status_code) == (201, 200, 201)
    assert again.json()["user_report_count"] == 1
    assert second.json()["user_report_count"] == 2
    content.refresh_from_db()
    assert content.report_count == 2
    assert Report.objects.filter(content=content).count() == 2
    # severity 3 x no score 0.5 x (1 + 2 reports); age adds a little.
    assert content.priority == pytest.approx(start_priority * 3, rel=1e-3)


def test_reporting_unknown_content_is_404(content_and_key):
    _, key = content_and_key

    assert report(key, "user-1", external_id="never-sent").status_code == 404


def test_reports_need_the_reports_scope(content_and_key):
    _, intake_only = platform_with_key("Other", scopes=("intake",))

    assert report(intake_only, "user-1").status_code == 403
