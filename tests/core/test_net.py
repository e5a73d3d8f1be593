"""The client's address: X-Forwarded-For is believed only from a trusted proxy, and then only
the part the proxies wrote; DRF's throttles and the local settings' loopback guard use it."""

import pytest
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from core.net import ClientAddressMiddleware, bind_is_loopback, client_ip, resolve_client_ip
from tests.factories import UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def proxies(settings):
    def trust(*entries: str) -> None:
        settings.TANDEM_TRUSTED_PROXIES = list(entries)

    return trust


def test_without_trusted_proxies_the_header_is_ignored(proxies):
    proxies()

    assert resolve_client_ip(remote_addr="203.0.113.7", forwarded_for="1.1.1.1") == "203.0.113.7"


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(proxies):
    proxies("10.0.0.1")

    assert (
        resolve_client_ip(remote_addr="203.0.113.7", forwarded_for="10.0.0.1, 1.1.1.1")
        == "203.0.113.7"
    )


def test_from_a_trusted_proxy_the_address_it_received_from_is_the_client(proxies):
    proxies("10.0.0.1")

    assert resolve_client_ip(remote_addr="10.0.0.1", forwarded_for="198.51.100.3") == (
        "198.51.100.3"
    )


def test_addresses_the_client_wrote_left_of_the_proxys_entry_are_ignored(proxies):
    proxies("10.0.0.1")

    forged = "127.0.0.1, 192.0.2.99, 198.51.100.3"

    assert resolve_client_ip(remote_addr="10.0.0.1", forwarded_for=forged) == "198.51.100.3"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(proxies):
    proxies("10.0.0.0/8", "2001:db8::/32")

    chain = "192.0.2.99, 198.51.100.3, 10.1.2.3, 2001:db8::5"

    assert resolve_client_ip(remote_addr="10.0.0.1", forwarded_for=chain) == "198.51.100.3"


def test_ports_brackets_and_ipv4_mapped_addresses_are_understood(proxies):
    proxies("10.0.0.1")

    assert resolve_client_ip(remote_addr="::ffff:10.0.0.1", forwarded_for="[2001:db8::7]:443") == (
        "2001:db8::7"
    )
    assert resolve_client_ip(remote_addr="10.0.0.1", forwarded_for="198.51.100.3:5123") == (
        "198.51.100.3"
    )


def test_garbage_written_by_a_proxy_stops_the_walk_at_the_last_trusted_hop(proxies):
    proxies("10.0.0.0/8")

    assert resolve_client_ip(remote_addr="10.0.0.1", forwarded_for="198.51.100.3, unknown") == (
        "10.0.0.1"
    )


def test_a_unix_socket_is_trusted_only_when_named(proxies):
    proxies()
    assert resolve_client_ip(remote_addr="", forwarded_for="198.51.100.3") == ""

    proxies("unix")
    assert resolve_client_ip(remote_addr="", forwarded_for="1.1.1.1, 198.51.100.3") == (
        "198.51.100.3"
    )
    # A TCP peer is not a unix socket.
    assert resolve_client_ip(remote_addr="203.0.113.7", forwarded_for="1.1.1.1") == "203.0.113.7"


def test_a_request_from_a_proxy_without_the_header_is_the_proxy(proxies):
    proxies("10.0.0.1")

    assert resolve_client_ip(remote_addr="10.0.0.1", forwarded_for=None) == "10.0.0.1"


@pytest.mark.parametrize(
    ("bind", "loopback"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("[::1]:8000", True),
        ("127.0.0.2:8000", True),
        ("unix:/run/tandem.sock", True),
        ("0.0.0.0:8000", False),
        (":8000", False),
        ("8000", False),
        ("[::]:8000", False),
        ("192.168.1.10:8000", False),
        ("tandem.example.org:8000", False),
    ],
)
def test_which_binds_reach_this_machine_only(bind, loopback):
    assert bind_is_loopback(bind) is loopback


def _drf_ident(request) -> str:
    return AnonRateThrottle().get_ident(Request(request))


def test_drf_throttles_key_on_the_connection_not_on_a_forged_header(proxies):
    """What every DRF throttle keyed on the client sees (other parts' throttles included)."""
    proxies()
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2"
    )
    ClientAddressMiddleware(lambda r: None)(request)

    assert _drf_ident(request) == "203.0.113.7"
    assert client_ip(request) == "203.0.113.7"


def test_drf_throttles_ignore_the_header_even_without_the_middleware(proxies):
    """NUM_PROXIES = 0: DRF reads REMOTE_ADDR only, whatever the header says."""
    proxies("10.0.0.1")
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1")

    assert _drf_ident(request) == "10.0.0.1"


def test_drf_throttles_see_the_client_a_trusted_proxy_forwarded(proxies):
    proxies("10.0.0.1")
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.3"
    )
    ClientAddressMiddleware(lambda r: None)(request)

    assert _drf_ident(request) == "198.51.100.3"
    assert request.META["TANDEM_PEER_ADDR"] == "10.0.0.1"


# --- local settings: loopback only ---------------------------------------------------------------


@pytest.mark.django_db
def test_local_settings_refuse_a_request_from_another_machine(settings):
    settings.TANDEM_LOOPBACK_ONLY = True
    UserFactory(username="ada")
    outsider = APIClient(REMOTE_ADDR="192.0.2.10")

    page = outsider.get("/")
    probe = outsider.get("/healthz")
    login = outsider.post(
        "/api/v1/auth/login/", {"username": "ada", "password": PASSWORD}, format="json"
    )

    assert page.status_code == 403
    assert probe.status_code == 403
    assert login.status_code == 403
    assert login.json()["message"].startswith("Tandem is running with its local settings")
    assert not Session.objects.exists()
    assert "sessionid" not in login.cookies


@pytest.mark.django_db
def test_local_settings_refuse_another_machine_even_behind_a_forged_header(settings):
    settings.TANDEM_LOOPBACK_ONLY = True

    response = APIClient(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="127.0.0.1").get(
        "/api/v1/auth/csrf/"
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_local_settings_serve_this_machine(settings):
    settings.TANDEM_LOOPBACK_ONLY = True
    UserFactory(username="ada")

    for address in ("127.0.0.1", "::1"):
        client = APIClient(REMOTE_ADDR=address)
        response = client.post(
            "/api/v1/auth/login/", {"username": "ada", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200, (address, response.json())


@pytest.mark.django_db
def test_other_settings_serve_every_address(settings):
    settings.TANDEM_LOOPBACK_ONLY = False

    response = APIClient(REMOTE_ADDR="192.0.2.10").get("/api/v1/auth/csrf/")

    assert response.status_code == 200
