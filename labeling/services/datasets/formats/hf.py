"""The Hugging Face dataset layout, zipped:

    README.md                                  dataset card (YAML front matter + prose)
    data/train-00000-of-00001.parquet          one file per split that has rows
    data/validation-00000-of-00001.parquet     (Tandem's "dev" split)
    data/test-00000-of-00001.parquet
    manifest.json

Unzipped, ``datasets.load_dataset("parquet", data_dir=…)`` and ``datasets.load_dataset(…dir…)``
read it with ``ClassLabel`` features (kept in each file's schema metadata and in the card).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import nh3
import pyarrow as pa
import pyarrow.compute as pc

from labeling.services.datasets.formats.columnar import (
    HF_SPLIT_NAMES,
    output_schema,
    write_split_files,
)
from labeling.services.datasets.formats.source import (
    SPLITS,
    ExportSource,
    Progress,
    label_dictionary,
    split_of,
)

DATA_FILE = "data/{split}-00000-of-00001.parquet"


def _q(value: str) -> str:
    """A YAML scalar that is always a string: JSON's double-quoted form is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def _yaml_feature(name: str, feature: dict[str, Any], indent: str) -> list[str]:
    kind = feature["_type"]
    lines = [f"{indent}- name: {_q(name)}"]
    if kind == "Image":
        lines.append(f"{indent}  dtype: image")
    elif kind == "ClassLabel":
        lines += [f"{indent}  dtype:", f"{indent}    class_label:", f"{indent}      names:"]
        lines += [f"{indent}        {_q(str(i))}: {_q(n)}" for i, n in enumerate(feature["names"])]
    elif kind == "List" and feature["feature"]["_type"] == "ClassLabel":
        lines += [f"{indent}  list:", f"{indent}    class_label:", f"{indent}      names:"]
        names = feature["feature"]["names"]
        lines += [f"{indent}        {_q(str(i))}: {_q(n)}" for i, n in enumerate(names)]
    elif kind == "List":
        lines.append(f"{indent}  list: {_q(feature['feature']['dtype'])}")
    else:
        lines.append(f"{indent}  dtype: {_q(feature['dtype'])}")
    return lines


def _counts(values: pa.Array) -> Counter[str]:
    return Counter({row["values"]: row["counts"] for row in pc.value_counts(values).to_pylist()})


def _statistics(source: ExportSource) -> dict[str, Any]:
    """Rows per split, labels per class and split, label sources, resolutions, automatic and
    unlabeled rows: counted by pyarrow, batch by batch."""
    by_split: Counter[str] = Counter()
    classes: dict[str, Counter[str]] = {split: Counter() for split in SPLITS}
    sources: Counter[str] = Counter()
    resolutions: Counter[str] = Counter()
    automatic = unlabeled = 0
    columns = ["split", "labels", "label_source", "resolution", "is_automatic"]
    for batch in source.batches(columns=columns):
        by_split.update(_counts(batch.column("split")))
        for split in SPLITS:
            labels = split_of(batch, split).column("labels")
            classes[split].update(_counts(labels.flatten()))
        sources.update(_counts(batch.column("label_source").fill_null("none")))
        resolutions.update(_counts(batch.column("resolution")))
        automatic += pc.sum(batch.column("is_automatic").cast(pa.int64())).as_py() or 0
        lengths = batch.column("labels").value_lengths().fill_null(0)
        unlabeled += pc.sum(pc.equal(lengths, 0).cast(pa.int64())).as_py() or 0
    return {"splits": by_split, "classes": classes, "sources": sources,
            "resolutions": resolutions, "automatic": automatic, "unlabeled": unlabeled}  # fmt: skip


def _text(value: str) -> str:
    """Text from people, shown in Markdown: no HTML gets through."""
    return nh3.clean(value or "", tags=set())


def dataset_card(
    source: ExportSource, *, classes: list[str], stats: dict[str, Any], files: dict[str, str]
) -> str:
    schema = output_schema(source, hf=True, classes=classes)
    features = json.loads(schema.metadata[b"huggingface"])["info"]["features"]
    lines = ["---", "configs:", "- config_name: default", "  data_files:"]
    for split, path in files.items():
        lines += [f"  - split: {HF_SPLIT_NAMES[split]}", f"    path: {_q(path)}"]
    lines += ["dataset_info:", "  features:"]
    for name, feature in features.items():
        lines += _yaml_feature(name, feature, "  ")
    lines += ["---", ""]
    label_column = "labels" if source.multilabel else "label"
    content = "image" if source.is_image else "text"
    lines += [
        f"# {_text(source.project_name)} — snapshot {source.number}",
        "",
        f"Dataset snapshot {source.number} of Tandem project {source.project_id}, exported as a "
        "Hugging Face dataset (Parquet, one file per split).",
        "",
        f"- Snapshot manifest SHA-256: `{source.manifest_sha256}`",
        f"- Task: {'multilabel' if source.multilabel else 'single-label'} {source.data_type} "
        f"classification; input column `{content}`, label column `{label_column}` (ClassLabel"
        + ("" if source.multilabel else "; -1 when unlabeled")
        + ")",
        "",
        "```python",
        "import datasets",
        'dataset = datasets.load_dataset("parquet", data_dir="<this folder>")',
        "```",
        "",
        "## Label names",
        "",
    ]
    lines += [f"{index}. `{_text(name)}`" for index, name in enumerate(classes)]
    lines += ["", "## Splits", "", "| split | examples |", "|---|---|"]
    lines += [
        f"| {HF_SPLIT_NAMES[s]} | {stats['splits'][s]} |" for s in SPLITS if stats["splits"][s]
    ]
    lines += [
        "",
        "## Label distribution",
        "",
        "| label | " + " | ".join(HF_SPLIT_NAMES[s] for s in SPLITS if stats["splits"][s]) + " |",
    ]
    shown = [s for s in SPLITS if stats["splits"][s]]
    lines.append("|---|" + "---|" * len(shown))
    for name in classes:
        lines.append(
            f"| `{_text(name)}` | "
            + " | ".join(str(stats["classes"][s][name]) for s in shown)
            + " |"
        )
    lines += [
        "",
        f"Unlabeled examples: {stats['unlabeled']}.",
        "",
        "## Provenance",
        "",
        "| label source | examples |",
        "|---|---|",
    ]
    lines += [f"| {_text(k)} | {v} |" for k, v in sorted(stats["sources"].items())]
    lines += ["", "| resolution | examples |", "|---|---|"]
    lines += [f"| {_text(k)} | {v} |" for k, v in sorted(stats["resolutions"].items())]
    lines += [
        "",
        f"Automatic labels (auto-labels or automatic decisions): {stats['automatic']}.",
        "",
    ]
    guidelines = _text(source.guidelines).strip()
    lines += ["## Guidelines", "", guidelines or "_None were written._", ""]
    return "\n".join(lines)


def write_hf(source: ExportSource, staging: Any, progress: Progress) -> dict[str, Any]:
    files = {split: DATA_FILE.format(split=HF_SPLIT_NAMES[split]) for split in SPLITS}
    rows = write_split_files(
        source, hf=True, path_for=lambda split: staging.path(files[split]), progress=progress
    )
    classes = label_dictionary(source)
    stats = _statistics(source)
    card = dataset_card(
        source, classes=classes, stats=stats, files={s: files[s] for s in SPLITS if s in rows}
    )
    staging.path("README.md").write_text(card, encoding="utf-8")
    return {"splits": {HF_SPLIT_NAMES[s]: n for s, n in rows.items()}}
