"""ImageFolder zip (image projects with one label per image):

    train/<label>/<item id>.<ext>      the image's bytes
    train/metadata.csv                 file_name (relative to the split folder) + provenance
    dev/…  test/…                      the same for each split that has labeled images
    manifest.json

``datasets.load_dataset("imagefolder", data_dir=…)`` reads it (``dev`` becomes the validation
split). With a metadata file present, ``datasets`` (5.x) takes the columns from it and no
longer infers a label from the folder, so ``metadata.csv`` carries ``label`` (the class code,
an integer: no spreadsheet escaping can change it) and ``label_name``;
``dataset.cast_column("label", ClassLabel(names=manifest["details"]["classes"]))`` makes it a
ClassLabel. Folder names are the class
names when they are safe as a path segment, else ``class-<code>`` (the manifest's
``label_folders`` maps each folder to its class). Unlabeled items are left out (their count is
in the manifest as ``unlabeled_left_out``): in an ImageFolder every folder is a class, so an
"unlabeled" folder would be read as one.
"""

from __future__ import annotations

import csv
import re
from typing import Any

from core.spreadsheet import csv_cell
from labeling.services.datasets.formats.source import (
    SPLITS,
    ExportError,
    ExportSource,
    Progress,
    image_file_name,
    label_dictionary,
)

_SAFE_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.+-]{0,99}$")
METADATA_COLUMNS = [
    "file_name", "label", "label_name", "id", "external_id", "label_source", "resolution",
    "is_automatic", "n_human", "n_import", "n_moderation", "n_appeal", "n_auto", "annotators",
    "proposal_accepted", "proposed_by", "labeled_at", "content_hash", "is_audit",
]  # fmt: skip


def label_folders(classes: list[str]) -> dict[str, str]:
    """{class name: folder}: the name itself when it is a safe, unique path segment (case
    folded, as some file systems compare), else ``class-<code>``."""
    folders: dict[str, str] = {}
    taken: set[str] = set()
    for code, name in enumerate(classes):
        folder = name if _SAFE_FOLDER.match(name) and not name.endswith(".") else f"class-{code}"
        if folder.casefold() in taken:
            folder = f"class-{code}"
        taken.add(folder.casefold())
        folders[name] = folder
    return folders


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return csv_cell("|".join(value))
    if isinstance(value, str):
        return csv_cell(value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return value


def imagefolder_problem(*, data_type: str, multilabel: bool) -> str | None:
    if data_type != "image":
        return (
            "ImageFolder is for image projects; export a text project as jsonl, csv, parquet or hf."
        )
    if multilabel:
        return (
            "ImageFolder holds one label per image (its folder); export a multilabel project as "
            "parquet or hf."
        )
    return None


def write_imagefolder(source: ExportSource, staging: Any, progress: Progress) -> dict[str, Any]:
    problem = imagefolder_problem(data_type=source.data_type, multilabel=source.multilabel)
    if problem:
        raise ExportError(problem)
    classes = label_dictionary(source)
    folders = label_folders(classes)
    codes = {name: code for code, name in enumerate(classes)}
    handles: dict[str, Any] = {}
    writers: dict[str, Any] = {}
    counts: dict[str, int] = {}
    left_out = 0
    done = 0
    try:
        for batch in source.batches():
            rows = batch.to_pydict()
            for index, item_id in enumerate(rows["id"]):
                labels = rows["labels"][index]
                split = rows["split"][index]
                if not labels or split not in SPLITS:
                    left_out += 1
                    continue
                name = image_file_name(item_id, rows["image_name"][index])
                relative = f"{folders[labels[0]]}/{name}"
                payload = source.image_bytes(rows["image_name"][index], item_id=item_id)
                staging.path(f"{split}/{relative}").write_bytes(payload)
                if split not in writers:
                    handles[split] = staging.path(f"{split}/metadata.csv").open(
                        "w", encoding="utf-8", newline=""
                    )
                    writers[split] = csv.writer(handles[split], lineterminator="\r\n")
                    writers[split].writerow(METADATA_COLUMNS)
                provenance = [_cell(rows[column][index]) for column in METADATA_COLUMNS[3:]]
                writers[split].writerow([relative, codes[labels[0]], _cell(labels[0]), *provenance])
                counts[split] = counts.get(split, 0) + 1
            done += batch.num_rows
            progress(done)
    finally:
        for handle in handles.values():
            handle.close()
    return {
        "splits": {split: counts[split] for split in SPLITS if split in counts},
        "classes": classes,
        "unlabeled_left_out": left_out,
        "label_folders": {folder: name for name, folder in folders.items()},
    }
