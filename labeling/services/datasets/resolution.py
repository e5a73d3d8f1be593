"""Which label a snapshot gives an item, and the provenance behind it. Pure Python.

The rule is training's (``labeling.selectors.learning.latest_labels`` and
``labeling.services.snapshots.training_snapshot``), applied to one item's records at a time so
a snapshot can be cut in pages:

1. an adjudicated (gold) label, over everything, when the sources include people's labels;
2. else, when two or more people (source human) labeled the item, the majority label set of
   their latest answers (a tie goes to the most recent) counts as one label, dated at the
   latest of those answers;
3. else the latest label; a person's label (any source but the automatic ones) beats an
   automatic one. An automatic moderation decision counts as an automatic label.

Then labels of classes that no longer exist are dropped, and a single-label project keeps one.
``tests/labeling/datasets/test_snapshot_cut.py`` holds the cut to training's own function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from labeling.stats.agreement import label_set_key, majority_labels

HUMAN = "human"
AUTO = "auto"
AUTOMATIC_DECISION = "automatic_decision"
ACCEPTED = "accepted"
CORRECTED = "corrected"


class Record(NamedTuple):
    """One annotation of the item, as read for a snapshot (oldest first, by id)."""

    id: int
    labels: list[str]
    source: str
    annotator_id: int | None
    import_annotator: str
    outcome: str
    suggested_by_id: int | None
    model_version_id: int | None
    created_us: int


class Gold(NamedTuple):
    labels: list[str]
    resolved_us: int


class Decision(NamedTuple):
    """An automatic moderation decision's label for the item."""

    labels: list[str]
    decided_us: int
    model_version_id: int | None


class Resolved(NamedTuple):
    labels: list[str]  # as given (before dropping deleted classes)
    source: str | None
    resolution: str  # gold | majority | latest | none
    labeled_us: int | None
    proposal_accepted: bool | None
    proposed_by: int | None


NONE = Resolved([], None, "none", None, None, None)


def _from_record(record: Record) -> Resolved:
    accepted = (
        True if record.outcome == ACCEPTED else False if record.outcome == CORRECTED else None
    )
    # An automatic label's proposer is the model version that made it.
    proposer = record.model_version_id if record.source == AUTO else record.suggested_by_id
    return Resolved(record.labels, record.source, "latest", record.created_us, accepted, proposer)


def resolve(records: Sequence[Record], gold: Gold | None, decision: Decision | None) -> Resolved:
    """The item's resolved label from its records of the selected sources (oldest first),
    its gold label (only passed when people's labels are selected) and its automatic
    moderation decision (only passed when those are selected)."""
    if gold is not None:
        return Resolved(gold.labels, HUMAN, "gold", gold.resolved_us, None, None)
    if len(records) == 1 and decision is None:  # most items: one label, nothing to weigh
        return _from_record(records[0])
    votes: dict[int, Record] = {}
    for record in records:  # oldest first: each person's latest answer stays
        if record.source == HUMAN and record.annotator_id is not None:
            votes[record.annotator_id] = record
    majority: Resolved | None = None
    people = [record for record in records if record.source != AUTO]
    if len(votes) >= 2:
        labels = majority_labels((vote.id, vote.labels) for vote in votes.values())
        key = label_set_key(labels)
        latest = max(votes.values(), key=lambda vote: vote.id)
        behind = max(
            (vote for vote in votes.values() if label_set_key(vote.labels) == key),
            key=lambda vote: vote.id,
        )
        majority = Resolved(
            labels, HUMAN, "majority", latest.created_us,
            _from_record(behind).proposal_accepted, behind.suggested_by_id,
        )  # fmt: skip
        # The votes count as one label, at the time of the latest of them.
        people = [r for r in people if not (r.source == HUMAN and r.annotator_id is not None)]
        if not people or people[-1].id < latest.id:
            return majority
    if people:
        return _from_record(people[-1])
    automatic = [record for record in records if record.source == AUTO]
    chosen = _from_record(automatic[-1]) if automatic else None
    if decision is not None and (chosen is None or (chosen.labeled_us or 0) <= decision.decided_us):
        return Resolved(
            decision.labels, AUTOMATIC_DECISION, "latest", decision.decided_us, None,
            decision.model_version_id,
        )  # fmt: skip
    return chosen or NONE


def kept_labels(labels: list[str], known: frozenset[str], single: bool) -> list[str]:
    """Labels of classes that still exist, once each; one for a single-label project, sorted
    for a multilabel one (as training keeps them)."""
    kept = [label for label in dict.fromkeys(labels) if label in known]
    return kept[:1] if single else sorted(kept)
