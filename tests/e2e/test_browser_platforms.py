"""Platforms in Chromium: a site admin registers a platform and makes it an API key, which is shown
whole exactly once (after a reload only its prefix and scopes are listed); the key is refused a
policy until the admin grants it on the page, and the platform then sends content with that key
to the live server."""

import json
import urllib.request

import pytest
from django.urls import NoReverseMatch, reverse

from tests.e2e.conftest import BrowserSession, log_in, require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENDPOINTS = [
    ("moderation-platforms", {}),
    ("moderation-platform-keys", {"platform_id": 1}),
    ("platform-intake", {}),
]


@pytest.fixture
def chat_policy(staff_user):
    """A human-only policy to send content against (made before the browser starts: the ORM is
    refused from the test's thread once Playwright runs)."""
    for name, args in ENDPOINTS:
        try:
            reverse(name, kwargs=args)
        except NoReverseMatch:
            require(False, f"the API route {name!r} is not there yet")

    from labeling.services.projects import project_create
    from moderation.services.policies import policy_create

    project = project_create(
        created_by=staff_user,
        name="Chat messages",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham"}, {"name": "spam"}],
        retrain_every=0,
    )
    return policy_create(
        user=staff_user,
        project_id=project.pk,
        name="Chat community rules",
        automation_level="human_only",
        categories=[
            {
                "name": "spam",
                "label_class": "spam",
                "severity": 3,
                "remove_threshold": 0.97,
                "allow_threshold": 0.05,
                "sla_hours": 4,
                "rules": [],
            }
        ],
        reason_codes=[],
    )


def _intake(base_url: str, key: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (the live server's http URL)
        f"{base_url}/api/v1/platform/intake/",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_staff_creates_a_platform_and_a_key_shown_once(
    chat_policy, browser_session: BrowserSession
):
    from playwright.sync_api import expect

    page = browser_session.page
    log_in(browser_session)

    page.get_by_test_id("nav-platforms").click()
    expect(page.get_by_test_id("platforms-empty")).to_be_visible()
    page.get_by_test_id("platform-name").fill("Harbour Chat")
    page.get_by_test_id("platform-create").click()
    expect(page.get_by_test_id("platform-title")).to_have_text("Harbour Chat")

    page.get_by_test_id("api-key-name").fill("chat servers")
    page.get_by_test_id("api-key-scope-reports").check()
    page.get_by_test_id("api-key-create").click()
    expect(page.get_by_test_id("api-key-new-warning")).to_contain_text("you will not see it again")
    key = page.get_by_test_id("api-key-new").input_value()
    assert key.startswith("tdm_")
    assert len(key) > 20
    row = page.get_by_test_id("api-key-row")
    expect(row).to_have_count(1)
    prefix = row.get_by_test_id("api-key-prefix").inner_text().rstrip("…")
    assert key.startswith(prefix)
    assert prefix != key

    # After a reload the whole key is gone for good: only its prefix and scopes are listed.
    page.reload()
    expect(page.get_by_test_id("api-key-row")).to_have_count(1)
    expect(page.get_by_test_id("api-key-new")).to_have_count(0)
    expect(page.get_by_test_id("api-key-prefix")).to_have_text(f"{prefix}…")
    expect(page.get_by_test_id("api-key-scopes")).to_have_text("intake, reports")
    assert key not in page.content()

    # Without a grant the policy does not exist for the key: 404, as for an unknown id.
    payload = {
        "policy": chat_policy.pk,
        "external_id": "msg-1000",
        "author_id": "user-77",
        "text": "Is anyone going to the harbour clean-up on Saturday morning?",
    }
    status, body = _intake(browser_session.base_url, key, payload)
    assert status == 404, body
    assert body == {
        "message": f"Unknown policy {chat_policy.pk}.",
        "extra": {"policy": chat_policy.pk},
    }

    # Granted on the Platforms page, the key may use it.
    grant_row = page.locator(f'[data-testid="policy-grant-row"][data-policy="{chat_policy.pk}"]')
    expect(grant_row.get_by_test_id("policy-grant-status")).to_have_text("no access")
    grant_row.get_by_test_id("policy-grant").click()
    expect(grant_row.get_by_test_id("policy-grant-status")).to_have_text("may use")

    # The platform sends content with the key.
    status, body = _intake(
        browser_session.base_url,
        key,
        {
            "policy": chat_policy.pk,
            "external_id": "msg-1001",
            "author_id": "user-77",
            "text": "Is anyone going to the harbour clean-up on Saturday morning?",
        },
    )
    assert status in (200, 201), body
    assert body["external_id"] == "msg-1001"

    # Revoked (after confirming), the key is refused.
    page.get_by_test_id("api-key-revoke").click()
    page.get_by_test_id("api-key-revoke-yes").click()
    expect(page.get_by_test_id("api-key-status")).to_contain_text("revoked")
    status, _ = _intake(
        browser_session.base_url,
        key,
        {"policy": chat_policy.pk, "external_id": "msg-1002", "author_id": "user-77", "text": "hi"},
    )
    assert status == 401
    assert browser_session.js_errors == []
