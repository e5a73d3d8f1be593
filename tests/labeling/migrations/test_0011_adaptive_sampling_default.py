"""Migration 0011: ``adaptive`` is the sampling strategy of new projects and replaces the old
default ``hybrid``; any other strategy someone chose stays."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ProjectFactory

BEFORE = [("labeling", "0010_label_class_description")]
AFTER = [("labeling", "0011_adaptive_sampling_default")]


@pytest.mark.django_db(transaction=True)
def test_old_default_hybrid_becomes_adaptive_and_chosen_strategies_stay():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    on_default = ProjectFactory(name="Old default", sampling_strategy="hybrid")
    chose_entropy = ProjectFactory(name="Chose entropy", sampling_strategy="entropy")
    chose_random = ProjectFactory(name="Chose random", sampling_strategy="random")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    for project in (on_default, chose_entropy, chose_random):
        project.refresh_from_db()
    assert [p.sampling_strategy for p in (on_default, chose_entropy, chose_random)] == [
        "adaptive",
        "entropy",
        "random",
    ]
    assert ProjectFactory(name="New").sampling_strategy == "adaptive"
