"""Real texts, labels and MiniLM vectors for the label-quality benchmark (and its tests).

Vectors are cached in a temporary folder under a key made of the dataset file's SHA-256 and the
embedder's name and version, so a second run (or a test after the benchmark) reads them back in
a second instead of embedding ~30,000 texts again.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
SMS_FILE = "sms_spam_collection.tsv"
DAVIDSON_FILE = "davidson_hate_offensive.csv"
EMBEDDER = "minilm"


@dataclass
class LabeledTexts:
    name: str
    texts: list[str]
    labels: np.ndarray  # class index per text
    classes: list[str]
    # Davidson only: the crowd's votes per class (rows: texts, columns: classes).
    votes: np.ndarray | None
    path: Path


def sms(folder: Path = DATASETS) -> LabeledTexts:
    path = folder / SMS_FILE
    texts, labels = [], []
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            if "\t" not in line:
                continue
            label, text = line.rstrip("\n").split("\t", 1)
            texts.append(text)
            labels.append(1 if label == "spam" else 0)
    return LabeledTexts("sms", texts, np.asarray(labels), ["ham", "spam"], None, path)


def davidson(folder: Path = DATASETS) -> LabeledTexts:
    path = folder / DAVIDSON_FILE
    texts, labels, votes = [], [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["tweet"])
            labels.append(int(row["class"]))
            votes.append(
                [int(row["hate_speech"]), int(row["offensive_language"]), int(row["neither"])]
            )
    return LabeledTexts(
        "davidson",
        texts,
        np.asarray(labels),
        ["hate_speech", "offensive_language", "neither"],
        np.asarray(votes),
        path,
    )


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    return Path(os.environ.get("TANDEM_LABEL_QUALITY_CACHE") or tempfile.gettempdir()) / (
        "tandem-label-quality"
    )


def embeddings(data: LabeledTexts) -> np.ndarray:
    """MiniLM vectors of ``data.texts`` (float32, L2-normalised), cached by file hash."""
    from models_app.ml.embedders.registry import get_embedder

    embedder = get_embedder(EMBEDDER)
    key = f"{data.name}-{_file_digest(data.path)}-{embedder.key.replace('/', '_')}"
    target = cache_dir() / f"{key}.npy"
    if target.is_file():
        matrix = np.load(target)
        if matrix.shape[0] == len(data.texts):
            return matrix
    # Sorting by length keeps batches evenly padded (see the embedding measurements).
    order = np.argsort([len(t) for t in data.texts], kind="stable")
    sorted_vectors = embedder.embed([data.texts[i] for i in order], batch_size=64)
    matrix = np.empty_like(sorted_vectors)
    matrix[order] = sorted_vectors
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(partial, matrix)
    partial.replace(target)
    return matrix
