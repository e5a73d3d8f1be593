"""Requesting and downloading snapshot exports through the API: who may, and what bad
requests get (a clear 4xx, nothing stored)."""

import hashlib
import io
import zipfile

import pytest

from core.models import AuditEvent
from labeling.choices import DataType, JobState, Role, TaskType
from labeling.models import DatasetExport
from tests.factories import ProjectFactory, UserFactory
from tests.labeling.datasets.snapshot_files import snapshot_row, stored_snapshot

pytestmark = pytest.mark.django_db


def url(project_id, number):
    return f"/api/v1/projects/{project_id}/snapshots/{number}/exports/"


def download_url(project_id, number, fmt):
    return f"/api/v1/projects/{project_id}/snapshots/{number}/exports/{fmt}/download/"


@pytest.fixture
def snapshot(project):
    rows = [snapshot_row(i, labels=[["ham"], ["spam"]][i % 2]) for i in range(1, 31)]
    return stored_snapshot(project, rows)


def request_export(client, snapshot, fmt, capture):
    with capture(execute=True):
        return client.post(
            url(snapshot.project_id, snapshot.number), {"format": fmt}, format="json"
        )


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ML_ENGINEER])
def test_data_roles_export_and_download_the_same_bytes_as_recorded(
    api, make_member, snapshot, role, django_capture_on_commit_callbacks
):
    client = api.as_user(make_member(role))
    response = request_export(client, snapshot, "parquet", django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    # The job ran after the commit; the export is then written and downloadable.
    detail = client.post(url(snapshot.project_id, 1), {"format": "parquet"}, format="json")
    assert detail.status_code == 200
    body = detail.json()
    assert body["state"] == JobState.SUCCEEDED
    assert body["progress"] == 1.0
    assert body["rows_total"] == 30
    assert body["download_url"] == download_url(snapshot.project_id, 1, "parquet")
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert f"snapshot-{snapshot.project_id}-1-parquet.zip" in download["Content-Disposition"]
    payload = streamed(download)
    assert hashlib.sha256(payload).hexdigest() == body["sha256"]
    assert len(payload) == body["size_bytes"]
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        assert "manifest.json" in archive.namelist()
    event = AuditEvent.objects.get(action="dataset_export.create")
    assert event.after == {"snapshot": 1, "format": "parquet"}
    assert event.scope == f"labeling.project:{snapshot.project_id}"


def test_requesting_again_does_not_queue_a_second_job(
    api, make_member, snapshot, django_capture_on_commit_callbacks
):
    client = api.as_user(make_member(Role.ADMIN))
    assert (
        request_export(client, snapshot, "jsonl", django_capture_on_commit_callbacks).status_code
        == 202
    )
    again = request_export(client, snapshot, "jsonl", django_capture_on_commit_callbacks)
    assert again.status_code == 200
    assert DatasetExport.objects.filter(snapshot=snapshot).count() == 1
    assert AuditEvent.objects.filter(action="dataset_export.create").count() == 1


def test_a_failed_export_can_be_requested_again(
    api, make_member, snapshot, django_capture_on_commit_callbacks
):
    client = api.as_user(make_member(Role.ADMIN))
    DatasetExport.objects.create(
        snapshot=snapshot, format="csv", state=JobState.FAILED, error_message="worker lost"
    )
    response = request_export(client, snapshot, "csv", django_capture_on_commit_callbacks)
    assert response.status_code == 202
    export = DatasetExport.objects.get(snapshot=snapshot, format="csv")
    assert export.state == JobState.SUCCEEDED
    assert export.error_message == ""
    assert export.file_name == f"snapshot-{snapshot.project_id}-1-csv.zip"


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.MODERATOR, Role.SENIOR_MODERATOR])
def test_other_roles_may_neither_export_nor_download(
    api, make_member, snapshot, role, django_capture_on_commit_callbacks
):
    admin = api.as_user(make_member(Role.ADMIN))
    request_export(admin, snapshot, "jsonl", django_capture_on_commit_callbacks)
    client = api.as_user(make_member(role))
    response = request_export(client, snapshot, "csv", django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert client.get(download_url(snapshot.project_id, 1, "jsonl")).status_code == 403
    assert not DatasetExport.objects.filter(format="csv").exists()


def test_other_projects_and_anonymous_callers_are_refused(
    api, make_member, snapshot, django_capture_on_commit_callbacks
):
    admin = api.as_user(make_member(Role.ADMIN))
    request_export(admin, snapshot, "jsonl", django_capture_on_commit_callbacks)
    other_project = ProjectFactory()
    outsider = api.as_user(make_member(Role.ADMIN, proj=other_project))
    assert (
        request_export(outsider, snapshot, "csv", django_capture_on_commit_callbacks).status_code
        == 404
    )
    assert outsider.get(download_url(snapshot.project_id, 1, "jsonl")).status_code == 404
    api.logout()
    assert api.post(url(snapshot.project_id, 1), {"format": "csv"}, format="json").status_code in (
        401,
        403,
    )
    assert api.get(download_url(snapshot.project_id, 1, "jsonl")).status_code in (401, 403)
    assert DatasetExport.objects.filter(snapshot=snapshot).count() == 1


def test_a_superuser_may_export_any_project(api, snapshot, django_capture_on_commit_callbacks):
    client = api.as_user(UserFactory(is_superuser=True, is_staff=True))
    assert (
        request_export(client, snapshot, "hf", django_capture_on_commit_callbacks).status_code
        == 202
    )


@pytest.mark.parametrize(
    "body", [{"format": "xlsx"}, {}, {"format": ["parquet"]}, {"format": None}]
)
def test_unknown_formats_are_refused_and_nothing_is_stored(
    api, make_member, snapshot, body, django_capture_on_commit_callbacks
):
    client = api.as_user(make_member(Role.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(snapshot.project_id, 1), body, format="json")
    assert response.status_code == 400
    assert not DatasetExport.objects.exists()


def test_imagefolder_of_a_text_project_is_refused(
    api, make_member, snapshot, django_capture_on_commit_callbacks
):
    client = api.as_user(make_member(Role.ADMIN))
    response = request_export(client, snapshot, "imagefolder", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "image projects" in response.json()["message"]
    assert not DatasetExport.objects.exists()


def test_imagefolder_of_a_multilabel_image_project_is_refused(
    api, make_member, django_capture_on_commit_callbacks
):
    project = ProjectFactory(data_type=DataType.IMAGE, task_type=TaskType.MULTILABEL)
    snapshot = stored_snapshot(project, [snapshot_row(1, text=None)])
    client = api.as_user(make_member(Role.ADMIN, proj=project))
    response = request_export(client, snapshot, "imagefolder", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "one label per image" in response.json()["message"]
    assert not DatasetExport.objects.exists()


@pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING, JobState.FAILED])
def test_a_snapshot_not_cut_yet_cannot_be_exported(
    api, make_member, project, state, django_capture_on_commit_callbacks
):
    snapshot = stored_snapshot(project, [snapshot_row(1)], state=state)
    client = api.as_user(make_member(Role.ADMIN))
    response = request_export(client, snapshot, "jsonl", django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert state in response.json()["message"]
    assert not DatasetExport.objects.exists()


def test_unknown_snapshots_and_unwritten_exports_are_not_found(
    api, make_member, snapshot, django_capture_on_commit_callbacks
):
    client = api.as_user(make_member(Role.ADMIN))
    assert (
        request_export(client, snapshot, "csv", django_capture_on_commit_callbacks).status_code
        == 202
    )
    missing = client.post(url(snapshot.project_id, 99), {"format": "csv"}, format="json")
    assert missing.status_code == 404
    assert client.get(download_url(snapshot.project_id, 1, "jsonl")).status_code == 404
    assert client.get(download_url(snapshot.project_id, 1, "xlsx")).status_code == 404
    DatasetExport.objects.create(snapshot=snapshot, format="hf", state=JobState.RUNNING)
    running = client.get(download_url(snapshot.project_id, 1, "hf"))
    assert running.status_code == 409
    assert running.json()["extra"]["state"] == JobState.RUNNING


def test_download_goes_through_the_web_server_when_configured(
    api, make_member, snapshot, settings, django_capture_on_commit_callbacks
):
    settings.TANDEM_FILES_X_ACCEL_REDIRECT = "/_protected/"
    client = api.as_user(make_member(Role.ML_ENGINEER))
    request_export(client, snapshot, "jsonl", django_capture_on_commit_callbacks)
    response = client.get(download_url(snapshot.project_id, 1, "jsonl"))
    assert response.status_code == 200
    export = DatasetExport.objects.get(snapshot=snapshot)
    assert response["X-Accel-Redirect"] == f"/_protected/{export.file.name}"
    assert "attachment" in response["Content-Disposition"]


def test_the_command_writes_the_export_and_prints_its_hash(project, snapshot, tmp_path):
    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "snapshot_export", project=project.pk, snapshot=1, format="parquet", out=tmp_path,
        stdout=out,
    )  # fmt: skip
    export = DatasetExport.objects.get(snapshot=snapshot, format="parquet")
    written = (tmp_path / export.file_name).read_bytes()
    assert hashlib.sha256(written).hexdigest() == export.sha256
    assert f"{export.sha256}  {export.file_name}" in out.getvalue()
    # Again: the same export, not a second one.
    call_command("snapshot_export", project=project.pk, snapshot=1, format="parquet", stdout=out)
    assert DatasetExport.objects.filter(snapshot=snapshot).count() == 1


def test_the_command_refuses_what_the_api_refuses(project, snapshot):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="image projects"):
        call_command("snapshot_export", project=project.pk, snapshot=1, format="imagefolder")
    with pytest.raises(CommandError, match="no snapshot 7"):
        call_command("snapshot_export", project=project.pk, snapshot=7, format="csv")
    assert not DatasetExport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_export_requested_while_the_broker_is_down_is_sent_again_later(
    api, make_member, snapshot, caplog
):
    from datetime import timedelta

    from django.utils import timezone

    from labeling.tasks import jobs_resend_unsent
    from tests.broker import broker_unreachable

    client = api.as_user(make_member(Role.ML_ENGINEER))
    with broker_unreachable():
        response = client.post(url(snapshot.project_id, 1), {"format": "parquet"}, format="json")
    assert response.status_code == 202
    export = DatasetExport.objects.get(snapshot=snapshot)
    assert (export.state, export.task_id) == (JobState.QUEUED, "")
    assert "Could not queue labeling.tasks.dataset_export_run_task" in caplog.text
    assert jobs_resend_unsent()["exports"] == 0  # the send is given a minute
    DatasetExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    assert jobs_resend_unsent()["exports"] == 1  # tasks run eagerly here: it is written now
    export.refresh_from_db()
    assert export.state == JobState.SUCCEEDED
    assert export.task_id
    assert jobs_resend_unsent()["exports"] == 0
