"""The webhook outbox survives faults: a broker that is down when an appeal or an automatic
decision commits, a sender killed mid-attempt, two senders at once. Every delivery reaches the
receiver with one delivery id, the same on every attempt, and exactly once when the receiver
accepts it."""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from labeling.choices import Role
from moderation.choices import DeliveryStatus
from moderation.models import WebhookDelivery, WebhookEndpoint
from moderation.services.decisions import decision_create
from moderation.services.review import review_next
from moderation.services.webhooks import webhook_claim, webhook_send_due
from moderation.tasks import webhook_deliver
from tests.broker import UNREACHABLE_BROKER, broker_unreachable
from tests.factories.moderation import (
    ContentFactory,
    PolicyMemberFactory,
    WebhookEndpointFactory,
    review_world,
)
from tests.webhook_receiver import SECRET, Receiver


def _pending_deliveries(policy, platform, moderator, receiver, n: int) -> list[WebhookDelivery]:
    """``n`` decisions whose deliveries wait in the outbox (their tasks never sent)."""
    WebhookEndpoint.objects.get_or_create(
        platform=platform, url=receiver.url, defaults={"secret": SECRET}
    )
    with broker_unreachable():
        for i in range(n):
            content = ContentFactory(policy=policy, platform=platform, external_id=f"post-{i}")
            assert review_next(user=moderator, tier="standard", policy_ids=[policy.pk]) == content
            decision_create(content=content, user=moderator, action="remove", reason_code="SPAM-1")
    return list(WebhookDelivery.objects.order_by("id"))


@pytest.mark.django_db(transaction=True)
def test_an_appeal_and_an_intake_decision_also_commit_while_the_broker_is_down(loopback):
    """Appeals and automatic enforcement write their deliveries in their own transaction too;
    the broker being away changes neither answer."""
    from moderation.services.appeals import appeal_create, appeal_decide

    policy, platform, moderator = review_world()
    senior = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR)
    with Receiver(200) as receiver:
        [delivery] = _pending_deliveries(policy, platform, moderator, receiver, 1)
        appeal = appeal_create(platform=platform, external_id="post-0", statement="Not spam.")
        with broker_unreachable():
            appeal_decide(appeal=appeal, user=senior, outcome="overturn")
        assert WebhookDelivery.objects.filter(event="appeal.decided").count() == 1

        assert webhook_send_due() == 2

    assert sorted(receiver.deliveries().values()) == [1, 1]
    assert {got["body"]["event"] for got in receiver.received} == {
        "content.decided",
        "appeal.decided",
    }
    assert delivery.uuid


@pytest.mark.django_db
def test_every_attempt_of_a_delivery_carries_the_same_delivery_id(
    loopback, django_capture_on_commit_callbacks
):
    policy, platform, moderator = review_world()
    content = ContentFactory(policy=policy, platform=platform)
    with Receiver(503, 500, 200) as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        review_next(user=moderator, tier="standard", policy_ids=[policy.pk])
        with django_capture_on_commit_callbacks(execute=True):
            decision_create(content=content, user=moderator, action="remove", reason_code="SPAM-1")

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert receiver.deliveries() == {str(delivery.uuid): 3}
    assert {got["body"]["delivery_id"] for got in receiver.received} == {str(delivery.uuid)}


@pytest.mark.django_db(transaction=True)
def test_a_claimed_delivery_waits_for_its_claim_to_run_out_then_is_sent_once(loopback, settings):
    """A sender that claimed a delivery and died (killed mid-attempt) holds it until the claim
    runs out; no other sender touches it before, and the next periodic run sends it after."""
    settings.TANDEM_WEBHOOK_CLAIM_SECONDS = 1
    policy, platform, moderator = review_world()
    with Receiver(200) as receiver:
        [delivery] = _pending_deliveries(policy, platform, moderator, receiver, 1)
        assert webhook_claim(delivery_id=delivery.pk)  # ... and the sender is gone

        assert webhook_send_due() == 0
        assert not webhook_claim(delivery_id=delivery.pk)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )  # the claim ran out
        assert webhook_send_due() == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert receiver.deliveries() == {str(delivery.uuid): 1}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_and_the_per_delivery_tasks_at_once_send_each_delivery_once(loopback):
    policy, platform, moderator = review_world()
    with Receiver(200, delay=0.2) as receiver:
        deliveries = _pending_deliveries(policy, platform, moderator, receiver, 6)
        errors: list[BaseException] = []

        def run(target) -> None:
            try:
                target()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        senders = [threading.Thread(target=run, args=(webhook_send_due,)) for _ in range(2)]
        senders += [
            threading.Thread(target=run, args=(lambda pk=d.pk: webhook_deliver(pk),))
            for d in deliveries
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)

    assert errors == []
    assert receiver.deliveries() == {str(d.uuid): 1 for d in deliveries}
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {
        (DeliveryStatus.DELIVERED, 1)
    }


def test_the_unreachable_broker_really_is_unreachable():
    """The fault the tests above inject: nothing listens there."""
    import socket

    host, port = UNREACHABLE_BROKER.split("//")[1].split("/")[0].split(":")
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection((host, int(port)), timeout=2),
    ):
        pass


def test_the_worker_sweeps_the_outbox_every_15_seconds_unless_configured_otherwise(tmp_path):
    from config.celery import app

    assert app.conf.beat_schedule["webhook-send-due"]["schedule"] == 15.0
    assert app.conf.beat_schedule["webhook-send-due"]["options"] == {"expires": 14.0}

    # TANDEM_WEBHOOK_SEND_DUE_SECONDS, as a worker started with it reads its schedule.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_WEBHOOK_SEND_DUE_SECONDS": "3",
    }
    code = (
        "import django; django.setup(); from config.celery import app; "
        "print(app.conf.beat_schedule['webhook-send-due'])"
    )
    result = _python(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("'schedule': 3.0, 'options': {'expires': 2.8}}")


@pytest.mark.parametrize("period", ["0", "-5", "86400"])
def test_a_webhook_outbox_period_out_of_range_stops_the_start(tmp_path, period):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_WEBHOOK_SEND_DUE_SECONDS": period,
    }
    result = _python(["-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "TANDEM_WEBHOOK_SEND_DUE_SECONDS is a period in seconds" in result.stderr


def _python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """This venv's Python with ``args`` in the repository, as a process of its own."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
