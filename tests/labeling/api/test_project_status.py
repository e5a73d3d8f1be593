"""The project status line: what is happening now, for members only, in constant queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from labeling.choices import AnnotationSource, ImportStatus, Role, Split
from labeling.models import ImportJob
from models_app.choices import JobKind, JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion, TrainingJob
from tests.factories import (
    AnnotationFactory,
    ItemFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)
from tests.factories.learning import production_model_version

pytestmark = pytest.mark.django_db


def status_url(project) -> str:
    return f"/api/v1/projects/{project.pk}/status/"


def import_job(project, **fields) -> ImportJob:
    defaults = {"original_name": "sms.tsv", "format": "tsv", "file": "imports/sms.tsv"}
    return ImportJob.objects.create(project=project, **{**defaults, **fields})


def job(project, kind, status, **fields) -> TrainingJob:
    return TrainingJob.objects.create(
        owner=project.owner_key, kind=kind, trigger=JobTrigger.MANUAL, status=status, **fields
    )


def model(project, version=1, label_count=40) -> ModelVersion:
    return production_model_version(project, version, label_count=label_count)


def label(project, name, n, split=Split.TRAIN):
    for _ in range(n):
        AnnotationFactory(item=ItemFactory(project=project, split=split), labels=[name])


@pytest.fixture
def member(api, project, make_member):
    return api.as_user(make_member(Role.ANNOTATOR))


def test_empty_project_says_to_import_items(member, project):
    body = member.get(status_url(project)).json()

    assert body["phase"] == "needs_items"
    assert body["message"] == "Import items to start."
    assert body["active"] is False
    assert body["failures"] == []


def test_says_how_many_labels_of_which_class_the_first_model_needs(member, project):
    label(project, "ham", 9)
    label(project, "spam", 2)
    # Labels of the dev and test splits do not train the model, and do not count.
    label(project, "spam", 4, split=Split.TEST)

    body = member.get(status_url(project)).json()

    assert body["phase"] == "needs_labels"
    assert body["message"] == "Label 3 more spam to train the first model."


def test_says_both_classes_when_nothing_is_labeled(member, project):
    ItemFactory(project=project)

    body = member.get(status_url(project)).json()

    assert body["message"] == "Label 5 more ham and 5 more spam to train the first model."


def test_running_import_shows_rows_read_and_polls(member, project):
    import_job(
        project,
        status=ImportStatus.RUNNING,
        rows_seen=1200,
        total_bytes=1000,
        processed_bytes=250,
        started_at=timezone.now() - timedelta(seconds=30),
    )

    body = member.get(status_url(project)).json()

    assert body["phase"] == "importing"
    assert body["active"] is True
    assert body["done"] == 1200
    assert "1,200 rows read (25% of the file)" in body["message"]
    assert 80 <= body["eta_seconds"] <= 100


def test_embedding_shows_items_done_of_total_and_time_left_from_the_rate(member, project):
    ItemFactory(project=project)
    job(
        project,
        JobKind.EMBED,
        JobStatus.RUNNING,
        progress=0.25,
        result={"missing": 400},
        started_at=timezone.now() - timedelta(seconds=60),
    )

    body = member.get(status_url(project)).json()

    assert body["phase"] == "embedding"
    assert (body["done"], body["total"]) == (100, 400)
    assert body["message"] == "Embedding items: 100 of 400."
    # A quarter took a minute: three more quarters take three minutes.
    assert 175 <= body["eta_seconds"] <= 185
    assert body["active"] is True


def test_import_comes_before_embedding(member, project):
    job(project, JobKind.EMBED, JobStatus.RUNNING, progress=0.5, result={"missing": 10})
    import_job(project, status=ImportStatus.QUEUED)

    assert member.get(status_url(project)).json()["phase"] == "importing"


def test_training_shows_since_when(member, project):
    ItemFactory(project=project)
    started = timezone.now() - timedelta(minutes=2)
    job(project, JobKind.TRAIN, JobStatus.RUNNING, started_at=started)

    body = member.get(status_url(project)).json()

    assert body["phase"] == "training"
    assert body["active"] is True
    assert body["since"].startswith(started.isoformat()[:19])


def test_live_model_shows_version_and_labels_and_stops_polling(member, project):
    ItemFactory(project=project)
    model(project, version=1, label_count=10)
    ModelVersion.objects.filter(version=1).update(stage=Stage.ARCHIVED)
    model(project, version=2, label_count=95)

    body = member.get(status_url(project)).json()

    assert body["phase"] == "model_live"
    assert body["active"] is False
    assert body["model"]["version"] == 2
    assert body["model"]["label_count"] == 95
    assert body["message"] == "Model version 2 is live, trained on 95 labels."


def test_failed_jobs_show_with_their_reason_until_a_later_run_succeeds(member, project):
    ItemFactory(project=project)
    import_job(project, status=ImportStatus.FAILED, error_message="Line 3: not UTF-8.")
    job(project, JobKind.EMBED, JobStatus.FAILED, error="EmbedderUnavailable: no torch")

    body = member.get(status_url(project)).json()

    assert {(f["kind"], f["message"]) for f in body["failures"]} == {
        ("import", "Line 3: not UTF-8."),
        ("embedding", "EmbedderUnavailable: no torch"),
    }

    import_job(project, status=ImportStatus.SUCCEEDED)
    job(project, JobKind.EMBED, JobStatus.SUCCEEDED)

    assert member.get(status_url(project)).json()["failures"] == []


def test_anonymous_cannot_read_a_status(api, project):
    assert api.get(status_url(project)).status_code in (401, 403)


def test_member_of_another_project_gets_404(api, project, make_member):
    other = ProjectFactory()
    client = api.as_user(make_member(Role.ADMIN, proj=other))
    import_job(project, status=ImportStatus.FAILED, error_message="secret file name")

    response = client.get(status_url(project))

    assert response.status_code == 404
    assert "secret" not in response.content.decode()


def test_projects_list_carries_each_projects_status(api):
    user = UserFactory()
    empty, importing = ProjectFactory(), ProjectFactory()
    for project in (empty, importing):
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    import_job(importing, status=ImportStatus.RUNNING, rows_seen=7)

    rows = api.as_user(user).get("/api/v1/projects/").json()["results"]

    phases = {row["id"]: row["status"]["phase"] for row in rows}
    assert phases == {empty.pk: "needs_items", importing.pk: "importing"}


@pytest.mark.parametrize("rows", [1, 25])
def test_projects_list_status_costs_the_same_queries_for_any_number_of_projects(
    api, django_assert_max_num_queries, rows
):
    user = UserFactory()
    for index in range(rows):
        project = ProjectFactory()
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
        AnnotationFactory(item=ItemFactory(project=project, split=Split.TRAIN), labels=["ham"])
        import_job(project, status=ImportStatus.SUCCEEDED)
        job(project, JobKind.EMBED, JobStatus.SUCCEEDED)
        job(project, JobKind.TRAIN, JobStatus.WAITING)
        if index % 2:
            model(project)

    client = api.as_user(user)

    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/projects/").json()

    assert len(body["results"]) == min(rows, 25)
    assert {row["status"]["phase"] for row in body["results"]} <= {"model_live", "needs_labels"}


def test_imported_labels_count_towards_the_first_model(member, project):
    for name in ("ham", "spam"):
        for _ in range(5):
            AnnotationFactory(
                item=ItemFactory(project=project, split=Split.TRAIN),
                labels=[name],
                source=AnnotationSource.IMPORT,
            )

    body = member.get(status_url(project)).json()

    assert body["phase"] == "ready_to_train"
