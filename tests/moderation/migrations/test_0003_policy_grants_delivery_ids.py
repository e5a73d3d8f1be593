"""Migration 0003: policies are granted to the platforms that already sent content under them,
and every webhook delivery gets its own id."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ItemFactory, ProjectFactory


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
