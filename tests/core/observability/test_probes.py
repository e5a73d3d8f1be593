"""``/healthz`` and ``/readyz`` as a load balancer sees them: no login, any Host header, plain
HTTP, JSON answers; readiness follows the database and the broker, with short timeouts."""

import socket
import threading
import time

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_answers_ready_when_database_and_broker_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_probes_answer_a_load_balancer_calling_by_address_over_plain_http(client, settings):
    # A probe sends the pod's address as Host, over HTTP, to an app that redirects to HTTPS
    # and knows only its public host name.
    settings.ALLOWED_HOSTS = ["tandem.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    health = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    ready = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    page = client.get("/projects", HTTP_HOST="10.1.2.3:8000")

    assert health.status_code == 200
    assert ready.status_code == 200
    assert page.status_code == 400  # everything else still checks the host


def test_probes_refuse_other_methods_with_json(client):
    response = client.post("/readyz", {"x": 1})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "message" in response.json()


def test_paths_under_the_probes_are_not_the_single_page_app(client):
    response = client.get("/healthz/extra")

    assert response.status_code == 404  # the SPA answers 200 (or 503 before it is built)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_readyz_is_503_naming_the_broker_when_it_refuses_connections(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["broker"] == {"ok": False, "status": "unreachable"}
    assert body["checks"]["database"]["ok"] is True
    assert "broker" in body["message"]
    # Nothing about the broker's address is shown to an anonymous caller.
    assert "127.0.0.1" not in response.content.decode()


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    server.close()


def test_readyz_does_not_hang_on_a_broker_that_never_answers(client, settings, silent_server):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent_server}/0"
    settings.TANDEM_READYZ_TIMEOUT = 0.5
    answers = []

    def probe():
        started = time.monotonic()
        answers.append((client.get("/readyz"), time.monotonic() - started))

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    # Far beyond the configured timeout: this checks that the probe gives up, not how fast.
    thread.join(30)

    assert answers, "/readyz hung on a broker that never answers"
    response, _elapsed = answers[0]
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "status": "timeout"}
