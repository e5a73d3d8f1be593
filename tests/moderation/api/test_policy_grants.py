"""Site staff decide which platform may use which policy: listed, granted and revoked through
the API, each change audited; nobody else may touch grants."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.models import PolicyGrant
from tests.factories import UserFactory
from tests.factories.moderation import PlatformFactory, PolicyMemberFactory, ReviewPolicyFactory


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def staff(db):
    return _client(UserFactory(is_staff=True))


def _grants_url(platform, policy=None) -> str:
    base = f"/api/v1/moderation/platforms/{platform.pk}/grants/"
    return f"{base}{policy.pk}/" if policy is not None else base


@pytest.mark.django_db
def test_staff_grant_list_and_revoke_a_policy_with_an_audit_record_each(staff):
    platform = PlatformFactory()
    granted, other = ReviewPolicyFactory(), ReviewPolicyFactory()

    created = staff.put(_grants_url(platform, granted))
    again = staff.put(_grants_url(platform, granted))
    listed = staff.get(_grants_url(platform)).json()["results"]
    only_granted = staff.get(_grants_url(platform), {"granted": "true"}).json()["results"]

    assert created.status_code == 201, created.content
    assert created.json()["granted"] is True
    assert again.status_code == 200
    assert {row["policy"]: row["granted"] for row in listed} == {granted.pk: True, other.pk: False}
    assert [row["policy"] for row in only_granted] == [granted.pk]
    assert only_granted[0]["granted_by"] == created.wsgi_request.user.username
    [event] = AuditEvent.objects.filter(action="policy_grant.create")
    assert event.scope == f"moderation.policy:{granted.pk}"
    assert event.after["platform"] == platform.pk

    revoked = staff.delete(_grants_url(platform, granted))
    revoked_again = staff.delete(_grants_url(platform, granted))

    assert revoked.status_code == revoked_again.status_code == 204
    assert not PolicyGrant.objects.exists()
    assert AuditEvent.objects.filter(action="policy_grant.delete").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.SENIOR_MODERATOR, Role.MODERATOR])
def test_people_who_are_not_site_staff_cannot_grant_even_their_own_policy(role):
    platform = PlatformFactory()
    policy = ReviewPolicyFactory()
    client = _client(PolicyMemberFactory(policy=policy, role=role))

    put = client.put(_grants_url(platform, policy))
    listed = client.get(_grants_url(platform))
    deleted = client.delete(_grants_url(platform, policy))

    assert (put.status_code, listed.status_code, deleted.status_code) == (403, 403, 403)
    assert not PolicyGrant.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="policy_grant.").exists()


@pytest.mark.django_db
def test_granting_an_unknown_policy_or_platform_is_404_and_stores_nothing(staff):
    platform, policy = PlatformFactory(), ReviewPolicyFactory()

    no_policy = staff.put(f"/api/v1/moderation/platforms/{platform.pk}/grants/99999/")
    no_platform = staff.put(f"/api/v1/moderation/platforms/99999/grants/{policy.pk}/")

    assert no_policy.status_code == no_platform.status_code == 404
    assert not PolicyGrant.objects.exists()
