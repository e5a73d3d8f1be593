"""Platforms and their API keys: site admins make and revoke keys; a key works only for its
own platform's content and within its scopes."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from moderation.choices import AutomationLevel
from moderation.models import Content, PlatformApiKey
from tests.factories import UserFactory
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_admin():
    client = APIClient()
    client.force_login(UserFactory(is_staff=True))
    return client


def test_site_admin_creates_a_platform_and_a_key_shown_once(site_admin):
    platform = site_admin.post("/api/v1/moderation/platforms/", {"name": "Chatter"}, format="json")
    created = site_admin.post(
        f"/api/v1/moderation/platforms/{platform.json()['id']}/keys/",
        {"name": "prod", "scopes": ["intake", "reports"]},
        format="json",
    )
    listed = site_admin.get(f"/api/v1/moderation/platforms/{platform.json()['id']}/keys/")

    assert platform.status_code == 201
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith(created.json()["prefix"])
    stored = PlatformApiKey.objects.get()
    assert key not in (stored.key_hash, stored.prefix)  # only the hash and a prefix stay
    assert "key" not in listed.json()["results"][0]
    assert {"platform.create", "api_key.create"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    assert key not in str(list(AuditEvent.objects.values_list("after", flat=True)))


def test_scopes_must_come_from_the_known_list(site_admin):
    platform = site_admin.post("/api/v1/moderation/platforms/", {"name": "C"}, format="json")

    response = site_admin.post(
        f"/api/v1/moderation/platforms/{platform.json()['id']}/keys/",
        {"scopes": ["intake", "everything"]},
        format="json",
    )

    assert response.status_code == 400


def test_people_without_site_admin_cannot_manage_platforms(api):
    client = api.as_user(UserFactory())

    assert client.get("/api/v1/moderation/platforms/").status_code == 403
    assert client.post("/api/v1/moderation/platforms/", {"name": "X"}).status_code == 403


def test_unknown_and_revoked_keys_get_401(site_admin):
    platform, key = platform_with_key()
    policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY, granted_to=platform)
    body = {"policy": policy.pk, "external_id": "e", "author_id": "a", "text": "hello"}
    client = APIClient()

    unknown = client.post("/api/v1/platform/intake/", body, format="json", **auth("tdm_nope"))
    missing = client.post("/api/v1/platform/intake/", body, format="json")
    api_key = PlatformApiKey.objects.get()
    site_admin.post(f"/api/v1/moderation/platforms/{platform.pk}/keys/{api_key.pk}/revoke/")
    revoked = client.post("/api/v1/platform/intake/", body, format="json", **auth(key))

    assert (unknown.status_code, missing.status_code, revoked.status_code) == (401, 401, 401)
    assert set(unknown.json()) == {"message", "extra"}
    assert not Content.objects.exists()


def test_a_key_without_the_scope_is_refused():
    platform, key = platform_with_key(scopes=("reports",))
    policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY, granted_to=platform)

    response = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": "e", "author_id": "a", "text": "hello"},
        format="json",
        **auth(key),
    )

    assert response.status_code == 403


def test_a_key_of_another_platform_never_reaches_this_platforms_content():
    platform, key = platform_with_key("Chatter")
    other, other_key = platform_with_key("Forum")
    # Both may use the policy: the point here is that content is kept apart per platform.
    policy = grant(
        IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY, granted_to=platform),
        other,
    )
    body = {"policy": policy.pk, "external_id": "shared-id", "author_id": "a", "text": "mine"}
    client = APIClient()
    client.post("/api/v1/platform/intake/", body, format="json", **auth(key))

    report = client.post(
        "/api/v1/platform/reports/",
        {"external_id": "shared-id", "reporter_id": "troll"},
        format="json",
        **auth(other_key),
    )
    status_ = client.get("/api/v1/platform/contents/shared-id/", **auth(other_key))
    # The same external id from the other platform is its own, separate content.
    theirs = client.post(
        "/api/v1/platform/intake/", {**body, "text": "theirs"}, format="json", **auth(other_key)
    )

    assert report.status_code == 404
    assert status_.status_code == 404
    assert theirs.status_code == 201
    assert Content.objects.count() == 2
    assert Content.objects.get(platform__name="Chatter").report_count == 0


def test_session_users_cannot_call_platform_routes(api):
    client = api.as_user(UserFactory(is_staff=True, is_superuser=True))

    assert client.post("/api/v1/platform/intake/", {}).status_code == 401
    assert client.get("/api/v1/platform/contents/x/").status_code == 401
