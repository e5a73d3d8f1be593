"""The webhook outbox seen from the API: a decision made while the broker is down is answered
as usual, and its delivery reaches the receiver once the broker is back, exactly once."""

import pytest
from rest_framework.test import APIClient

from labeling.models import Annotation
from moderation.choices import ContentState, DeliveryStatus
from moderation.models import Decision, WebhookDelivery
from moderation.tasks import webhook_send_due as webhook_send_due_task
from tests.broker import broker_unreachable
from tests.factories.moderation import (
    ContentFactory,
    WebhookEndpointFactory,
    decide_body,
    review_world,
)
from tests.webhook_receiver import SECRET, Receiver


@pytest.mark.django_db(transaction=True)
def test_a_decision_made_while_the_broker_is_down_answers_201_and_is_delivered_once_later(
    loopback, caplog
):
    policy, platform, moderator = review_world()
    content = ContentFactory(policy=policy, platform=platform, external_id="post-77")
    client = APIClient()
    client.force_login(moderator)
    with Receiver(200) as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        assert client.post("/api/v1/moderation/queue/next/", {}, format="json").status_code == 200

        with broker_unreachable():
            response = client.post(
                f"/api/v1/moderation/contents/{content.pk}/decide/", decide_body(), format="json"
            )

        assert response.status_code == 201, response.content
        decision = Decision.objects.get(content=content)
        assert decision.action == "remove"
        assert Annotation.objects.get(item=content.item).labels == ["spam"]
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
        assert receiver.received == []
        assert "Could not queue moderation.tasks.webhook_deliver" in caplog.text

        # The broker is back; the periodic sender runs (twice: the second finds nothing due).
        assert webhook_send_due_task() == 1
        assert webhook_send_due_task() == 0

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert receiver.deliveries() == {str(delivery.uuid): 1}
    got = receiver.received[0]
    assert got["signature_ok"]
    assert got["body"]["delivery_id"] == str(delivery.uuid)
    assert got["body"]["content"] == {"external_id": "post-77", "state": ContentState.REMOVED}
