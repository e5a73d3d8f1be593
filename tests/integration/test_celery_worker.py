"""A real Celery worker process (on the configured broker: Redis in CI) runs an import."""

import time

import pytest
from celery.result import AsyncResult

from config.celery import app as celery_app
from labeling.choices import ImportStatus, Role
from labeling.models import ImportJob

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(start_worker):
    # Small batches so a 28k-row file reports progress many times.
    return start_worker(["default"], TANDEM_IMPORT_BATCH_SIZE="500")


def test_worker_runs_import_and_reports_progress(worker, api, make_member, dataset_path, tmp_path):
    sms = dataset_path("sms_spam_collection.tsv").read_text(encoding="utf-8").splitlines()
    header, rows = sms[0], [line for line in sms[1:] if line.strip()]
    # Five copies with distinct ids: 27,870 rows, enough for many progress reports.
    big = tmp_path / "sms-x5.tsv"
    with big.open("w", encoding="utf-8") as out:
        out.write(f"id\t{header}\n")
        for copy in range(5):
            for n, line in enumerate(rows):
                out.write(f"{copy}-{n}\t{line}\n")
    admin = make_member(Role.ADMIN)
    client = api.as_user(admin)
    project_id = admin.project_memberships.get().project_id
    with big.open("rb") as fh:
        response = client.post(
            f"/api/v1/projects/{project_id}/imports/", {"file": fh}, format="multipart"
        )
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]

    seen_progress: list[float] = []
    deadline = time.monotonic() + 180
    status = ""
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        body = client.get(f"/api/v1/projects/{project_id}/imports/{job_id}/").json()
        status = body["status"]
        seen_progress.append(body["progress"])
        if status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            break
        time.sleep(0.05)

    assert status == ImportStatus.SUCCEEDED, body
    assert body["rows_seen"] == 5 * len(rows)
    assert body["items_created"] == 5 * len(rows)
    assert body["annotations_created"] == 5 * len(rows)
    assert body["error_count"] == 0
    partial = [p for p in seen_progress if 0 < p < 1]
    assert partial, f"no intermediate progress was visible: {seen_progress[:5]}…"
    assert partial == sorted(partial), "progress went backwards"

    # Task state is visible through the result backend too.
    job = ImportJob.objects.get(pk=job_id)
    result = AsyncResult(job.task_id, app=celery_app)
    for _ in range(100):
        if result.state == "SUCCESS":
            break
        time.sleep(0.1)
    assert result.state == "SUCCESS"
    assert result.result["items_created"] == 5 * len(rows)
