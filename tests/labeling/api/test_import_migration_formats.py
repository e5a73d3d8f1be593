"""Uploading other tools' exports through the API: the format told from the file, the job's
report with what was skipped, and damaged files refused with a 400 before anything is stored."""

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.choices import Role
from labeling.models import ImportJob, Item
from tests.labeling.services.imports.migration_helpers import sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(api, project, make_member, django_capture_on_commit_callbacks):
    client = api.as_user(make_member(Role.ML_ENGINEER))
    url = f"/api/v1/projects/{project.pk}/imports/"

    def send(name: str, data: bytes, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url, {"file": SimpleUploadedFile(name, data), **fields}, format="multipart"
            )
        if response.status_code != 202:
            return response, None
        return response, client.get(f"{url}{response.json()['id']}/").json()

    return send


def test_a_label_studio_export_is_told_from_its_name_and_reports_skipped_tasks(post):
    (_, text1), (_, text2) = sms(2)
    tasks = [
        {"id": 1, "data": {"text": text1},
         "annotations": [{"completed_by": 1, "result": [
             {"type": "choices", "from_name": "c", "to_name": "text",
              "value": {"choices": ["spam"]}}]}]},
        {"id": 2, "data": {"text": text2}, "annotations": []},
    ]  # fmt: skip
    response, job = post("project-1-at-2024-05-01.json", json.dumps(tasks).encode())

    assert response.status_code == 202, response.json()
    assert job["format"] == "label_studio"
    assert job["status"] == "succeeded"
    assert job["items_created"] == 2
    assert job["annotations_created"] == 1
    assert job["skipped"] == {"task without annotations": 1}


def test_prodigy_lines_are_told_from_their_keys_and_an_explicit_format_wins(post):
    (_, text), *_ = sms(1)
    line = {"text": text, "label": "spam", "answer": "accept", "_input_hash": 5, "_task_hash": 6}
    _, job = post("db-out.jsonl", json.dumps(line).encode())
    assert job["format"] == "prodigy"

    _, job = post("db-out-2.jsonl", json.dumps(line).encode(), format="jsonl")
    assert job["format"] == "jsonl"


def test_damaged_files_are_refused_with_a_400_and_nothing_stored(post, project):
    out = io.BytesIO()
    pq.write_table(pa.table({"text": [t for _, t in sms(20)]}), out)
    content = out.getvalue()
    response, _ = post("train.parquet", content[:-100])
    assert response.status_code == 400
    assert "Parquet" in response.json()["message"]

    response, _ = post("export.json", b'{"id": 1, "data": {"text": "hi"}}')
    assert response.status_code == 400
    assert "JSON array of tasks" in response.json()["message"]

    assert not ImportJob.objects.filter(project=project).exists()
    assert not Item.objects.filter(project=project).exists()
