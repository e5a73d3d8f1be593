"""How PostgreSQL runs the next-item statement: the work per call must not grow with how many
items the annotator has already had (a long-serving annotator's next item comes as fast as a new
annotator's)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.choices import AssignmentState, Role
from labeling.models import QueueAssignment
from labeling.services.queue import queue_next
from tests.factories import ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the plan of PostgreSQL's statement (DATABASE_URL); SQLite has its own")


def plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def test_next_probes_the_annotators_assignments_by_item_instead_of_reading_them_all(make_member):
    project = ProjectFactory(retrain_every=0)
    ann = make_member(Role.ANNOTATOR, proj=project)
    done = [ItemFactory(project=project, priority=0.0) for _ in range(400)]
    ItemFactory.create_batch(20, project=project, priority=1.0)
    # The annotator's history: 400 finished items, in the table since its statistics were taken
    # (a test database's tables were never analysed, as after a bulk of new leases).
    QueueAssignment.objects.bulk_create(
        QueueAssignment(
            project=project, item=item, user=ann, state=AssignmentState.SUBMITTED,
            leased_at=item.created_at, expires_at=item.created_at,
        )
        for item in done
    )  # fmt: skip

    with CaptureQueriesContext(connection) as queries:
        assignment = queue_next(project=project, user=ann)
    assert assignment is not None
    assert assignment.item.priority == 1.0
    (statement,) = [q["sql"] for q in queries.captured_queries if "AS reuse_id" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    on_assignments = [
        node
        for node in plan_nodes(plan[0]["Plan"])
        if node.get("Relation Name") == QueueAssignment._meta.db_table
    ]

    assert on_assignments, "the statement reads the annotator's assignments"
    for node in on_assignments:
        assert node["Node Type"] in ("Index Scan", "Index Only Scan"), node["Node Type"]
        assert "item_id" in node.get("Index Cond", ""), node
