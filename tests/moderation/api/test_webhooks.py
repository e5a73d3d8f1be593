"""Signed webhooks to a real receiver on 127.0.0.1; retries with backoff; allowed destinations."""

import pytest

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import ContentState, DeliveryStatus
from moderation.models import WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory
from tests.factories.moderation import (
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
    WebhookEndpointFactory,
    decide_body,
)
from tests.webhook_receiver import SECRET, Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(api):
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    client = api.as_user(PolicyMemberFactory(policy=policy, role=Role.MODERATOR))
    return policy, platform, client


def _decide_removal(client, policy, platform, capture):
    content = ContentFactory(policy=policy, platform=platform, external_id="msg-abc")
    client.post("/api/v1/moderation/queue/next/", {}, format="json")
    with capture(execute=True):
        response = client.post(
            f"/api/v1/moderation/contents/{content.pk}/decide/", decide_body(), format="json"
        )
    assert response.status_code == 201, response.content
    return content


def test_decision_reaches_the_receiver_signed_with_the_endpoint_secret(
    review, loopback, django_capture_on_commit_callbacks
):
    policy, platform, client = review
    with Receiver(200) as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        _decide_removal(client, policy, platform, django_capture_on_commit_callbacks)

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got["signature_ok"]
    assert got["body"]["event"] == "content.decided"
    assert got["body"]["content"] == {"external_id": "msg-abc", "state": ContentState.REMOVED}
    assert got["body"]["decision"]["action"] == "remove"
    assert got["body"]["decision"]["reason_code"] == "SPAM-1"
    assert "sent_at" in got["body"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [entry["status_code"] for entry in delivery.log] == [200]


def test_failing_receiver_gets_retries_and_the_delivery_log_shows_them(
    review, loopback, django_capture_on_commit_callbacks, api
):
    policy, platform, client = review
    with Receiver(503) as receiver:
        endpoint = WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        _decide_removal(client, policy, platform, django_capture_on_commit_callbacks)

    assert len(receiver.received) == 6
    assert all(r["signature_ok"] for r in receiver.received)
    staff = api.as_user(UserFactory(is_staff=True))
    response = staff.get(f"/api/v1/moderation/webhooks/{endpoint.pk}/deliveries/")
    assert response.status_code == 200
    [delivery] = response.json()["results"]
    assert delivery["status"] == DeliveryStatus.FAILED
    assert delivery["attempts"] == 6
    assert [entry["attempt"] for entry in delivery["log"]] == [1, 2, 3, 4, 5, 6]
    assert {entry["status_code"] for entry in delivery["log"]} == {503}
    assert "receiver is down" in delivery["last_error"]


def test_receiver_that_recovers_gets_the_delivery_on_a_retry(
    review, loopback, django_capture_on_commit_callbacks
):
    policy, platform, client = review
    with Receiver(500, 500, 204) as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        _decide_removal(client, policy, platform, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [entry["status_code"] for entry in delivery.log] == [500, 500, 204]


def test_nothing_is_sent_when_the_platform_configured_no_endpoint(
    review, loopback, django_capture_on_commit_callbacks
):
    policy, platform, client = review
    other_platform = PlatformFactory()
    with Receiver(200) as receiver:
        # Configured for another platform only: this platform's decision must not go there.
        WebhookEndpointFactory(platform=other_platform, url=receiver.url, secret=SECRET)
        WebhookEndpointFactory(
            platform=platform, url=receiver.url + "/inactive", secret=SECRET, active=False
        )
        _decide_removal(client, policy, platform, django_capture_on_commit_callbacks)

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
    ],
)
def test_staff_cannot_configure_a_private_or_loopback_destination(api, url):
    platform = PlatformFactory()
    staff = api.as_user(UserFactory(is_staff=True))

    response = staff.post(
        f"/api/v1/moderation/platforms/{platform.pk}/webhooks/", {"url": url}, format="json"
    )

    assert response.status_code == 400
    assert "private, loopback or link-local" in response.json()["message"]
    assert not WebhookEndpoint.objects.exists()


def test_allowed_host_can_be_configured_and_the_secret_is_shown_once(api, loopback):
    platform = PlatformFactory()
    staff = api.as_user(UserFactory(is_staff=True))
    path = f"/api/v1/moderation/platforms/{platform.pk}/webhooks/"

    created = staff.post(path, {"url": "http://127.0.0.1:9/hook"}, format="json")
    listed = staff.get(path)

    assert created.status_code == 201, created.content
    assert len(created.json()["secret"]) > 20
    assert "secret" not in listed.json()["results"][0]
    assert AuditEvent.objects.filter(action="webhook.create").count() == 1


