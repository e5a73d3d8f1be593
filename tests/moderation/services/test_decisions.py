"""Deciding content: one final decision, however many people decide at once."""

import threading

import pytest
from django.db import connection

from core.models import AuditEvent
from labeling.choices import Role
from labeling.models import Annotation
from moderation.choices import ContentState
from moderation.models import Content, Decision
from moderation.services.decisions import decision_create
from tests.factories.moderation import (
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
)


@pytest.mark.django_db(transaction=True)
def test_two_seniors_deciding_the_same_content_at_once_make_one_decision():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions are tested on PostgreSQL")
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    seniors = [PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR) for _ in range(2)]
    content = ContentFactory(policy=policy, platform=platform, state=ContentState.ESCALATED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user, action, code):
        from django.db import connections

        from core.exceptions import ApplicationError

        try:
            barrier.wait()
            decision_create(content=content, user=user, action=action, reason_code=code)
            outcomes.append("decided")
        except ApplicationError as exc:
            outcomes.append(str(exc.status_code))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(seniors[0], "remove", "SPAM-1")),
        threading.Thread(target=decide, args=(seniors[1], "approve", "OK-1")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["409", "decided"]
    assert Decision.objects.filter(content=content).count() == 1
    assert Annotation.objects.filter(item=content.item).count() == 1
    assert AuditEvent.objects.filter(action="decision.create").count() == 1
    content = Content.objects.get(pk=content.pk)
    assert content.state in {ContentState.REMOVED, ContentState.ALLOWED}
