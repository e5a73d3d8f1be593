"""Stored snapshot files built in tests (a table with SNAPSHOT_SCHEMA in private storage and a
succeeded DatasetSnapshot row), so export tests need no snapshot cutting."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from core.files import file_store
from labeling.choices import JobState
from labeling.models import DatasetSnapshot, Project
from labeling.services.datasets.schema import SNAPSHOT_SCHEMA

LABELED_AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
SPLITS = ("train", "dev", "test")


def snapshot_row(item_id: int, **values: Any) -> dict[str, Any]:
    labels = values.pop("labels", ["ham"])
    row = {
        "id": item_id,
        "external_id": f"item-{item_id}",
        "text": f"text {item_id}",
        "image_name": None,
        "split": SPLITS[item_id % 3],
        "labels": labels,
        "label_source": "human" if labels else None,
        "resolution": "latest" if labels else "none",
        "is_automatic": False,
        "n_human": 1 if labels else 0,
        "n_import": 0,
        "n_moderation": 0,
        "n_appeal": 0,
        "n_auto": 0,
        "annotators": ["annotator-1"] if labels else [],
        "proposal_accepted": None,
        "proposed_by": None,
        "labeled_at": LABELED_AT if labels else None,
        "metadata": "{}",
        "content_hash": hashlib.sha256(str(item_id).encode()).hexdigest(),
        "is_audit": False,
    }
    row.update(values)
    return row


def sms_rows(dataset_path, limit: int = 300) -> list[dict[str, Any]]:
    """The first ``limit`` messages of the SMS spam collection (real text), labeled as the
    dataset labels them, with a few unlabeled and a few automatic ones among them."""
    rows = []
    with open(dataset_path("sms_spam_collection.tsv"), encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for index, (label, text) in enumerate(reader, start=1):
            if index > limit:
                break
            extra: dict[str, Any] = {}
            if index % 25 == 0:
                extra = {"labels": [], "annotators": []}
            elif index % 40 == 0:
                extra = {"label_source": "auto", "is_automatic": True, "n_human": 0, "n_auto": 1}
            rows.append(
                snapshot_row(
                    index,
                    labels=extra.pop("labels", [label]),
                    text=text,
                    external_id=f"sms-{index}",
                    metadata=json.dumps({"source": "sms", "n": index}, sort_keys=True),
                    **extra,
                )
            )
    return rows


def stored_snapshot(
    project: Project, rows: list[dict[str, Any]], *, number: int = 1, **fields: Any
) -> DatasetSnapshot:
    table = pa.Table.from_pylist(rows, schema=SNAPSHOT_SCHEMA)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=128)
    content = buffer.getvalue()
    name = file_store(folder=f"snapshots/{project.pk}", extension="parquet", content=content)
    manifest = {"snapshot": number, "project": project.pk, "counts": {"items": len(rows)}}
    manifest_sha = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()
    values: dict[str, Any] = {
        "project": project,
        "number": number,
        "state": JobState.SUCCEEDED,
        "file": name,
        "file_sha256": hashlib.sha256(content).hexdigest(),
        "manifest": manifest,
        "manifest_sha256": manifest_sha,
        "rows_total": len(rows),
        "rows_done": len(rows),
    }
    values.update(fields)
    return DatasetSnapshot.objects.create(**values)


DIGIT_CLASSES = ["zero", "one", "two"]


def digit_rows(project: Project, *, count: int = 45) -> list[dict[str, Any]]:
    """Real images: scikit-learn's handwritten digits 0-2 (8x8 scans shipped with it),
    rendered as 32x32 PNG files in private storage as item images are."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits(n_class=3)
    rows = []
    for index in range(count):
        pixels = (digits.images[index] * (255 / 16)).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels, mode="L").resize((32, 32)).save(buffer, format="PNG")
        name = file_store(folder=f"items/{project.pk}", extension="png", content=buffer.getvalue())
        item_id = 1000 + index
        labels = [] if index % 15 == 14 else [DIGIT_CLASSES[int(digits.target[index])]]
        rows.append(
            snapshot_row(item_id, text=None, image_name=name, labels=labels,
                         external_id=f"digit-{index}", annotators=["a"] if labels else [])
        )  # fmt: skip
    return rows
