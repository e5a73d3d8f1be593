"""Migration 0007: authors' strike counters become records. Each standing removal with an
author becomes a strike (its category's severity, 90 days from the decision); a moderator's
suspension becomes an action of its decision; overturned removals give nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ItemFactory, ProjectFactory

BEFORE = [("moderation", "0006_rules_and_text_banks")]
AFTER = [("moderation", "0007_author_strikes")]


@pytest.mark.django_db(transaction=True)
def test_standing_removals_become_strikes_and_suspensions_become_actions():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    model = lambda name: old.get_model("moderation", name)  # noqa: E731
    project = ProjectFactory(name="Legacy", label_classes=["ham", "spam"])
    policy = model("Policy").objects.create(name="Old rules", project_id=project.pk)
    spam = model("PolicyCategory").objects.create(
        policy=policy, name="spam", label_class="spam", severity=4
    )
    reason = model("ReasonCode").objects.create(
        policy=policy, category=spam, code="SPAM-1", description="Ads"
    )
    platform = model("Platform").objects.create(name="Old chat")
    author = model("Author").objects.create(platform=platform, external_id="u-1", strikes=2)
    decisions = []
    for number, (author_action, superseded) in enumerate(
        [("suspend", False), ("none", False), ("warn", True)]
    ):
        content = model("Content").objects.create(
            platform=platform,
            policy=policy,
            external_id=f"p-{number}",
            author=author,
            item_id=ItemFactory(project=project).pk,
            state="removed",
        )
        decisions.append(
            model("Decision").objects.create(
                content=content,
                action="remove",
                reason_code=reason,
                author_action=author_action,
                suspend_days=7 if author_action == "suspend" else None,
                is_final=True,
                superseded=superseded,
            )
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    strikes = list(
        new.get_model("moderation", "Strike")
        .objects.order_by("decision_id")
        .values_list("decision_id", "points", "reason_code", "created_at", "expires_at")
    )
    assert [row[:3] for row in strikes] == [
        (decisions[0].pk, 4, "SPAM-1"),
        (decisions[1].pk, 4, "SPAM-1"),
    ]
    assert all(expires - created == timedelta(days=90) for *_, created, expires in strikes)
    [action] = new.get_model("moderation", "AuthorSanction").objects.values(
        "kind", "source", "decision_id", "suspend_days"
    )
    assert action == {
        "kind": "suspend",
        "source": "decision",
        "decision_id": decisions[0].pk,
        "suspend_days": 7,
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
