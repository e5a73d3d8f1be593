"""Review suspect labels over the API: who may read, run and send; what malformed requests get;
what an annotator sees while an item is out for a blind second opinion."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from labeling.choices import Role, SuspectStatus
from labeling.models import SuspectLabel
from labeling.services.suspect_reviews import MAX_BATCH
from models_app.choices import JobKind, JobStatus
from models_app.models import TrainingJob
from tests.factories import ItemFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def url(project, path):
    return f"/api/v1/projects/{project.pk}/{path}"


def suspect(project, rank=1, text=None, annotator=None, status=SuspectStatus.OPEN):
    item = ItemFactory(project=project, text=text or f"Win a prize now {rank}")
    return SuspectLabel.objects.create(
        project=project,
        item=item,
        annotator=annotator,
        given_label="ham",
        suggested_label="spam",
        score=0.05 * rank,
        suggested_probability=0.9,
        rank=rank,
        status=status,
    )


@pytest.fixture
def rows(project):
    labeler = UserFactory(username="labeler")
    return [suspect(project, rank=r, annotator=labeler) for r in range(1, 4)]


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "suspect-labels/"),
        ("post", "suspect-labels/run/"),
        ("post", "suspect-labels/second-opinion/"),
        ("get", "label-quality/"),
    ],
)
def test_anonymous_callers_are_refused(api, project, method, path):
    response = getattr(api, method)(url(project, path), {}, format="json")

    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "suspect-labels/"),
        ("post", "suspect-labels/run/"),
        ("post", "suspect-labels/second-opinion/"),
        ("get", "label-quality/"),
    ],
)
def test_members_of_another_project_get_not_found(api, project, make_member, method, path, rows):
    outsider = make_member(Role.ADMIN, proj=ProjectFactory())

    response = getattr(api.as_user(outsider), method)(
        url(project, path), {"suspects": [rows[0].pk]}, format="json"
    )

    assert response.status_code == 404
    assert SuspectLabel.objects.get(pk=rows[0].pk).status == SuspectStatus.OPEN


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.MODERATOR, Role.SENIOR_MODERATOR])
def test_members_read_but_only_managers_run_and_send(api, project, make_member, role, rows):
    client = api.as_user(make_member(role))

    assert client.get(url(project, "suspect-labels/")).status_code == 200
    assert client.get(url(project, "label-quality/")).status_code == 200
    assert client.post(url(project, "suspect-labels/run/")).status_code == 403
    sent = client.post(
        url(project, "suspect-labels/second-opinion/"), {"suspects": [rows[0].pk]}, format="json"
    )
    assert sent.status_code == 403
    assert not TrainingJob.objects.filter(kind=JobKind.SUSPECTS).exists()


# --- list ------------------------------------------------------------------------------------


def test_list_is_ranked_paginated_and_shows_text_as_data(api, project, make_member):
    labeler = UserFactory(username="labeler")
    for rank in range(1, 8):
        suspect(project, rank=rank, text=f"{HOSTILE} {rank}", annotator=labeler)
    client = api.as_user(make_member(Role.ANNOTATOR))

    with CaptureQueriesContext(connection) as queries:
        body = client.get(url(project, "suspect-labels/?page_size=5")).json()

    assert body["count"] == 7
    assert [r["rank"] for r in body["results"]] == [1, 2, 3, 4, 5]
    first = body["results"][0]
    assert first["text"] == f"{HOSTILE} 1"  # JSON carries it as data; the SPA renders text
    assert first["given_label"] == "ham"
    assert first["suggested_label"] == "spam"
    assert first["annotator"] == "labeler"
    assert first["status"] == "open"
    # Session, project check, count, page: the same for 1 row as for 5.
    with CaptureQueriesContext(connection) as one_row:
        client.get(url(project, "suspect-labels/?page_size=1"))
    assert len(queries) == len(one_row) <= 5
    second_page = client.get(url(project, "suspect-labels/?page_size=5&page=2")).json()
    assert [r["rank"] for r in second_page["results"]] == [6, 7]


def test_list_filters_by_status_and_refuses_unknown_ones(api, project, make_member, rows):
    SuspectLabel.objects.filter(pk=rows[1].pk).update(status=SuspectStatus.CORRECTED)
    client = api.as_user(make_member(Role.ADMIN))

    corrected = client.get(url(project, "suspect-labels/?status=corrected")).json()
    bad = client.get(url(project, "suspect-labels/?status=<b>x</b>"))

    assert [r["id"] for r in corrected["results"]] == [rows[1].pk]
    assert bad.status_code == 400


def test_annotators_do_not_see_labels_of_items_out_for_a_second_opinion(
    api, project, make_member, rows
):
    admin, annotator = make_member(Role.ADMIN), make_member(Role.ANNOTATOR)
    api.as_user(admin).post(
        url(project, "suspect-labels/second-opinion/"), {"suspects": [rows[0].pk]}, format="json"
    )

    seen = {
        r["id"]: r
        for r in api.as_user(annotator).get(url(project, "suspect-labels/")).json()["results"]
    }
    managed = {
        r["id"]: r
        for r in api.as_user(admin).get(url(project, "suspect-labels/")).json()["results"]
    }

    assert seen[rows[0].pk]["given_label"] is None
    assert seen[rows[0].pk]["suggested_label"] is None
    assert seen[rows[1].pk]["given_label"] == "ham"
    assert managed[rows[0].pk]["given_label"] == "ham"


# --- run -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ML_ENGINEER])
def test_managers_start_one_job_at_a_time(api, project, make_member, role):
    client = api.as_user(make_member(role))

    first = client.post(url(project, "suspect-labels/run/"))
    again = client.post(url(project, "suspect-labels/run/"))

    assert first.status_code == 202
    assert first.json()["kind"] == "suspects"
    assert first.json()["status"] in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.WAITING)
    assert again.json()["id"] == first.json()["id"]


def test_the_training_jobs_endpoint_does_not_start_suspects_jobs(api, project, make_member):
    client = api.as_user(make_member(Role.ADMIN))

    response = client.post(url(project, "training-jobs/"), {"kind": "suspects"}, format="json")

    assert response.status_code == 400


# --- send for a second opinion ---------------------------------------------------------------


def test_managers_send_a_batch_and_it_is_audited(api, project, make_member, rows):
    admin = make_member(Role.ML_ENGINEER)

    response = api.as_user(admin).post(
        url(project, "suspect-labels/second-opinion/"),
        {"suspects": [rows[0].pk, rows[2].pk]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["sent"] == 2
    assert {r["status"] for r in body["suspects"]} == {"sent"}
    assert SuspectLabel.objects.get(pk=rows[1].pk).status == SuspectStatus.OPEN
    event = AuditEvent.objects.get(action="suspects.sent")
    assert event.actor == admin
    assert sorted(event.after["items"]) == sorted([rows[0].item_id, rows[2].item_id])


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"suspects": []},
        {"suspects": "1,2"},
        {"suspects": ["a"]},
        {"suspects": [0]},
        {"suspects": [-4]},
        {"suspects": [None]},
        {"suspects": [{"id": 1}]},
        {"suspects": list(range(1, MAX_BATCH + 2))},
        [1, 2],
    ],
)
def test_malformed_batches_are_refused(api, project, make_member, rows, body):
    response = api.as_user(make_member(Role.ADMIN)).post(
        url(project, "suspect-labels/second-opinion/"), body, format="json"
    )

    assert response.status_code == 400
    assert not SuspectLabel.objects.filter(status=SuspectStatus.SENT).exists()


def test_suspects_of_another_project_cannot_be_sent(api, project, make_member, rows):
    elsewhere = suspect(ProjectFactory(), rank=1)

    response = api.as_user(make_member(Role.ADMIN)).post(
        url(project, "suspect-labels/second-opinion/"),
        {"suspects": [rows[0].pk, elsewhere.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["extra"]["unknown"] == [elsewhere.pk]
    assert not SuspectLabel.objects.filter(status=SuspectStatus.SENT).exists()


def test_a_batch_cannot_be_sent_twice(api, project, make_member, rows):
    client = api.as_user(make_member(Role.ADMIN))
    path = url(project, "suspect-labels/second-opinion/")
    client.post(path, {"suspects": [rows[0].pk]}, format="json")

    again = client.post(path, {"suspects": [rows[0].pk]}, format="json")

    assert again.status_code == 400
    assert "already sent" in again.json()["message"]


# --- label quality -----------------------------------------------------------------------------


def test_label_quality_before_any_run_is_empty(api, project, make_member):
    body = api.as_user(make_member(Role.ANNOTATOR)).get(url(project, "label-quality/")).json()

    assert body["job"] is None
    assert body["per_class"] == []
    assert body["per_annotator"] == []
    assert body["status_counts"] == {"open": 0, "sent": 0, "confirmed": 0, "corrected": 0}


def test_label_quality_reports_the_last_finished_run(api, project, make_member, rows):
    TrainingJob.objects.create(
        owner=project.owner_key,
        kind=JobKind.SUSPECTS,
        trigger="manual",
        status=JobStatus.SUCCEEDED,
        result={
            "judged": 40,
            "suspects": 3,
            "estimated_error_rate": 0.075,
            "per_class": {
                "ham": {"labels": 30, "suspects": 2, "estimated_error_rate": 0.05,
                        "threshold": 0.9},
                "spam": {"labels": 10, "suspects": 1, "estimated_error_rate": 0.1,
                         "threshold": 0.7},
            },
            "per_annotator": [
                {"annotator_id": None, "annotator": "ls-1 (imported)", "labels": 40,
                 "flagged": 3, "flagged_share": 0.075},
            ],
        },
    )  # fmt: skip

    body = api.as_user(make_member(Role.ANNOTATOR)).get(url(project, "label-quality/")).json()

    assert body["judged"] == 40
    assert body["estimated_error_rate"] == 0.075
    assert [c["label"] for c in body["per_class"]] == ["ham", "spam"]
    assert body["per_class"][1]["estimated_error_rate"] == 0.1
    assert body["per_annotator"][0]["annotator"] == "ls-1 (imported)"
    assert body["status_counts"]["open"] == 3
