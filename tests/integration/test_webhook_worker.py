"""Webhooks sent by a real Celery worker on the webhooks queue, retried, signed, logged; the
worker's periodic sender delivers what the broker never took, once; a slow-drip receiver is cut
off by the task's soft time limit and the attempt rescheduled."""

import time

import pytest
from django.utils import timezone

from labeling.choices import Role
from moderation.choices import ContentState, DecisionAction, DeliveryStatus
from moderation.models import WebhookDelivery
from moderation.services.decisions import decision_create
from moderation.services.review import review_next
from moderation.tasks import webhook_deliver
from tests.broker import broker_unreachable
from tests.factories.moderation import (
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
    WebhookEndpointFactory,
)
from tests.webhook_receiver import SECRET, Receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_retries_a_failing_receiver_until_it_accepts(start_worker):
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    moderator = PolicyMemberFactory(policy=policy, role=Role.MODERATOR)
    content = ContentFactory(policy=policy, platform=platform, external_id="post-991")
    worker = start_worker(
        ["webhooks"],
        TANDEM_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        TANDEM_WEBHOOK_BACKOFF_SECONDS="0.5,0.5,0.5",
    )
    with Receiver(503, 503, 200) as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
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


def _outbox(n: int, receiver_url: str):
    """``n`` removals decided while the broker was unreachable: their deliveries wait in the
    outbox, never sent to any queue."""
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    moderator = PolicyMemberFactory(policy=policy, role=Role.MODERATOR)
    WebhookEndpointFactory(platform=platform, url=receiver_url, secret=SECRET)
    with broker_unreachable():
        for i in range(n):
            content = ContentFactory(policy=policy, platform=platform, external_id=f"late-{i}")
            assert review_next(user=moderator, tier="standard", policy_ids=[policy.pk]) == content
            decision_create(
                content=content, user=moderator, action=DecisionAction.REMOVE, reason_code="SPAM-1"
            )
    deliveries = list(WebhookDelivery.objects.order_by("id"))
    assert len(deliveries) == n
    assert {d.status for d in deliveries} == {DeliveryStatus.PENDING}
    return deliveries


def _wait(worker, done, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        if done():
            return
        time.sleep(0.5)


# The beat's period for the outbox in these tests (15 s in production).
SEND_DUE_SECONDS = 2


def test_the_workers_periodic_sender_delivers_what_the_broker_never_took_once_each(
    start_worker,
):
    """Decisions committed while the broker was down; a worker with beat (two processes, so
    the periodic sender and other tasks run side by side) sends each delivery exactly once."""
    with Receiver(200, delay=0.3) as receiver:
        deliveries = _outbox(4, receiver.url)
        worker = start_worker(
            ["webhooks"],
            pool="prefork",
            concurrency=2,
            beat=True,
            TANDEM_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
            TANDEM_WEBHOOK_SEND_DUE_SECONDS=str(SEND_DUE_SECONDS),
        )
        _wait(
            worker,
            lambda: not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists(),
        )
        # Two more periodic runs: they must find nothing left to send.
        time.sleep(2.5 * SEND_DUE_SECONDS)

    assert receiver.deliveries() == {str(d.uuid): 1 for d in deliveries}
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {
        (DeliveryStatus.DELIVERED, 1)
    }


def test_the_worker_cuts_off_a_slow_drip_receiver_logs_the_attempt_and_reschedules_it(
    start_worker,
):
    """The receiver drips a byte every 0.5 s, so no socket timeout fires; the task's soft time
    limit (2 s for this message) does, in the worker's child process."""
    with Receiver(drip=0.5) as receiver:
        [delivery] = _outbox(1, receiver.url)
        worker = start_worker(
            ["webhooks"],
            pool="prefork",
            TANDEM_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
            TANDEM_WEBHOOK_BACKOFF_SECONDS="300,300",
        )
        webhook_deliver.apply_async((delivery.pk,), soft_time_limit=2, time_limit=10)
        _wait(worker, lambda: WebhookDelivery.objects.get(pk=delivery.pk).attempts > 0, 60)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    [attempt] = delivery.log
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("Timed out")
    assert 250 < (delivery.next_attempt_at - timezone.now()).total_seconds() <= 300
    assert receiver.deliveries() == {str(delivery.uuid): 1}
