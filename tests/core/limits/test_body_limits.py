"""Request bodies over an endpoint's limit are refused with 413 JSON naming the limit, before
anything reads them, on every endpoint; nothing is stored. Django's own request limits answer
as JSON too."""

import json
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.limits import in_memory_body_limit
from labeling.models import ImportJob
from tests.core.limits.helpers import api_operations, db_fingerprint
from tests.core.limits.world import build_world

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
# Small limits keep the bodies small; the arithmetic is the same at the defaults.
LIMITS = {
    "TANDEM_REQUEST_MAX_BYTES": 4096,
    "TANDEM_INTAKE_BATCH_MAX_BYTES": 8192,
    "TANDEM_HASH_IMPORT_MAX_BYTES": 12288,
    "TANDEM_IMPORT_MAX_BYTES": 16384,
    "TANDEM_IMAGE_MAX_BYTES": 3000,
    "TANDEM_TEXT_MAX_CHARS": 500,
}
# What the README promises for each endpoint, worked out by hand from LIMITS.
INTAKE_LIMIT = 4 * 1000 + 12 * 500 + 64 * 1024  # base64 of the image + escaped text + envelope
EXPECTED = {
    "POST /api/v1/platform/intake/": INTAKE_LIMIT,
    "POST /api/v1/platform/intake/batch/": 8192,
    "POST /api/v1/projects/{project_id}/imports/": 16384 + MIB,
    "GET /api/v1/projects/{project_id}/imports/": 16384 + MIB,
    "POST /api/v1/moderation/policies/{policy_id}/hashes/": 12288,
    "GET /api/v1/moderation/policies/{policy_id}/hashes/": 12288,
}
OPERATIONS = api_operations()


@pytest.fixture
def small_limits(settings):
    for name, value in LIMITS.items():
        setattr(settings, name, value)


@pytest.fixture
def world(small_limits):
    return build_world()


def json_body_of(size: int) -> bytes:
    """A well-formed JSON object of exactly ``size`` bytes."""
    head, tail = b'{"text": "', b'"}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


def prepared(world, operation):
    """The operation's URL and a client signed in for it (signing in writes last_login, so it
    happens before the "before" fingerprint)."""
    url = operation.url(world.path_values())
    return url, world.client_for(url)


def send(client, operation, url: str, body: bytes):
    return client.generic(operation.method.upper(), url, body, content_type="application/json")


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.key for op in OPERATIONS])
def test_every_endpoint_refuses_a_body_over_its_limit_with_413_and_stores_nothing(world, operation):
    limit = EXPECTED.get(operation.key, LIMITS["TANDEM_REQUEST_MAX_BYTES"])
    url, client = prepared(world, operation)
    before = db_fingerprint()

    response = send(client, operation, url, json_body_of(limit + 1))

    assert response.status_code == 413, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["extra"]["limit_bytes"] == limit
    assert f"{limit:,} bytes" in body["message"]
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "operation",
    [op for op in OPERATIONS if op.method in {"post", "patch"}],
    ids=[op.key for op in OPERATIONS if op.method in {"post", "patch"}],
)
def test_a_body_of_exactly_the_limit_reaches_the_endpoint(world, operation):
    limit = EXPECTED.get(operation.key, LIMITS["TANDEM_REQUEST_MAX_BYTES"])
    url, client = prepared(world, operation)

    response = send(client, operation, url, json_body_of(limit))

    assert response.status_code < 500, response.content[:300]
    if response.status_code == 413:  # the endpoint's own reason (e.g. an image), not the body
        assert "request body" not in response.json()["message"]


def test_the_body_limit_applies_outside_the_api_as_plain_text(small_limits, db):
    response = Client().post(
        "/admin/login/",
        b"username=" + b"a" * 5000,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert b"4,096 bytes" in response.content


def _raw_request(live_server, method: str, path: str, headers: dict[str, str]):
    """Send only a request's head over a real socket and read the answer (a JSON body).

    The test server keeps the connection open after answering (it would drain the body that
    never comes), so the answer is read until its JSON body is complete.
    """
    parts = urlsplit(live_server.url)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        while True:
            answer += sock.recv(65536)
            head, _, rest = answer.partition(b"\r\n\r\n")
            try:
                body = json.loads(rest)
                break
            except ValueError:
                continue
    return int(head.split(b" ", 2)[1]), head.decode("latin-1"), body


@pytest.mark.django_db(transaction=True)
def test_an_import_upload_over_the_limit_is_refused_before_its_body_is_read(live_server, settings):
    """The server answers 413 to the headers alone: the upload is never read, so it is never
    written to a temporary file. (Were the body read, the server would wait for bytes that
    never come and the request would time out.)"""
    world = build_world()
    client = world.people()
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    limit = settings.TANDEM_IMPORT_MAX_BYTES
    declared = limit + MIB + 1

    status, head, answer = _raw_request(
        live_server,
        "POST",
        f"/api/v1/projects/{world.project.pk}/imports/",
        {
            "Content-Type": "multipart/form-data; boundary=xyz",
            "Content-Length": str(declared),
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
        },
    )

    assert status == 413, answer
    assert "application/json" in head
    assert answer["extra"]["limit_bytes"] == limit + MIB
    assert f"{limit + MIB:,} bytes" in answer["message"]
    assert ImportJob.objects.filter(project=world.project).count() == 1  # the world's own


def test_too_many_query_parameters_are_a_json_400_naming_the_limit(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    query = "&".join(f"p{n}=1" for n in range(51))
    client = world.people()

    response = client.get(f"/api/v1/projects/?{query}")

    assert response.status_code == 400
    assert response.json()["extra"] == {"limit_fields": 50}
    assert "50" in response.json()["message"]


def test_too_many_files_in_an_upload_are_a_json_400_naming_the_limit(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = [SimpleUploadedFile(f"photo-{n}.png", b"\x89PNG\r\n\x1a\n") for n in range(4)]
    client = world.people()
    before = db_fingerprint()

    response = client.post(
        f"/api/v1/projects/{world.project.pk}/imports/", {"files": files}, format="multipart"
    )

    assert response.status_code == 400, response.content
    assert response.json()["extra"] == {"limit_files": 3}
    assert "zip" in response.json()["message"]
    assert db_fingerprint() == before


def test_form_fields_over_django_memory_limit_are_a_json_413(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = world.people()
    before = db_fingerprint()

    response = client.post(
        f"/api/v1/projects/{world.project.pk}/imports/",
        {"text_column": "t" * 2000, "file": SimpleUploadedFile("a.txt", b"hello\n")},
        format="multipart",
    )

    assert response.status_code == 413, response.content
    assert response.json()["extra"] == {"limit_bytes": 1000}
    assert db_fingerprint() == before


def test_django_in_memory_limit_is_the_largest_body_an_endpoint_reads_into_memory():
    """Django's own check never refuses a body an endpoint's limit allows (it would answer
    first, with a vaguer error)."""
    assert in_memory_body_limit() == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == settings.TANDEM_REQUEST_MAX_FIELDS
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == settings.TANDEM_UPLOAD_MAX_FILES
