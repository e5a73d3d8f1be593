"""Intake keeps its promises and its limits: an image of exactly TANDEM_IMAGE_MAX_BYTES with the
longest text is accepted over real HTTP; one byte more is refused naming the limit; each
platform has an item rate (429 with Retry-After), counted in the cache and not by address."""

import http.client
import io
import json
import math
import struct
import zlib
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from PIL import Image
from rest_framework.test import APIClient

from core.limits import intake_body_limit
from moderation.models import Content
from tests.core.limits.helpers import db_fingerprint
from tests.factories import ProjectFactory
from tests.factories.intake import auth, b64, platform_with_key
from tests.factories.moderation import IntakePolicyFactory, grant


def png_of_exactly(size: int) -> bytes:
    """A valid PNG of exactly ``size`` bytes: a small picture plus a private ancillary chunk
    (which decoders skip) of the right length."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, format="PNG")
    data = out.getvalue()
    end = data.rindex(b"IEND") - 4
    padding = bytes(size - len(data) - 12)
    kind = b"tnPd"
    chunk = struct.pack(">I", len(padding)) + kind + padding
    chunk += struct.pack(">I", zlib.crc32(kind + padding))
    image = data[:end] + chunk + data[end:]
    assert len(image) == size
    return image


def longest_text() -> str:
    """TANDEM_TEXT_MAX_CHARS characters that each take the most bytes a JSON encoder may use:
    outside the Basic Multilingual Plane, written as two escapes."""
    return "\U0001f600" * settings.TANDEM_TEXT_MAX_CHARS


def post_json(url: str, body: bytes, key: str) -> tuple[int, dict, dict]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request(
            "POST",
            parts.path,
            body=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read())
    finally:
        connection.close()


@pytest.fixture
def intake_policy(db):
    project = ProjectFactory(data_type="text")
    return IntakePolicyFactory(project=project, automation_level="human_only")


@pytest.mark.django_db(transaction=True)
def test_intake_accepts_an_image_at_the_promised_limit_with_the_longest_text_over_http(
    live_server, intake_policy
):
    platform, key = platform_with_key()
    grant(intake_policy, platform)
    image = png_of_exactly(settings.TANDEM_IMAGE_MAX_BYTES)
    body = json.dumps(  # ensure_ascii: every emoji is written as "\ud83d\ude00", 12 bytes
        {
            "policy": intake_policy.pk,
            "external_id": "biggest-1",
            "author_id": "a-1",
            "text": longest_text(),
            "image": b64(image),
        }
    ).encode()
    # The body really is as large as a client can make it within the promise.
    assert len(body) > 4 * math.ceil(len(image) / 3) + 12 * settings.TANDEM_TEXT_MAX_CHARS
    assert len(body) <= intake_body_limit()

    status, _, answer = post_json(f"{live_server.url}/api/v1/platform/intake/", body, key)

    assert status == 201, answer
    content = Content.objects.select_related("item").get(external_id="biggest-1")
    assert content.item.text == longest_text()


@pytest.mark.django_db(transaction=True)
def test_intake_refuses_an_image_one_byte_over_the_limit_naming_it(live_server, intake_policy):
    platform, key = platform_with_key()
    grant(intake_policy, platform)
    limit = settings.TANDEM_IMAGE_MAX_BYTES
    body = json.dumps(
        {
            "policy": intake_policy.pk,
            "external_id": "too-big-1",
            "author_id": "a-1",
            "image": b64(png_of_exactly(limit + 1)),
        }
    ).encode()

    status, _, answer = post_json(f"{live_server.url}/api/v1/platform/intake/", body, key)

    assert status == 413, answer
    assert f"{limit:,} bytes" in answer["message"]
    assert answer["extra"]["limit_bytes"] == limit
    assert not Content.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_intake_refuses_a_body_one_byte_over_its_limit_naming_it(live_server, intake_policy):
    platform, key = platform_with_key()
    grant(intake_policy, platform)
    limit = intake_body_limit()
    head = f'{{"policy": {intake_policy.pk}, "external_id": "x", "author_id": "a", "text": "'
    body = head.encode() + b"a" * (limit + 1 - len(head) - 2) + b'"}'
    assert len(body) == limit + 1

    status, _, answer = post_json(f"{live_server.url}/api/v1/platform/intake/", body, key)

    assert status == 413, answer
    assert answer["extra"]["limit_bytes"] == limit
    assert f"{limit:,} bytes" in answer["message"]
    assert not Content.objects.exists()


# --- rate -----------------------------------------------------------------------------------


def intake_entry(policy, n: int) -> dict:
    return {"policy": policy.pk, "external_id": f"post-{n}", "author_id": "a-1", "text": f"hi {n}"}


@pytest.mark.django_db
def test_intake_over_the_platform_rate_is_429_with_retry_after_and_nothing_stored(
    intake_policy, settings
):
    settings.TANDEM_INTAKE_RATE = "5/min"
    platform, key = platform_with_key()
    grant(intake_policy, platform)
    client = APIClient()
    batch = [intake_entry(intake_policy, n) for n in range(3)]

    first = client.post(
        "/api/v1/platform/intake/batch/", {"items": batch}, format="json", **auth(key)
    )
    singles = [
        client.post(
            "/api/v1/platform/intake/", intake_entry(intake_policy, n), format="json", **auth(key)
        )
        for n in (10, 11)
    ]
    before = db_fingerprint()
    over = client.post(
        "/api/v1/platform/intake/", intake_entry(intake_policy, 12), format="json", **auth(key)
    )

    assert first.status_code == 200
    assert [r.status_code for r in singles] == [201, 201]
    assert over.status_code == 429
    assert 1 <= int(over["Retry-After"]) <= 2 * 60  # a sliding window spans two minutes
    body = over.json()
    assert body["extra"]["limit"] == 5
    assert body["extra"]["retry_after_seconds"] == int(over["Retry-After"])
    assert "5 items per minute" in body["message"]
    assert db_fingerprint() == before
    assert Content.objects.count() == 5


@pytest.mark.django_db
def test_a_batch_that_would_cross_the_rate_is_refused_whole(intake_policy, settings):
    settings.TANDEM_INTAKE_RATE = "5/min"
    platform, key = platform_with_key()
    grant(intake_policy, platform)
    client = APIClient()
    client.post(
        "/api/v1/platform/intake/batch/",
        {"items": [intake_entry(intake_policy, n) for n in range(4)]},
        format="json",
        **auth(key),
    )

    over = client.post(
        "/api/v1/platform/intake/batch/",
        {"items": [intake_entry(intake_policy, n) for n in range(10, 12)]},
        format="json",
        **auth(key),
    )
    fits = client.post(
        "/api/v1/platform/intake/", intake_entry(intake_policy, 20), format="json", **auth(key)
    )

    assert over.status_code == 429
    assert Content.objects.filter(external_id__in=["post-10", "post-11"]).count() == 0
    # The refused batch used none of the allowance: the one item left still fits.
    assert fits.status_code == 201


@pytest.mark.django_db
def test_the_rate_is_per_platform_not_per_address(intake_policy, settings):
    settings.TANDEM_INTAKE_RATE = "2/min"
    platform_a, key_a = platform_with_key("Chatter")
    platform_b, key_b = platform_with_key("Forum")
    grant(intake_policy, platform_a, platform_b)
    client = APIClient()

    def send(key, n, address):
        return client.post(
            "/api/v1/platform/intake/",
            intake_entry(intake_policy, n),
            format="json",
            REMOTE_ADDR=address,
            HTTP_X_FORWARDED_FOR=address,
            **auth(key),
        ).status_code

    # Platform A from three addresses: the third item is over A's rate all the same.
    assert [send(key_a, n, f"10.0.0.{n}") for n in range(3)] == [201, 201, 429]
    # Platform B, from the same address as A's last request, has its own allowance.
    assert [send(key_b, n, "10.0.0.2") for n in range(10, 12)] == [201, 201]


@pytest.mark.django_db
def test_a_batch_larger_than_the_whole_rate_says_so(intake_policy, settings):
    settings.TANDEM_INTAKE_RATE = "3/min"
    platform, key = platform_with_key()
    grant(intake_policy, platform)

    response = APIClient().post(
        "/api/v1/platform/intake/batch/",
        {"items": [intake_entry(intake_policy, n) for n in range(4)]},
        format="json",
        **auth(key),
    )

    assert response.status_code == 429
    assert "send fewer at a time" in response.json()["message"]
    assert not Content.objects.exists()
