"""Migration 0013: every policy gets its default and appeals queues; its contents go to the
default queue, those with an open appeal to the appeals queue."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ItemFactory, ProjectFactory

BEFORE = [("moderation", "0012_review_queues")]
AFTER = [("moderation", "0013_review_queues_for_policies")]


@pytest.mark.django_db(transaction=True)
def test_existing_policies_get_their_queues_and_content_goes_to_them():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    model = lambda name: old.get_model("moderation", name)  # noqa: E731
    project = ProjectFactory(name="Legacy", label_classes=["ham", "spam"])
    policy = model("Policy").objects.create(name="Old rules", project_id=project.pk)
    platform = model("Platform").objects.create(name="Old chat")
    contents = {
        name: model("Content").objects.create(
            platform=platform,
            policy=policy,
            external_id=name,
            state=state,
            item_id=ItemFactory(project=project).pk,
        )  # fmt: skip
        for name, state in [("waiting", "pending"), ("appealed", "removed"), ("closed", "removed")]
    }
    for name, appeal_state in [("appealed", "open"), ("closed", "upheld")]:
        decision = model("Decision").objects.create(
            content=contents[name], action="remove", is_final=True
        )
        model("Appeal").objects.create(
            content=contents[name], decision=decision, state=appeal_state
        )

    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    queues = {
        q.kind: q
        for q in new.get_model("moderation", "ReviewQueue").objects.filter(policy=policy.pk)
    }
    placed = dict(
        new.get_model("moderation", "Content").objects.values_list("external_id", "queue_id")
    )

    assert {kind: q.name for kind, q in queues.items()} == {
        "default": "Default", "appeals": "Appeals",
    }  # fmt: skip
    assert placed == {
        "waiting": queues["default"].pk,
        "appealed": queues["appeals"].pk,
        "closed": queues["default"].pk,
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
