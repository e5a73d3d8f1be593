"""Accounts in Chromium: an invitation link whose token never reaches the server (it travels in
the URL fragment), and an API token shown whole once, then only by its prefix, that a script
can use."""

import json
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import BrowserSession, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "violet tractor umbrella 42"


def test_an_invitation_sets_a_password_without_the_token_reaching_the_server(
    browser_session: BrowserSession,
):
    from playwright.sync_api import expect

    page = browser_session.page
    log_in(browser_session)
    page.goto(browser_session.url("/users"))
    page.get_by_test_id("user-username").fill("linus")
    page.get_by_role("button", name="Add user").click()
    link = page.get_by_test_id("invitation-link").input_value()
    parts = urlsplit(link)
    token = parse_qs(parts.fragment)["token"][0]
    assert parts.path == "/accept-invite"
    assert parts.query == ""

    # The invited person, in a browser of their own.
    invited = page.context.browser.new_context()
    try:
        guest = invited.new_page()
        sent: list[str] = []
        guest.on("request", lambda request: sent.append(request.url))
        guest.goto(link)
        guest.get_by_test_id("invite-password").fill(NEW_PASSWORD)
        guest.get_by_test_id("invite-password-confirmation").fill(NEW_PASSWORD)
        guest.get_by_test_id("invite-submit").click()
        expect(guest.get_by_test_id("invite-accepted")).to_contain_text("linus")
        # The token went in the accept request's body, never in a URL.
        assert sent
        assert [url for url in sent if token in url] == []
        log_in(
            BrowserSession(page=guest, base_url=browser_session.base_url),
            username="linus",
            password=NEW_PASSWORD,
        )
    finally:
        invited.close()
    assert browser_session.js_errors == []


def test_an_api_token_is_shown_once_then_by_its_prefix_and_works_for_scripts(
    browser_session: BrowserSession,
):
    from playwright.sync_api import expect

    page = browser_session.page
    log_in(browser_session)
    page.goto(browser_session.url("/account"))
    expect(page.get_by_test_id("api-token-none")).to_be_visible()

    page.get_by_test_id("api-token-create").click()
    key = page.get_by_test_id("api-token-new").input_value()
    assert key.startswith("tdu_")
    page.reload()

    expect(page.get_by_test_id("api-token-prefix")).to_have_text(key[:12] + "…")
    expect(page.get_by_test_id("api-token-new")).to_have_count(0)
    assert key not in page.content()

    request = urllib.request.Request(  # noqa: S310 - the live server on loopback
        browser_session.url("/api/v1/auth/me/"), headers={"Authorization": f"Token {key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert json.loads(response.read())["username"] == "ada"

    page.get_by_test_id("api-token-revoke").click()
    expect(page.get_by_test_id("api-token-none")).to_be_visible()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert refused.value.code == 401
    assert browser_session.js_errors == []
