"""Migration 0009: text projects that existed before "minilm-int8" became the default keep
"minilm" (their vectors and models stay valid); a chosen embedder and image projects are left
alone, and projects created afterwards get the new default."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from labeling.selectors.embedders import project_embedder_name
from tests.factories import ProjectFactory

BEFORE = [("labeling", "0008_assignment_skipped_idx")]
AFTER = [("labeling", "0009_existing_text_projects_keep_minilm")]


@pytest.mark.django_db(transaction=True)
def test_existing_text_projects_keep_the_minilm_vector_space():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # Without label classes: the factory writes them with today's model, whose later columns
    # (0010's description) the old schema does not have yet.
    old = {"label_classes": []}
    default_text = ProjectFactory(name="Old default", data_type="text", embedder="", **old)
    hashing = ProjectFactory(name="Chose hashing", data_type="text", embedder="hashing", **old)
    images = ProjectFactory(name="Old images", data_type="image", embedder="", **old)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    for project in (default_text, hashing, images):
        project.refresh_from_db()
    assert (default_text.embedder, hashing.embedder, images.embedder) == ("minilm", "hashing", "")
    assert project_embedder_name(project=default_text) == "minilm"
    assert project_embedder_name(project=images) == "pixels"
    new = ProjectFactory(name="New", data_type="text", embedder="")
    assert project_embedder_name(project=new) == "minilm-int8"
