"""Signing in and out, API tokens, and how site admins create and invite users."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from core.throttling import parse_rate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # what UserFactory sets
NEW_PASSWORD = "violet tractor umbrella 42"
# Token authentication comes first, so DRF answers anonymous callers with 401.
ANONYMOUS_REFUSED = {401}


def login(client, username, password=PASSWORD):
    return client.post(
        "/api/v1/auth/login/", {"username": username, "password": password}, format="json"
    )


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def route_patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from route_patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


def login_attempts_allowed() -> int:
    return parse_rate(settings.TANDEM_LOGIN_RATE).count


# --- session login, me, logout -----------------------------------------------------------------


def test_login_with_correct_password_starts_a_session_that_me_reports():
    user = UserFactory(username="ada", email="ada@example.org")
    client = APIClient()

    response = login(client, "ada")

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "id": user.pk,
        "username": "ada",
        "email": "ada@example.org",
        "is_staff": False,
        "is_superuser": False,
    }
    assert "sessionid" in response.cookies
    me = client.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "ada"


def test_login_with_wrong_password_is_refused_with_a_message():
    UserFactory(username="ada")
    client = APIClient()

    response = login(client, "ada", "not the password")

    assert response.status_code == 400
    assert response.json() == {"message": "Wrong username or password.", "extra": {}}
    assert client.get("/api/v1/auth/me/").status_code in ANONYMOUS_REFUSED


def test_login_with_unknown_username_gives_the_same_answer_as_a_wrong_password():
    response = login(APIClient(), "nobody", "whatever")

    assert response.status_code == 400
    assert response.json()["message"] == "Wrong username or password."


def test_login_without_password_names_the_missing_field():
    response = APIClient().post("/api/v1/auth/login/", {"username": "ada"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("password:")
    assert "password" in body["extra"]["fields"]


def test_inactive_user_cannot_log_in():
    UserFactory(username="gone", is_active=False)

    response = login(APIClient(), "gone")

    assert response.status_code == 400


def test_logout_ends_the_session():
    UserFactory(username="ada")
    client = APIClient()
    login(client, "ada")

    response = client.post("/api/v1/auth/logout/")

    assert response.status_code == 204
    assert client.get("/api/v1/auth/me/").status_code in ANONYMOUS_REFUSED


def test_me_refuses_anonymous_callers_with_the_error_shape():
    response = APIClient().get("/api/v1/auth/me/")

    assert response.status_code in ANONYMOUS_REFUSED
    assert set(response.json()) == {"message", "extra"}


def test_login_and_logout_need_the_csrf_token_a_browser_gets_from_the_csrf_endpoint():
    UserFactory(username="ada")
    browser = APIClient(enforce_csrf_checks=True)
    credentials = {"username": "ada", "password": PASSWORD}

    refused = browser.post("/api/v1/auth/login/", credentials, format="json")
    csrf = browser.get("/api/v1/auth/csrf/").json()["csrf_token"]
    accepted = browser.post(
        "/api/v1/auth/login/", credentials, format="json", HTTP_X_CSRFTOKEN=csrf
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    # Django rotates the token at login; the SPA reads the new one from the cookie.
    rotated = browser.cookies["csrftoken"].value
    assert browser.post("/api/v1/auth/logout/").status_code == 403
    assert browser.post("/api/v1/auth/logout/", HTTP_X_CSRFTOKEN=rotated).status_code == 204


def test_login_is_rate_limited_after_the_configured_attempts():
    UserFactory(username="ada")
    client = APIClient()
    allowed = login_attempts_allowed()

    answers = [login(client, "ada", f"guess {n}").status_code for n in range(allowed)]
    blocked = login(client, "ada")  # even the right password, once the limit is reached

    assert answers == [400] * allowed
    assert blocked.status_code == 429
    assert blocked.json()["extra"]["retry_after_seconds"] > 0
    assert "Retry-After" in blocked.headers
    assert client.get("/api/v1/auth/me/").status_code in ANONYMOUS_REFUSED


def test_login_rate_limit_counts_attempts_from_one_address_not_per_username():
    UserFactory(username="ada")
    client = APIClient()
    allowed = login_attempts_allowed()

    for n in range(allowed):
        login(client, f"someone{n}", "guess")
    response = login(client, "ada")

    assert response.status_code == 429


# --- API tokens --------------------------------------------------------------------------------


def test_api_token_authenticates_requests_without_a_session(api):
    user = UserFactory(username="bot")

    created = api.as_user(user).post("/api/v1/auth/token/")

    assert created.status_code == 201
    key = created.json()["token"]
    me = token_client(key).get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "bot"


def test_a_script_gets_a_token_with_its_username_and_password_alone():
    """What the README tells a script to do: one POST, no session, no CSRF dance."""
    UserFactory(username="bot")
    script = APIClient(enforce_csrf_checks=True)

    created = script.post(
        "/api/v1/auth/token/", {"username": "bot", "password": PASSWORD}, format="json"
    )
    wrong = script.post(
        "/api/v1/auth/token/", {"username": "bot", "password": "not it"}, format="json"
    )
    half = script.post("/api/v1/auth/token/", {"username": "bot"}, format="json")
    nothing = script.post("/api/v1/auth/token/")

    assert created.status_code == 201, created.json()
    me = token_client(created.json()["token"]).get("/api/v1/auth/me/")
    assert me.json()["username"] == "bot"
    assert "sessionid" not in script.cookies
    assert wrong.status_code == 400
    assert wrong.json()["message"] == "Wrong username or password."
    assert half.status_code == 400
    assert nothing.status_code in ANONYMOUS_REFUSED


def test_token_requests_with_credentials_count_towards_the_login_limit(settings):
    settings.TANDEM_LOGIN_RATE = "2/min"
    UserFactory(username="bot")
    script = APIClient()
    body = {"username": "bot", "password": "guess"}

    answers = [script.post("/api/v1/auth/token/", body, format="json") for _ in range(3)]
    right = script.post(
        "/api/v1/auth/token/", {"username": "bot", "password": PASSWORD}, format="json"
    )

    assert [a.status_code for a in answers] == [400, 400, 429]
    assert right.status_code == 429


def test_rotating_the_api_token_invalidates_the_old_one(api):
    client = api.as_user(UserFactory())
    old = client.post("/api/v1/auth/token/").json()["token"]

    new = client.post("/api/v1/auth/token/").json()["token"]

    assert new != old
    refused = token_client(old).get("/api/v1/auth/me/")
    assert refused.status_code in ANONYMOUS_REFUSED
    assert refused.json()["message"] == "Invalid token."
    assert token_client(new).get("/api/v1/auth/me/").status_code == 200


def test_revoking_the_api_token_stops_it_working(api):
    client = api.as_user(UserFactory())
    key = client.post("/api/v1/auth/token/").json()["token"]

    response = client.delete("/api/v1/auth/token/")

    assert response.status_code == 204
    assert token_client(key).get("/api/v1/auth/me/").status_code in ANONYMOUS_REFUSED


def test_api_token_of_one_user_is_not_affected_by_another_rotating(api):
    first = api.as_user(UserFactory()).post("/api/v1/auth/token/").json()["token"]
    api.as_user(UserFactory()).post("/api/v1/auth/token/")

    assert token_client(first).get("/api/v1/auth/me/").status_code == 200


def test_anonymous_caller_cannot_create_an_api_token():
    response = APIClient().post("/api/v1/auth/token/")

    assert response.status_code in ANONYMOUS_REFUSED


# --- users: created by staff, invitations --------------------------------------------------------


def test_staff_creates_a_user_with_a_password_who_can_then_log_in(api):
    staff = UserFactory(is_staff=True)

    response = api.as_user(staff).post(
        "/api/v1/users/",
        {"username": "grace", "email": "grace@example.org", "password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["username"] == "grace"
    assert body["is_staff"] is False
    assert body["invitation_path"] is None
    assert login(APIClient(), "grace", NEW_PASSWORD).status_code == 200


def test_staff_creates_a_user_without_password_and_the_invitation_sets_one_once(api):
    staff = UserFactory(is_staff=True)

    created = api.as_user(staff).post("/api/v1/users/", {"username": "linus"}, format="json")

    assert created.status_code == 201, created.json()
    link = created.json()["invitation_path"]
    assert link.startswith("/accept-invite#")
    # Before accepting, there is no password to log in with.
    assert login(APIClient(), "linus", "").status_code == 400
    query = parse_qs(urlsplit(link).fragment)
    payload = {"uid": query["uid"][0], "token": query["token"][0], "password": NEW_PASSWORD}

    accepted = APIClient().post("/api/v1/auth/invitations/accept/", payload, format="json")

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["username"] == "linus"
    assert login(APIClient(), "linus", NEW_PASSWORD).status_code == 200

    reused = APIClient().post(
        "/api/v1/auth/invitations/accept/",
        {**payload, "password": "another 9 word pass"},
        format="json",
    )
    assert reused.status_code == 400
    assert "already used" in reused.json()["message"]
    assert login(APIClient(), "linus", NEW_PASSWORD).status_code == 200


def test_creating_a_user_and_accepting_the_invitation_are_in_the_audit_log(api):
    staff = UserFactory(is_staff=True, username="root")
    admin = api.as_user(staff)
    admin.post(
        "/api/v1/users/",
        {"username": "grace", "email": "grace@example.org", "password": NEW_PASSWORD},
        format="json",
    )
    link = admin.post("/api/v1/users/", {"username": "linus"}, format="json").json()[
        "invitation_path"
    ]
    query = parse_qs(urlsplit(link).fragment)
    APIClient().post(
        "/api/v1/auth/invitations/accept/",
        {"uid": query["uid"][0], "token": query["token"][0], "password": NEW_PASSWORD},
        format="json",
    )

    events = admin.get("/api/v1/audit/", {"action": "user."}).json()["results"]

    assert [(e["actor_name"], e["action"], e["after"]) for e in reversed(events)] == [
        (
            "root",
            "user.create",
            {"username": "grace", "email": "grace@example.org", "is_staff": False,
             "invited": False},
        ),
        (
            "root",
            "user.create",
            {"username": "linus", "email": "", "is_staff": False, "invited": True},
        ),
        ("linus", "user.invitation_accept", {"username": "linus"}),
    ]  # fmt: skip
    assert NEW_PASSWORD not in str(events)


def test_invitation_with_a_tampered_token_is_refused():
    user = UserFactory(username="linus")
    user.set_unusable_password()
    user.save()
    from core.services.users import invitation_path

    query = parse_qs(urlsplit(invitation_path(user=user)).fragment)

    response = APIClient().post(
        "/api/v1/auth/invitations/accept/",
        {"uid": query["uid"][0], "token": "1-forged", "password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["message"] == "This invitation link is not valid or was already used."


def test_invitation_with_an_unknown_uid_is_refused():
    response = APIClient().post(
        "/api/v1/auth/invitations/accept/",
        {"uid": "bm90LWFuLWlk", "token": "x-y", "password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["message"] == "This invitation link is not valid."


def test_invitation_refuses_a_weak_password_and_stays_usable(api):
    staff = UserFactory(is_staff=True)
    link = (
        api.as_user(staff).post("/api/v1/users/", {"username": "linus"}).json()["invitation_path"]
    )
    query = parse_qs(urlsplit(link).fragment)
    payload = {"uid": query["uid"][0], "token": query["token"][0]}
    client = APIClient()

    weak = client.post("/api/v1/auth/invitations/accept/", {**payload, "password": "123"})
    strong = client.post("/api/v1/auth/invitations/accept/", {**payload, "password": NEW_PASSWORD})

    assert weak.status_code == 400
    assert "too short" in weak.json()["message"]
    assert strong.status_code == 200


def test_staff_cannot_create_a_user_with_a_weak_password(api):
    staff = UserFactory(is_staff=True)

    response = api.as_user(staff).post(
        "/api/v1/users/", {"username": "weak", "password": "password"}, format="json"
    )

    assert response.status_code == 400
    assert "too common" in response.json()["message"]
    assert not get_user_model().objects.filter(username="weak").exists()


def test_creating_a_user_with_a_taken_username_is_a_conflict(api):
    staff = UserFactory(is_staff=True)
    UserFactory(username="taken")

    response = api.as_user(staff).post("/api/v1/users/", {"username": "taken"}, format="json")

    assert response.status_code == 409
    assert "taken" in response.json()["message"]


def test_staff_lists_users_and_searches_by_name(api):
    staff = UserFactory(username="boss", is_staff=True)
    UserFactory(username="alice")
    UserFactory(username="bob")

    everyone = api.as_user(staff).get("/api/v1/users/").json()
    found = api.as_user(staff).get("/api/v1/users/", {"search": "ali"}).json()

    assert [u["username"] for u in everyone["results"]] == ["alice", "bob", "boss"]
    assert [u["username"] for u in found["results"]] == ["alice"]


def test_non_staff_user_cannot_list_or_create_users(api):
    client = api.as_user(UserFactory())

    listed = client.get("/api/v1/users/")
    created = client.post("/api/v1/users/", {"username": "sneaky"}, format="json")

    assert listed.status_code == 403
    assert created.status_code == 403
    assert not get_user_model().objects.filter(username="sneaky").exists()


def test_anonymous_caller_cannot_list_or_create_users():
    client = APIClient()

    listed = client.get("/api/v1/users/")
    created = client.post("/api/v1/users/", {"username": "sneaky", "password": NEW_PASSWORD})

    assert listed.status_code in ANONYMOUS_REFUSED
    assert created.status_code in ANONYMOUS_REFUSED
    assert not get_user_model().objects.filter(username="sneaky").exists()


def test_there_is_no_self_registration_route():
    client = APIClient()
    payload = {"username": "self", "password": NEW_PASSWORD, "email": "self@example.org"}

    answers = {
        path: client.post(path, payload, format="json").status_code
        for path in ("/api/v1/auth/register/", "/api/v1/auth/signup/", "/api/v1/register/")
    }

    assert answers == dict.fromkeys(answers, 404)
    flat = " ".join(route_patterns(get_resolver()))
    assert "regist" not in flat
    assert "signup" not in flat
    assert not get_user_model().objects.filter(username="self").exists()
