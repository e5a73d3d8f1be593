"""Migration 0005: reason codes get a position; existing ones keep the order they had (by
code), so no moderator's digit keys move on upgrade."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ProjectFactory

BEFORE = [("moderation", "0004_blurred_random_names_restricted_items")]
AFTER = [("moderation", "0005_reason_code_position")]


@pytest.mark.django_db(transaction=True)
def test_existing_reason_codes_are_numbered_in_their_old_order():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Policy = old.get_model("moderation", "Policy")
    ReasonCode = old.get_model("moderation", "ReasonCode")
    project = ProjectFactory(name="Legacy")
    first = Policy.objects.create(name="First", project_id=project.pk)
    second = Policy.objects.create(name="Second", project_id=project.pk)
    for policy, codes in ((first, ["Z-1", "B-2", "M-3"]), (second, ["Q", "A"])):
        for code in codes:
            ReasonCode.objects.create(policy=policy, code=code, description=code)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    Migrated = new.get_model("moderation", "ReasonCode")
    listed = {
        policy.name: list(
            Migrated.objects.filter(policy_id=policy.pk).values_list("code", "position")
        )
        for policy in (first, second)
    }
    assert listed == {"First": [("B-2", 0), ("M-3", 1), ("Z-1", 2)], "Second": [("A", 0), ("Q", 1)]}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
