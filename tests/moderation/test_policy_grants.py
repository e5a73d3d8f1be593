"""Site staff decide which platform may use which policy: listed, granted and revoked through
the API, each change audited; nobody else may touch grants."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.models import PolicyGrant
from tests.factories import ItemFactory, ProjectFactory, UserFactory
from tests.moderation.review_factories import make_member, make_platform, make_policy


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
    platform = make_platform()
    granted, other = make_policy(), make_policy()

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
    platform = make_platform()
    policy = make_policy()
    client = _client(make_member(policy, role))

    put = client.put(_grants_url(platform, policy))
    listed = client.get(_grants_url(platform))
    deleted = client.delete(_grants_url(platform, policy))

    assert (put.status_code, listed.status_code, deleted.status_code) == (403, 403, 403)
    assert not PolicyGrant.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="policy_grant.").exists()


@pytest.mark.django_db
def test_granting_an_unknown_policy_or_platform_is_404_and_stores_nothing(staff):
    platform, policy = make_platform(), make_policy()

    no_policy = staff.put(f"/api/v1/moderation/platforms/{platform.pk}/grants/99999/")
    no_platform = staff.put(f"/api/v1/moderation/platforms/99999/grants/{policy.pk}/")

    assert no_policy.status_code == no_platform.status_code == 404
    assert not PolicyGrant.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_grants_every_pair_that_already_has_content_and_numbers_deliveries():
    """An install upgraded with content keeps working: each (policy, platform) pair with
    content is granted; pairs without content are not; every delivery gets its own id."""
    executor = MigrationExecutor(connection)
    executor.migrate([("moderation", "0002_content_open_sla_index")])
    old = executor.loader.project_state([("moderation", "0002_content_open_sla_index")]).apps
    Policy = old.get_model("moderation", "Policy")
    Platform = old.get_model("moderation", "Platform")
    Content = old.get_model("moderation", "Content")
    Endpoint = old.get_model("moderation", "WebhookEndpoint")
    Delivery = old.get_model("moderation", "WebhookDelivery")
    # labeling is not migrated back: its rows are made with today's models.
    project = ProjectFactory(name="Legacy")
    for name in ("Used", "Unused"):
        Policy.objects.create(name=name, project_id=project.pk)
    used = Policy.objects.get(name="Used")
    sender = Platform.objects.create(name="Sender")
    Platform.objects.create(name="Idle")
    for n in range(3):
        item = ItemFactory(project=project)
        Content.objects.create(platform=sender, policy=used, external_id=f"c-{n}", item_id=item.pk)
    endpoint = Endpoint.objects.create(platform=sender, url="https://hooks.example/t", secret="s")
    for _ in range(3):
        Delivery.objects.create(endpoint=endpoint, event="content.decided", payload={})

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    Grant = new.get_model("moderation", "PolicyGrant")
    assert list(Grant.objects.values_list("policy__name", "platform__name")) == [("Used", "Sender")]
    uuids = list(new.get_model("moderation", "WebhookDelivery").objects.values_list("uuid"))
    assert len(set(uuids)) == 3
