"""Migration 0011: ``adaptive`` is the sampling strategy of new projects and replaces the old
default ``hybrid``; any other strategy someone chose stays."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from labeling.models import Project
from tests.factories import ProjectFactory

BEFORE = [("labeling", "0010_label_class_description")]
AFTER = [("labeling", "0011_adaptive_sampling_default")]


@pytest.mark.django_db(transaction=True)
def test_old_default_hybrid_becomes_adaptive_and_chosen_strategies_stay():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # The schema as it was then: today's model has columns later migrations add.
    old_project = executor.loader.project_state(BEFORE).apps.get_model("labeling", "Project")
    ids = [
        old_project.objects.create(name=name, sampling_strategy=strategy).pk
        for name, strategy in [
            ("Old default", "hybrid"),
            ("Chose entropy", "entropy"),
            ("Chose random", "random"),
        ]
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    on_default, chose_entropy, chose_random = (Project.objects.get(pk=pk) for pk in ids)
    assert [p.sampling_strategy for p in (on_default, chose_entropy, chose_random)] == [
        "adaptive",
        "entropy",
        "random",
    ]
    assert ProjectFactory(name="New").sampling_strategy == "adaptive"
