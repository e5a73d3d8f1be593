"""Reads of the evaluation view: a project's metadata fields (what can be a slice) and a
version's stored evaluation report."""

import json
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Length

from labeling.choices import DataType
from labeling.models import Item, Project
from models_app.models import ModelVersion

# Built-in slices, computed from the item itself rather than its metadata.
TEXT_LENGTH = "text_length"
BUILTIN_SLICES = {TEXT_LENGTH: DataType.TEXT}

# Metadata keys are read from this many of the newest items: enough to see every field an
# import writes, bounded so the request stays small on a project of millions of items.
KEY_SAMPLE = 2000
# A slice value is shown as text of at most this many characters.
SLICE_VALUE_MAX_CHARS = 100
ID_CHUNK = 5000
MAX_KEYS = 200


def project_metadata_keys(*, project: Project) -> list[str]:
    """The metadata field names of the project's newest items, sorted."""
    keys: set[str] = set()
    rows = (
        Item.objects.filter(project=project)
        .order_by("-id")
        .values_list("metadata", flat=True)[:KEY_SAMPLE]
    )
    for metadata in rows:
        if isinstance(metadata, dict):
            keys.update(str(key) for key in metadata)
            if len(keys) >= MAX_KEYS:
                break
    return sorted(keys)[:MAX_KEYS]


def project_model_versions_evaluated(*, project: Project) -> QuerySet[ModelVersion]:
    """The project's versions with their stored evaluation reports loaded."""
    return (
        ModelVersion.objects.filter(owner=project.owner_key)
        .select_related("created_by")
        .defer("held_out")
        .order_by("-version")
    )


def version_evaluation(*, version: ModelVersion) -> dict[str, Any]:
    """The API's view of a version's stored report: ``evaluation`` (None until evaluated),
    ``error`` (why the last evaluation failed) and the version's latest evaluation job."""
    from models_app.choices import JobKind
    from models_app.models import TrainingJob

    report = version.evaluation or {}
    job = (
        TrainingJob.objects.filter(
            owner=version.owner, kind=JobKind.EVALUATE, model_version=version
        )
        .select_related("model_version", "requested_by")
        .order_by("-created_at", "-id")
        .first()
    )
    return {
        "version_id": version.pk,
        "version": version.version,
        "evaluation": report if "schema" in report else None,
        "error": report.get("error"),
        "job": job,
    }


def evaluation_settings(*, project: Project) -> dict[str, Any]:
    """The slice fields declared, the ones that can be declared, and the built-in ones."""
    from models_app.ml.evaluation import MAX_SLICE_VALUES, MIN_SLICE_SUPPORT

    return {
        "slice_fields": list(project.slice_fields or []),
        "metadata_fields": project_metadata_keys(project=project),
        "builtin_fields": [
            name for name, kind in BUILTIN_SLICES.items() if kind == project.data_type
        ],
        "min_support": MIN_SLICE_SUPPORT,
        "max_values": MAX_SLICE_VALUES,
    }


def _shown(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text[:SLICE_VALUE_MAX_CHARS]


def held_out_slice_values(
    *, project: Project, item_ids: Sequence[int], fields: Sequence[str]
) -> dict[str, list[str | None]]:
    """Each field's value per item of ``item_ids`` (in that order; None: missing or the item is
    gone). ``text_length`` is the text's bucket (``models_app.ml.evaluation``)."""
    from models_app.ml.evaluation import text_length_bucket

    if not fields:
        return {}
    found: dict[int, tuple[dict[str, Any], int | None]] = {}  # id -> (metadata, text length)
    ids = [int(i) for i in item_ids]
    for start in range(0, len(ids), ID_CHUNK):
        rows = (
            Item.objects.filter(project=project, pk__in=ids[start : start + ID_CHUNK])
            .annotate(text_chars=Length("text"))
            .values_list("pk", "metadata", "text_chars")
        )
        for pk, stored, length in rows:
            found[pk] = (stored if isinstance(stored, dict) else {}, length)
    values: dict[str, list[str | None]] = {}
    for field in fields:
        column: list[str | None] = []
        for item_id in ids:
            metadata, chars = found.get(item_id) or ({}, None)
            if field == TEXT_LENGTH:
                column.append(text_length_bucket(chars))
            else:
                column.append(_shown(metadata.get(field)))
        values[field] = column
    return values
