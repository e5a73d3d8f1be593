"""Shared set-up for the intake tests: a platform with a key and the key's header, images as
intake takes them, a text project with a model trained on SMS spam labels."""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

from labeling.choices import AnnotationSource
from labeling.models import Item, Project
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion
from models_app.services.registry import model_version_set_stage
from moderation.models import Platform
from tests.factories import ItemFactory, ProjectFactory
from tests.factories.learning import give_labels
from tests.factories.moderation import PlatformApiKeyFactory


def sms_rows(path: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """(label, text) rows of the SMS Spam Collection, in file order."""
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        rows = [(label, text) for label, text in reader if text.strip()]
    return rows[:limit] if limit else rows


def trained_project(sms_path: Path, *, n: int = 600) -> tuple[Project, ModelVersion]:
    """A text project (hashing embedder) with a production model trained on SMS spam labels."""
    project = ProjectFactory(embedder="hashing", retrain_every=0)
    labels = {}
    seen = set()
    for label, text in sms_rows(sms_path, n):
        if text in seen:
            continue
        seen.add(text)
        labels[ItemFactory(project=project, text=text).pk] = label
    give_labels(list(labels), labels)
    give_labels(
        list(Item.objects.filter(project=project, split__in=["dev", "test"]).values_list(
            "id", flat=True
        )),
        labels,
        source=AnnotationSource.IMPORT,
    )  # fmt: skip
    requested = project_training_request(project=project, trigger=JobTrigger.MANUAL)
    job = training_job_run(job_id=requested.pk)
    if job is None:  # already run: outside a test transaction the task runs on commit (eager)
        requested.refresh_from_db()
        job = requested
    assert job.status == JobStatus.SUCCEEDED, job.message
    version = ModelVersion.objects.get(owner=project.owner_key)
    if version.stage != Stage.PRODUCTION:
        version = model_version_set_stage(version=version, stage=Stage.PRODUCTION)
    return project, version


def platform_with_key(name: str = "Chatter", scopes=("intake", "reports")) -> tuple[Platform, str]:
    """A platform named ``name`` and the secret of its new key with ``scopes``."""
    api_key = PlatformApiKeyFactory(platform__name=name, scopes=list(scopes))
    return api_key.platform, api_key.key


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def png_bytes(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
