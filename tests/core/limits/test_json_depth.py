"""JSON nested deeper than TANDEM_JSON_MAX_DEPTH is a 400 naming the limit, never a 500 (a
deep body used to exhaust the parser's recursion); nothing is stored."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from labeling.choices import ImportStatus, Role
from labeling.models import Item
from moderation.models import Content
from tests.core.limits.helpers import db_fingerprint
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory

pytestmark = pytest.mark.django_db


def nested(depth: int, leaf=1):
    """``depth`` levels of arrays around ``leaf``: nested(2) == [[1]]."""
    return "[" * depth + json.dumps(leaf) + "]" * depth


@pytest.fixture
def platform(project):
    platform, key = platform_with_key()
    policy = IntakePolicyFactory(
        project=project, automation_level="human_only", granted_to=platform
    )
    return policy, key


def batch_body(policy, context_value: str) -> bytes:
    """A batch whose one item carries ``context_value`` (raw JSON) under an extra key."""
    item = (
        f'{{"policy": {policy.pk}, "external_id": "deep-1", "author_id": "a-1", '
        f'"text": "hello there", "extra": {context_value}}}'
    )
    return f'{{"items": [{item}]}}'.encode()


@pytest.mark.parametrize("depth", [40, 5000, 200_000])
def test_a_deeply_nested_body_is_a_400_naming_the_limit(db, depth):
    before = db_fingerprint()

    response = APIClient().post(
        "/api/v1/auth/login/", nested(depth).encode(), content_type="application/json"
    )

    assert response.status_code == 400, response.content[:200]
    body = response.json()
    assert body["extra"] == {"limit_depth": 32}
    assert "32 levels" in body["message"]
    assert db_fingerprint() == before


def test_intake_batch_accepts_the_deepest_allowed_body_and_refuses_one_level_more(
    platform, settings
):
    policy, key = platform
    # The body is {"items": [{..., "extra": X}]}: three levels before X.
    at_limit = batch_body(policy, nested(settings.TANDEM_JSON_MAX_DEPTH - 3))
    over = batch_body(policy, nested(settings.TANDEM_JSON_MAX_DEPTH - 2))
    client = APIClient()

    refused = client.post(
        "/api/v1/platform/intake/batch/", over, content_type="application/json", **auth(key)
    )
    assert refused.status_code == 400
    assert refused.json()["extra"] == {"limit_depth": settings.TANDEM_JSON_MAX_DEPTH}
    assert not Content.objects.exists()

    accepted = client.post(
        "/api/v1/platform/intake/batch/", at_limit, content_type="application/json", **auth(key)
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["accepted"] == 1
    assert Content.objects.count() == 1


def test_a_lone_surrogate_in_a_json_body_is_refused_naming_its_field(platform):
    policy, key = platform
    body = (
        f'{{"policy": {policy.pk}, "external_id": "post-1", "author_id": "a\\ud800b", '
        '"text": "hello"}'
    ).encode()

    response = APIClient().post(
        "/api/v1/platform/intake/", body, content_type="application/json", **auth(key)
    )

    assert response.status_code == 400, response.content
    assert "author_id" in response.json()["message"]
    assert not Content.objects.exists()


def test_a_jsonl_row_with_deep_metadata_is_reported_and_the_other_rows_imported(
    api, make_member, project, settings, django_capture_on_commit_callbacks
):
    client = api.as_user(make_member(Role.ADMIN))
    deep = {"metadata": json.loads(nested(settings.TANDEM_JSON_MAX_DEPTH))}
    rows = [
        {"id": "a", "text": "first message"},
        {"id": "b", "text": "second message", **deep},
        {"id": "c", "text": "third message", "metadata": {"source": "sms"}},
    ]
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/projects/{project.pk}/imports/",
            {"file": SimpleUploadedFile("rows.jsonl", data)},
            format="multipart",
        )

    assert response.status_code == 202, response.content
    job = client.get(f"/api/v1/projects/{project.pk}/imports/{response.json()['id']}/").json()
    assert job["status"] == ImportStatus.SUCCEEDED
    assert job["items_created"] == 2
    assert job["errors"] == [
        {"line": 2, "message": f"nested more than {settings.TANDEM_JSON_MAX_DEPTH} levels deep"}
    ]
    assert sorted(Item.objects.values_list("external_id", flat=True)) == ["a", "c"]
