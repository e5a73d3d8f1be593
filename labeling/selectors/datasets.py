"""Reads of dataset snapshots: lists, one by number, the model versions trained on each, and
the difference between two (from their stored files, never from the live tables)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet

from core.exceptions import ApplicationError
from labeling.choices import JobState
from labeling.models import DatasetExport, DatasetSnapshot, Project
from models_app.models import ModelVersion

SNAPSHOT_KEY_PREFIX = "dataset-snapshot-"
DIFF_SAMPLE = 50


def snapshot_list(*, project: Project) -> QuerySet[DatasetSnapshot]:
    """The project's snapshots, newest first, with their creator and exports."""
    return (
        DatasetSnapshot.objects.filter(project=project)
        .select_related("created_by")
        .prefetch_related(Prefetch("exports", queryset=DatasetExport.objects.order_by("format")))
        .order_by("-number")
    )


def snapshot_get(*, project: Project, number: int) -> DatasetSnapshot:
    snapshot = snapshot_list(project=project).filter(number=number).first()
    if snapshot is None:
        raise ApplicationError(
            f"Snapshot {number} does not exist in this project.", status_code=404
        )
    return snapshot


def dataset_snapshot_numbers(*, owner: str) -> dict[str, int]:
    """``{model version snapshot id: snapshot number}`` for the snapshots of the project a
    models_app owner key names (``labeling.project:<id>``)."""
    try:
        project_id = int(owner.rsplit(":", 1)[-1])
    except ValueError:
        return {}
    return {
        f"{SNAPSHOT_KEY_PREFIX}{pk}": number
        for pk, number in DatasetSnapshot.objects.filter(project_id=project_id).values_list(
            "pk", "number"
        )
    }


def snapshot_model_versions(
    *, project: Project, snapshots: list[DatasetSnapshot]
) -> dict[int, list[dict[str, Any]]]:
    """``{snapshot id: [{id, version, stage}]}``: the model versions trained on each. One
    query."""
    keys = {f"{SNAPSHOT_KEY_PREFIX}{snapshot.pk}": snapshot.pk for snapshot in snapshots}
    found: dict[int, list[dict[str, Any]]] = {snapshot.pk: [] for snapshot in snapshots}
    versions = (
        ModelVersion.objects.filter(owner=project.owner_key, snapshot_id__in=list(keys))
        .order_by("version")
        .values_list("id", "version", "stage", "snapshot_id")
    )
    for version_id, number, stage, key in versions:
        found[keys[key]].append({"id": version_id, "version": number, "stage": stage})
    return found


def snapshot_newest_succeeded(*, project: Project) -> DatasetSnapshot | None:
    return (
        DatasetSnapshot.objects.filter(project=project, state=JobState.SUCCEEDED)
        .order_by("-number")
        .first()
    )


# --- diff ---------------------------------------------------------------------------------------


def _read(snapshot: DatasetSnapshot, columns: list[str], filters: Any = None) -> Any:
    import pyarrow.parquet as pq

    if snapshot.state != JobState.SUCCEEDED or not snapshot.file:
        raise ApplicationError(
            f"Snapshot {snapshot.number} is {snapshot.state}; only cut snapshots can be compared.",
            status_code=409,
        )
    with default_storage.open(str(snapshot.file.name), "rb") as fh:
        return pq.read_table(fh, columns=columns, filters=filters)


def _class_counts(labels: Any) -> dict[str, int]:
    import pyarrow.compute as pc

    flat = pc.list_flatten(labels)
    if len(flat) == 0:
        return {}
    counts = pc.value_counts(flat).to_pylist()
    return dict(sorted((entry["values"], entry["counts"]) for entry in counts))


def snapshot_diff(*, a: DatasetSnapshot, b: DatasetSnapshot) -> dict[str, Any]:
    """How snapshot ``b`` differs from ``a``, read from their stored files (item ids and labels
    only): items added, removed, relabeled and unchanged, the label distribution of each kind
    and of both snapshots, and up to ``DIFF_SAMPLE`` examples of each kind (in item order) with
    their external ids and labels before and after."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    table_a = _read(a, ["id", "labels"])
    table_b = _read(b, ["id", "labels"])
    ids_a = table_a.column("id").to_numpy()
    ids_b = table_b.column("id").to_numpy()
    labels_a = table_a.column("labels").combine_chunks()
    labels_b = table_b.column("labels").combine_chunks()
    _common, in_a, in_b = np.intersect1d(ids_a, ids_b, assume_unique=True, return_indices=True)
    keys_a = pc.binary_join(labels_a.take(pa.array(in_a)), "\x1f")
    keys_b = pc.binary_join(labels_b.take(pa.array(in_b)), "\x1f")
    changed = pc.not_equal(keys_a, keys_b).to_numpy(zero_copy_only=False)
    removed_at = np.flatnonzero(~np.isin(ids_a, ids_b, assume_unique=True))
    added_at = np.flatnonzero(~np.isin(ids_b, ids_a, assume_unique=True))
    kinds: dict[str, dict[str, Any]] = {
        "added": {"rows_b": added_at},
        "removed": {"rows_a": removed_at},
        "relabeled": {"rows_a": in_a[changed], "rows_b": in_b[changed]},
        "unchanged": {"rows_a": in_a[~changed], "rows_b": in_b[~changed]},
    }
    samples: dict[int, dict[str, Any]] = {}
    result: dict[str, Any] = {
        "a": {"number": a.number, "items": len(ids_a)},
        "b": {"number": b.number, "items": len(ids_b)},
        "distribution": {"a": _class_counts(labels_a), "b": _class_counts(labels_b)},
    }
    for kind, rows in kinds.items():
        rows_a: Any = rows.get("rows_a")
        rows_b: Any = rows.get("rows_b")
        count = len(rows_a) if rows_a is not None else len(rows_b)
        entry: dict[str, Any] = {"count": int(count)}
        # Labels after the change (before it, for removed items).
        after = labels_b.take(pa.array(rows_b)) if rows_b is not None else None
        before = labels_a.take(pa.array(rows_a)) if rows_a is not None else None
        entry["classes"] = _class_counts(after if after is not None else before)
        if kind != "unchanged":
            sample = []
            for n in range(min(count, DIFF_SAMPLE)):
                item_id = int(ids_b[rows_b[n]] if rows_b is not None else ids_a[rows_a[n]])
                row = {
                    "id": item_id,
                    "external_id": "",
                    "before": before[n].as_py() if before is not None else None,
                    "after": after[n].as_py() if after is not None else None,
                }
                samples[item_id] = row
                sample.append(row)
            entry["sample"] = sample
        result[kind] = entry
    if samples:
        ids = pa.array(sorted(samples), type=pa.int64())
        for snapshot in (a, b):
            names = _read(snapshot, ["id", "external_id"], filters=pc.field("id").isin(ids))
            for item_id, external_id in zip(
                names.column("id").to_pylist(), names.column("external_id").to_pylist(),
                strict=True,
            ):  # fmt: skip
                samples[item_id]["external_id"] = external_id
    return result
