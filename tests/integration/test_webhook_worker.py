"""Webhooks sent by a real Celery worker on the webhooks queue, retried, signed, logged."""

import time

import pytest

from labeling.choices import Role
from moderation.choices import ContentState, DecisionAction, DeliveryStatus
from moderation.models import WebhookDelivery, WebhookEndpoint
from moderation.services.decisions import decision_create
from moderation.services.review import review_next
from tests.moderation.review_factories import (
    make_content,
    make_member,
    make_platform,
    make_policy,
)
from tests.moderation.webhook_receiver import SECRET, Receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_retries_a_failing_receiver_until_it_accepts(start_worker):
    policy = make_policy()
    platform = make_platform()
    moderator = make_member(policy, Role.MODERATOR)
    content = make_content(policy=policy, platform=platform, external_id="post-991")
    worker = start_worker(
        ["webhooks"],
        TANDEM_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        TANDEM_WEBHOOK_BACKOFF_SECONDS="0.5,0.5,0.5",
    )
    with Receiver(503, 503, 200) as receiver:
        WebhookEndpoint.objects.create(platform=platform, url=receiver.url, secret=SECRET)
        assert review_next(user=moderator, tier="standard", policy_ids=[policy.pk]) == content
        decision_create(
            content=content,
            user=moderator,
            action=DecisionAction.REMOVE,
            reason_code="SPAM-1",
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert worker.poll() is None, "the worker process died"
            delivery = WebhookDelivery.objects.first()
            if delivery is not None and delivery.status != DeliveryStatus.PENDING:
                break
            time.sleep(0.25)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [entry["status_code"] for entry in delivery.log] == [503, 503, 200]
    assert len(receiver.received) == 3
    assert all(got["signature_ok"] for got in receiver.received)
    assert receiver.received[-1]["body"]["content"] == {
        "external_id": "post-991",
        "state": ContentState.REMOVED,
    }
