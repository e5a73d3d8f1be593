"""Migration 0009: text projects that existed before "minilm-int8" became the default keep
"minilm" (their vectors and models stay valid); a chosen embedder and image projects are left
alone, and projects created afterwards get the new default."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from labeling.models import Project
from labeling.selectors.embedders import project_embedder_name
from tests.factories import ProjectFactory

BEFORE = [("labeling", "0008_assignment_skipped_idx")]
AFTER = [("labeling", "0009_existing_text_projects_keep_minilm")]


@pytest.mark.django_db(transaction=True)
def test_existing_text_projects_keep_the_minilm_vector_space():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # The schema as it was then: today's model has columns later migrations add.
    old_project = executor.loader.project_state(BEFORE).apps.get_model("labeling", "Project")
    ids = [
        old_project.objects.create(name=name, data_type=data_type, embedder=embedder).pk
        for name, data_type, embedder in [
            ("Old default", "text", ""),
            ("Chose hashing", "text", "hashing"),
            ("Old images", "image", ""),
        ]
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    default_text, hashing, images = (Project.objects.get(pk=pk) for pk in ids)
    assert (default_text.embedder, hashing.embedder, images.embedder) == ("minilm", "hashing", "")
    assert project_embedder_name(project=default_text) == "minilm"
    assert project_embedder_name(project=images) == "pixels"
    new = ProjectFactory(name="New", data_type="text", embedder="")
    assert project_embedder_name(project=new) == "minilm-int8"