def test_sender_checks_the_destination_again_before_sending(
    review, settings, django_capture_on_commit_callbacks
):
    policy, platform, client = review
    settings.TANDEM_WEBHOOK_BACKOFF_SECONDS = [0]
    with Receiver(200) as receiver:
        # Stored while loopback was allowed (or written around the API): no longer allowed now.
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        settings.TANDEM_WEBHOOK_ALLOWED_HOSTS = []
        _decide_removal(client, policy, platform, django_capture_on_commit_callbacks)

    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert all(entry["status_code"] is None for entry in delivery.log)
    assert "private, loopback or link-local" in delivery.last_error


def test_only_staff_manage_webhook_endpoints(review):
    _policy, platform, moderator_client = review

    response = moderator_client.post(
        f"/api/v1/moderation/platforms/{platform.pk}/webhooks/",
        {"url": "https://hooks.example.com/tandem"},
        format="json",
    )

    assert response.status_code == 403


# IPv6 addresses that lead to an IPv4 address: each is judged by that IPv4 address. Literal
# addresses, so no name is looked up.
TRANSITION_FORMS = [
    pytest.param("http://[64:ff9b::7f00:1]/hook", "NAT64 form of 127.0.0.1", id="nat64-loopback"),
    pytest.param("http://[64:ff9b::a00:1]/hook", "NAT64 form of 10.0.0.1", id="nat64-private"),
    pytest.param(
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "NAT64 form of 169.254.169.254",
        id="nat64-link-local",
    ),
    pytest.param("http://[64:ff9b::f000:1]/hook", "NAT64 form of 240.0.0.1", id="nat64-reserved"),
    pytest.param(
        "http://[64:ff9b:1::c0a8:1]/hook", "NAT64 form of 192.168.0.1", id="nat64-local-use"
    ),
    pytest.param("http://[2002:7f00:1::1]/hook", "6to4 form of 127.0.0.1", id="6to4-loopback"),
    pytest.param("http://[2002:c0a8:a::1]/hook", "6to4 form of 192.168.0.10", id="6to4-private"),
    pytest.param(
        "http://[::127.0.0.1]/hook", "IPv4-compatible form of 127.0.0.1", id="compatible-loopback"
    ),
    pytest.param(
        "http://[::a01:203]/hook", "IPv4-compatible form of 10.1.2.3", id="compatible-private"
    ),
    pytest.param(
        "http://[::ffff:127.0.0.1]/hook", "IPv4-mapped form of 127.0.0.1", id="mapped-loopback"
    ),
    pytest.param(
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "IPv4-mapped form of 169.254.169.254",
        id="mapped-link-local",
    ),
    # Teredo keeps the client's address inverted: 80ff:fffe is 127.0.0.1, f5ff:fffe 10.0.0.1.
    pytest.param(
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
        "Teredo form of 127.0.0.1",
        id="teredo-loopback",
    ),
    pytest.param(
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook",
        "Teredo form of 10.0.0.1",
        id="teredo-private",
    ),
]


@pytest.mark.parametrize(("url", "named"), TRANSITION_FORMS)
def test_staff_cannot_configure_an_ipv6_form_of_a_private_or_loopback_address(api, url, named):
    platform = PlatformFactory()
    staff = api.as_user(UserFactory(is_staff=True))

    response = staff.post(
        f"/api/v1/moderation/platforms/{platform.pk}/webhooks/", {"url": url}, format="json"
    )

    assert response.status_code == 400, response.content
    assert named in response.json()["message"]
    assert "private, loopback or link-local" in response.json()["message"]
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action="webhook.create").exists()


@pytest.mark.parametrize(("url", "named"), TRANSITION_FORMS)
def test_sender_refuses_an_ipv6_form_of_a_private_address_at_every_attempt(
    review, settings, django_capture_on_commit_callbacks, url, named
):
    """Stored around the API (or before this check existed): every attempt is refused and
    logged, nothing is sent, and the delivery fails once its attempts are used up."""
    policy, platform, client = review
    settings.TANDEM_WEBHOOK_BACKOFF_SECONDS = [0, 0]
    WebhookEndpointFactory(platform=platform, url=url, secret=SECRET)

    _decide_removal(client, policy, platform, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert [entry["status_code"] for entry in delivery.log] == [None, None, None]
    assert all(named in entry["error"] for entry in delivery.log)


def test_an_ipv6_form_of_a_public_address_is_accepted(api):
    """The NAT64 form of a public address (93.184.215.14) leads to a public host."""
    platform = PlatformFactory()
    staff = api.as_user(UserFactory(is_staff=True))

    response = staff.post(
        f"/api/v1/moderation/platforms/{platform.pk}/webhooks/",
        {"url": "http://[64:ff9b::5db8:d70e]/hook"},
        format="json",
    )

    assert response.status_code == 201, response.content
