"""A database outage answers 503 JSON with ``Retry-After`` (never a 500 page), and the next
request after the database is back works without restarting anything.

The outage is real: the process's connection is closed and pointed at a database that cannot
be opened (SQLite: a file in a folder that does not exist; PostgreSQL: a closed port), so the
request's first query fails the way it does while PostgreSQL restarts.
"""

import socket
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from labeling.choices import Role
from labeling.models import Project
from tests.core.observability.scrape import parse, value
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DOWN = {"route": "/api/v1/projects/<int:project_id>/", "method": "GET", "status": "5xx"}


@contextmanager
def database_down(tmp_path: Path):
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "tandem.sqlite3")
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = closed_port
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def member_client():
    user = UserFactory()
    project = ProjectFactory()
    MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, project


def test_a_database_outage_is_503_json_with_retry_after_then_recovers(member_client, tmp_path):
    client, project = member_client
    assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 200

    with database_down(tmp_path):
        response = client.get(f"/api/v1/projects/{project.pk}/", HTTP_X_REQUEST_ID="req-down-1")
        ready = client.get("/readyz")
        metrics = client.get("/metrics")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response["X-Request-ID"] == "req-down-1"
    body = response.json()
    assert body == {
        "message": "The database is unavailable; try again shortly.",
        "extra": {"retry_after_seconds": 5},
    }
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == {"ok": False, "status": "unreachable"}
    # /metrics still answers: the processes' counters, and which database gauges are missing.
    assert metrics.status_code == 200
    _, samples = parse(metrics.content)
    for source in ("annotation_queue", "embedding_backlog", "review_queue", "webhooks"):
        assert value(samples, "tandem_metrics_source_up", source=source) == 0
    assert value(samples, "tandem_http_request_duration_seconds_count", **DOWN) >= 1

    # The database is back: the same process answers the next requests.
    after = client.get(f"/api/v1/projects/{project.pk}/")
    assert after.status_code == 200
    assert after.json()["id"] == project.pk
    assert client.get("/readyz").status_code == 200


def test_a_write_during_an_outage_is_503_and_stores_nothing(member_client, tmp_path):
    client, _project = member_client

    with database_down(tmp_path):
        response = client.post(
            "/api/v1/projects/",
            {"name": "Made during the outage", "data_type": "text", "task_type": "binary"},
            content_type="application/json",
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert not Project.objects.filter(name="Made during the outage").exists()
