"""The labels a training run learns from and is measured on, frozen when it starts."""

import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np

from labeling.choices import HUMAN_SOURCES, AnnotationSource, TaskType
from labeling.models import Project
from labeling.selectors.learning import latest_labels


@dataclass
class Snapshot:
    """The labels one run learns from and is measured on, frozen at its start."""

    item_ids: np.ndarray
    labels: list[list[str]]
    splits: np.ndarray
    is_audit: np.ndarray
    human: np.ndarray  # False for automatic labels (only present when the project trains on them)
    sources: np.ndarray  # each label's annotation source (an adjudicated label counts as human)
    hash: str

    def __len__(self) -> int:
        return len(self.item_ids)


def training_snapshot(*, project: Project, classes: list[str]) -> Snapshot:
    """Each labeled item once, with its gold label: the adjudicated label when there is one;
    else, when several people labeled it, their majority label set; else its latest human
    label (automatic labels only when the project trains on them, and never over a human one).
    See ``latest_labels``. Labels of classes that no longer exist are dropped; a single-label
    project keeps one label per item. The hash covers item ids, splits and labels in item
    order, so the same labels always give the same hash."""
    sources: tuple[str, ...] = HUMAN_SOURCES
    if project.train_on_auto_labels:
        sources = (*HUMAN_SOURCES, AnnotationSource.AUTO)
    known = set(classes)
    single = project.task_type != TaskType.MULTILABEL
    rows = []
    for item_id, labels, split, is_audit, source in latest_labels(project=project, sources=sources):
        kept = [label for label in dict.fromkeys(labels) if label in known]
        if not kept:
            continue
        rows.append((item_id, kept[:1] if single else sorted(kept), split, is_audit, source))
    rows.sort(key=lambda row: row[0])
    digest = hashlib.sha256()
    for item_id, labels, split, _audit, _source in rows:
        digest.update(f"{item_id}\t{split}\t{'|'.join(labels)}\n".encode())
    return Snapshot(
        item_ids=np.asarray([row[0] for row in rows], dtype=np.int64),
        labels=[row[1] for row in rows],
        splits=np.asarray([row[2] for row in rows], dtype=object),
        is_audit=np.asarray([row[3] for row in rows], dtype=bool),
        human=np.asarray([row[4] != AnnotationSource.AUTO for row in rows], dtype=bool),
        sources=np.asarray([str(row[4]) for row in rows], dtype=object),
        hash=digest.hexdigest(),
    )


def class_counts(labels: list[list[str]]) -> Counter[str]:
    return Counter(label for item_labels in labels for label in item_labels)


def waiting_message(*, counts: Counter[str], classes: list[str], minimum: int) -> str:
    so_far = ", ".join(f"{name} {counts[name]}" for name in classes if counts[name]) or "none"
    present = [name for name in classes if counts[name]]
    if len(present) < 2:
        head = (
            "Training needs labels of at least two classes; "
            + (
                f"only '{present[0]}' is labeled so far"
                if present
                else "no item of the train split is labeled yet"
            )
            + f" ({so_far})."
        )
    else:
        head = (
            f"Training starts when at least two classes have {minimum} labels each on the train "
            f"split; so far: {so_far}."
        )
    return (
        f"{head} Items of the dev and test splits only measure the model. Until then the queue "
        "offers a diverse selection of items."
    )
