"""Login storms: forged X-Forwarded-For headers, one username tried from many addresses, the
invitation form and the trusted-proxy setting. Over a limit the answer is 429 with
Retry-After, the password is not checked, and no session starts."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from rest_framework.test import APIClient

from core.services.users import invitation_path
from core.throttling import parse_rate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # what UserFactory sets
NEW_PASSWORD = "violet tractor umbrella 42"
PROXY = "10.0.0.1"


def per_address() -> int:
    return parse_rate(settings.TANDEM_LOGIN_RATE).count


def per_username() -> int:
    return parse_rate(settings.TANDEM_LOGIN_USERNAME_RATE).count


def login(client, username, password=PASSWORD, **headers):
    return client.post(
        "/api/v1/auth/login/",
        {"username": username, "password": password},
        format="json",
        **headers,
    )


def via_proxy(address: str) -> dict[str, str]:
    """What the trusted proxy adds for a client at ``address``."""
    return {"HTTP_X_FORWARDED_FOR": address}


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    body = response.json()
    assert set(body) == {"message", "extra"}
    seconds = body["extra"]["retry_after_seconds"]
    assert isinstance(seconds, int)
    assert seconds > 0
    assert response.headers["Retry-After"] == str(seconds)
    assert "sessionid" not in response.cookies


@pytest.fixture
def trusted_proxy(settings):
    settings.TANDEM_TRUSTED_PROXIES = [PROXY]


def test_a_forged_forwarded_for_on_every_attempt_does_not_escape_the_address_limit():
    UserFactory(username="ada")
    attacker = APIClient(REMOTE_ADDR="203.0.113.7")

    answers = [
        login(attacker, "ada", f"guess {n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(50)
    ]
    right_password = login(attacker, "ada", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200")

    codes = [response.status_code for response in answers]
    assert codes == [400] * per_address() + [429] * (50 - per_address())
    assert_throttled(answers[-1])
    assert_throttled(right_password)
    assert not Session.objects.exists()
    assert attacker.get("/api/v1/auth/me/").status_code == 401


def test_a_storm_on_one_username_from_many_addresses_is_stopped(trusted_proxy):
    UserFactory(username="ada")
    proxy = APIClient(REMOTE_ADDR=PROXY)

    answers = [
        login(proxy, "ada", f"guess {n}", **via_proxy(f"198.51.100.{n}"))
        for n in range(per_username() + 5)
    ]
    # The owner, from an address never seen before, with the right password: still refused.
    owner = login(proxy, "ada", PASSWORD, **via_proxy("192.0.2.50"))

    codes = [response.status_code for response in answers]
    assert codes == [400] * per_username() + [429] * 5
    assert_throttled(owner)
    assert "username" in owner.json()["message"]
    assert not Session.objects.exists()


def test_the_username_limit_ignores_case_and_unicode_forms(trusted_proxy):
    UserFactory(username="ada")
    proxy = APIClient(REMOTE_ADDR=PROXY)
    spellings = ["ada", "ADA", "Ada", " aDa", "\uff41da"]  # the last: fullwidth "a"

    codes = [
        login(
            proxy, spellings[n % len(spellings)], "guess", **via_proxy(f"198.51.100.{n}")
        ).status_code
        for n in range(per_username() + 1)
    ]

    assert codes[-1] == 429
    assert codes[:-1] == [400] * per_username()


def test_another_user_is_not_affected_by_a_storm_on_one_username(trusted_proxy):
    UserFactory(username="ada")
    UserFactory(username="bob")
    proxy = APIClient(REMOTE_ADDR=PROXY)
    for n in range(per_username() + 3):
        login(proxy, "ada", "guess", **via_proxy(f"198.51.100.{n}"))

    bob = APIClient(REMOTE_ADDR=PROXY)
    response = login(bob, "bob", PASSWORD, **via_proxy("192.0.2.77"))

    assert response.status_code == 200, response.json()
    assert bob.get("/api/v1/auth/me/").json()["username"] == "bob"
    assert Session.objects.count() == 1


def test_a_right_password_starts_the_username_count_again(trusted_proxy):
    UserFactory(username="ada")
    proxy = APIClient(REMOTE_ADDR=PROXY)
    failures = per_username() - 1

    before = [login(proxy, "ada", "typo", **via_proxy(f"198.51.100.{n}")) for n in range(failures)]
    success = login(APIClient(REMOTE_ADDR=PROXY), "ada", **via_proxy("192.0.2.1"))
    after = [login(proxy, "ada", "typo", **via_proxy(f"198.51.101.{n}")) for n in range(failures)]

    assert {r.status_code for r in before + after} == {400}
    assert success.status_code == 200


def test_the_forwarded_address_is_believed_only_from_the_trusted_proxy(trusted_proxy):
    UserFactory(username="ada")
    allowed = per_address()
    through_proxy = APIClient(REMOTE_ADDR=PROXY)
    direct = APIClient(REMOTE_ADDR="203.0.113.9")

    # Two clients behind the proxy: each has its own budget.
    first = [
        login(through_proxy, f"u{n}", "x", **via_proxy("198.51.100.1")) for n in range(allowed)
    ]
    second = [
        login(through_proxy, f"v{n}", "x", **via_proxy("198.51.100.2")) for n in range(allowed)
    ]
    # A client that reaches the app directly and writes the header itself: one budget.
    forged = [
        login(direct, f"w{n}", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{100 + n}")
        for n in range(allowed + 1)
    ]
    # A client behind the proxy that writes addresses of its own left of the proxy's entry.
    spoofed = login(through_proxy, "z", "x", HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.1")

    assert {r.status_code for r in first + second} == {400}
    assert [r.status_code for r in forged] == [400] * allowed + [429]
    assert_throttled(spoofed)


def test_the_address_limit_counts_every_username_tried():
    UserFactory(username="ada")
    client = APIClient(REMOTE_ADDR="203.0.113.8")

    codes = [login(client, f"name{n}", "guess").status_code for n in range(per_address())]
    response = login(client, "ada")

    assert codes == [400] * per_address()
    assert_throttled(response)
    assert "address" in response.json()["message"]


# --- invitation accept -------------------------------------------------------------------------


def invited_user():
    user = UserFactory(username="linus")
    user.set_unusable_password()
    user.save()
    fragment = parse_qs(urlsplit(invitation_path(user=user)).fragment)
    return user, fragment["uid"][0], fragment["token"][0]


def accept(client, uid, token, password=NEW_PASSWORD, **headers):
    return client.post(
        "/api/v1/auth/invitations/accept/",
        {"uid": uid, "token": token, "password": password},
        format="json",
        **headers,
    )


def test_token_guesses_on_an_invitation_are_throttled_with_forged_headers_too():
    user, uid, token = invited_user()
    attacker = APIClient(REMOTE_ADDR="203.0.113.7")

    guesses = [
        accept(attacker, uid, f"guess-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(per_address() + 3)
    ]
    # Even the real token is refused from this address now, and nothing is set.
    real = accept(attacker, uid, token)

    assert [g.status_code for g in guesses] == [400] * per_address() + [429] * 3
    assert_throttled(real)
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_token_guesses_on_one_invitation_from_many_addresses_are_throttled(trusted_proxy):
    user, uid, _token = invited_user()
    proxy = APIClient(REMOTE_ADDR=PROXY)

    guesses = [
        accept(proxy, uid, f"guess-{n}", **via_proxy(f"198.51.100.{n}"))
        for n in range(per_username() + 1)
    ]

    assert [g.status_code for g in guesses] == [400] * per_username() + [429]
    user.refresh_from_db()
    assert not user.has_usable_password()
