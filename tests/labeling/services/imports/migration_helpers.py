"""Shared by the tests of imports from other tools: real SMS texts and a job run to its end."""

from __future__ import annotations

import csv

from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.models import ImportJob
from labeling.services.imports.jobs import import_job_create
from labeling.services.imports.run import import_job_run
from tests.factories import UserFactory
from tests.skips import dataset


def sms(count: int) -> list[tuple[str, str]]:
    """The first ``count`` distinct (label, text) rows of the SMS Spam Collection."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    with open(dataset("sms_spam_collection.tsv"), encoding="utf-8") as fh:
        for label, text in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if label == "Label" or text in seen:
                continue
            seen.add(text)
            rows.append((label, text))
            if len(rows) == count:
                break
    return rows


def run_import(project, name: str, data: bytes, **kwargs) -> ImportJob:
    job = import_job_create(
        project=project,
        created_by=UserFactory(),
        uploads=[SimpleUploadedFile(name, data)],
        enqueue=False,
        **kwargs,
    )
    return import_job_run(job_id=job.pk)


def messages(job: ImportJob) -> dict[int, str]:
    return {entry["line"]: entry["message"] for entry in job.errors}
