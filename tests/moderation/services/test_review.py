"""The review queue's priority: severity, model score, reports and age; refreshed as they
change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.models import Content
from moderation.services.review import (
    content_priority_refresh,
    review_priorities_refresh,
    review_priority,
)
from tests.factories.moderation import (
    ContentFactory,
    PlatformFactory,
    ReportFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    policy = ReviewPolicyFactory()
    return policy, PlatformFactory()


def test_priority_grows_with_severity_score_reports_and_age():
    base = review_priority(severity=2, score=0.5, reports=0, age_hours=0, sla_hours=24)

    assert review_priority(severity=4, score=0.5, reports=0, age_hours=0, sla_hours=24) == 2 * base
    assert review_priority(severity=2, score=1.0, reports=0, age_hours=0, sla_hours=24) == 2 * base
    assert review_priority(severity=2, score=0.5, reports=2, age_hours=0, sla_hours=24) == 3 * base
    assert review_priority(severity=2, score=0.5, reports=0, age_hours=24, sla_hours=24) == (
        2 * base
    )


def test_priorities_refresh_with_age_and_reports(world):
    policy, platform = world
    old = ContentFactory(policy=policy, platform=platform, score=0.5)
    new = ContentFactory(policy=policy, platform=platform, score=0.5)
    Content.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=8))

    review_priorities_refresh()
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.priority > new.priority
    assert new.sla_due_at is not None

    ReportFactory(content=new, source="user", reporter="u1", reason="scam")
    new.report_count = 1
    new.save(update_fields=["report_count"])
    before = new.priority
    content_priority_refresh(content=new)
    assert new.priority == pytest.approx(2 * before, rel=0.01)
