"""The webhook delivery task as the worker runs it: a receiver that drips its answer is cut off
by the soft time limit, and the attempt is logged and rescheduled."""

import signal

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from moderation.choices import DeliveryStatus
from moderation.models import WebhookDelivery
from moderation.services.decisions import decision_create
from moderation.services.review import review_next
from moderation.tasks import webhook_deliver
from tests.factories.moderation import (
    ContentFactory,
    WebhookEndpointFactory,
    review_world,
)
from tests.webhook_receiver import SECRET, Receiver


@pytest.mark.django_db
def test_a_slow_drip_receiver_cut_off_by_the_soft_time_limit_is_logged_and_rescheduled(
    settings, django_capture_on_commit_callbacks
):
    """The receiver answers a byte every 0.2 s, so the 5 s socket timeout never fires; the
    task's soft time limit does (raised here the way the worker raises it, by a signal)."""
    settings.TANDEM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.TANDEM_WEBHOOK_BACKOFF_SECONDS = [30, 60]
    policy, platform, moderator = review_world()
    content = ContentFactory(policy=policy, platform=platform)

    def soft_time_limit(signum, frame):
        raise SoftTimeLimitExceeded

    with Receiver(drip=0.2) as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        review_next(user=moderator, tier="standard", policy_ids=[policy.pk])
        # After-commit work not run: the test sends the delivery itself.
        with django_capture_on_commit_callbacks(execute=False):
            decision_create(content=content, user=moderator, action="remove", reason_code="SPAM-1")
        delivery = WebhookDelivery.objects.get()
        previous = signal.signal(signal.SIGALRM, soft_time_limit)
        signal.setitimer(signal.ITIMER_REAL, 1.5)
        try:
            webhook_deliver(delivery.pk)  # the task body, as the worker runs it
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    [attempt] = delivery.log
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("Timed out")
    assert attempt["duration_ms"] >= 1000
    # Rescheduled by the backoff (30 s), not left claimed.
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 20 < wait <= 30
    assert receiver.deliveries() == {str(delivery.uuid): 1}
