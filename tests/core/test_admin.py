"""Django's admin: absent (404, not the SPA) unless TANDEM_ADMIN_ENABLED; when on, its login
form is throttled like the API's (per address, forged headers ignored; per username)."""

import importlib

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import clear_url_caches

import config.urls
from core.throttling import parse_rate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # what UserFactory sets
PROXY = "10.0.0.1"


def _reload_urls() -> None:
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def admin_enabled():
    with override_settings(TANDEM_ADMIN_ENABLED=True):
        _reload_urls()
        yield
    _reload_urls()


def admin_login(client, username, password=PASSWORD, **headers):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **headers
    )


def is_spa(response) -> bool:
    return b'id="root"' in response.content or b"frontend is not built" in response.content


def test_the_admin_is_off_by_default_and_its_paths_are_not_the_spa():
    assert settings.TANDEM_ADMIN_ENABLED is False
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client()

    pages = [client.get(path) for path in ("/admin/", "/admin/login/", "/admin", "/admin/x/y")]
    attempt = admin_login(client, "boss")

    assert [page.status_code for page in pages] == [404] * 4
    assert not any(is_spa(page) for page in pages)
    assert attempt.status_code == 404
    assert not Session.objects.exists()


def test_the_spa_still_serves_its_own_routes():
    response = Client().get("/projects/1/annotate")

    assert response.status_code in {200, 503}  # 503: the frontend is not built
    assert is_spa(response)


def test_an_enabled_admin_lets_staff_sign_in(admin_enabled):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client()

    form = client.get("/admin/login/")
    response = admin_login(client, "boss")

    assert form.status_code == 200
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_enabled_admins_login_ignores_forged_headers_and_throttles_by_address(admin_enabled):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    allowed = parse_rate(settings.TANDEM_LOGIN_RATE).count

    answers = [
        admin_login(attacker, "boss", f"guess {n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(allowed + 5)
    ]
    right_password = admin_login(attacker, "boss", HTTP_X_FORWARDED_FOR="192.0.2.1")

    assert [a.status_code for a in answers] == [200] * allowed + [429] * 5
    assert right_password.status_code == 429
    body = right_password.json()
    assert body["extra"]["retry_after_seconds"] > 0
    assert right_password.headers["Retry-After"] == str(body["extra"]["retry_after_seconds"])
    assert not Session.objects.exists()


def test_an_enabled_admins_login_throttles_a_username_storm_from_many_addresses(
    admin_enabled, settings
):
    settings.TANDEM_TRUSTED_PROXIES = [PROXY]
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    proxy = Client(REMOTE_ADDR=PROXY)
    limit = parse_rate(settings.TANDEM_LOGIN_USERNAME_RATE).count

    answers = [
        admin_login(proxy, "BOSS", "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(limit)
    ]
    owner = admin_login(proxy, "boss", HTTP_X_FORWARDED_FOR="192.0.2.9")

    assert {a.status_code for a in answers} == {200}
    assert owner.status_code == 429
    assert not Session.objects.exists()
