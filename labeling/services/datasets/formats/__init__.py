"""Export formats of a dataset snapshot, written from its stored Parquet file alone.

Pure pyarrow and zipfile (no Django): ``export_write(fmt=…, source=…, out=…)`` writes one zip
to ``out`` and returns the SHA-256 of every file in it. The same stored file gives the same
bytes (``zips.StagedZip``): an export of a snapshot is byte-identical whenever it is made.

Every zip holds ``manifest.json``: ``{"format", "files": {path: SHA-256}, "details",
"snapshot": <the snapshot's manifest>, "snapshot_manifest_sha256"}``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labeling.services.datasets.formats.columnar import write_parquet
from labeling.services.datasets.formats.hf import write_hf
from labeling.services.datasets.formats.imagefolder import imagefolder_problem, write_imagefolder
from labeling.services.datasets.formats.source import ExportError, ExportSource, Progress
from labeling.services.datasets.formats.text import write_csv, write_jsonl
from labeling.services.datasets.formats.zips import StagedZip

EXPORT_VERSION = 1


def _jsonl(source: ExportSource, staging: StagedZip, progress: Progress) -> dict[str, Any]:
    write_jsonl(source, staging.path("data.jsonl"), progress)
    return {}


def _csv(source: ExportSource, staging: StagedZip, progress: Progress) -> dict[str, Any]:
    write_csv(source, staging.path("data.csv"), progress)
    return {}


WRITERS: dict[str, Callable[[ExportSource, Any, Progress], dict[str, Any]]] = {
    "jsonl": _jsonl,
    "csv": _csv,
    "parquet": write_parquet,
    "hf": write_hf,
    "imagefolder": write_imagefolder,
}


def format_problem(*, fmt: str, data_type: str, multilabel: bool) -> str | None:
    """Why a project of this kind cannot have ``fmt`` (None when it can)."""
    if fmt not in WRITERS:
        return f"Unknown export format {fmt!r}; choose one of {', '.join(WRITERS)}."
    if fmt == "imagefolder":
        return imagefolder_problem(data_type=data_type, multilabel=multilabel)
    return None


def export_file_name(*, project_id: int, number: int, fmt: str) -> str:
    return f"snapshot-{project_id}-{number}-{fmt}.zip"


@dataclass(frozen=True)
class ExportResult:
    files: dict[str, str]  # {path in the zip: SHA-256}, manifest.json included
    details: dict[str, Any]


def export_write(
    *, fmt: str, source: ExportSource, out: Path, progress: Progress | None = None
) -> ExportResult:
    """Write the ``fmt`` export of ``source`` to ``out`` (a zip). Staging files live in a
    temporary folder removed on return, whatever happens. Raises ``ExportError`` when the
    snapshot cannot be exported so."""
    problem = format_problem(fmt=fmt, data_type=source.data_type, multilabel=source.multilabel)
    if problem:
        raise ExportError(problem)
    with tempfile.TemporaryDirectory(prefix="tandem-export-") as folder:
        staging = StagedZip(Path(folder))
        details = WRITERS[fmt](source, staging, progress or (lambda done: None))
        return export_finish(fmt=fmt, source=source, staging=staging, details=details, out=out)


def export_finish(
    *, fmt: str, source: ExportSource, staging: StagedZip, details: dict[str, Any], out: Path
) -> ExportResult:
    """The zip of the files ``staging`` holds, with the export's manifest, written to ``out``."""
    manifest = {
        "tandem_export": EXPORT_VERSION,
        "format": fmt,
        "details": details,
        "snapshot": source.manifest,
        "snapshot_manifest_sha256": source.manifest_sha256,
    }
    files = staging.finish(out, manifest)
    return ExportResult(files=files, details=details)


__all__ = [
    "ExportError",
    "ExportResult",
    "ExportSource",
    "export_file_name",
    "export_finish",
    "export_write",
    "format_problem",
]
