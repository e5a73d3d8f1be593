"""Intake, step 3: the verdict on one submission, from what the earlier steps found.

Pure: plain values in (``IntakeFacts``), plain values out (``Verdict``); no database, no model,
no settings, so every automation level and threshold can be tested directly.

The order of precedence: a hash-bank match removes at once where the level acts on hashes
(assist, partial, full); then the policy's live rules: a removing rule removes at those same
levels, an escalating one sends the content to senior review and a reviewing one to people at
every level, an allowing one allows at those levels when nothing removes (remove > escalate >
review > allow; the first rule of the winning action names the category). Keyword rule hits
are reported and name the category when nothing else does; the model's scores act only at
partial and full (assist shows them, shadow logs them, human-only never computes them).
Live "strike" and "notify" rules take no part in the verdict: they act beside it, at every
level, when the batch is stored (``intake_store``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from moderation.choices import SCORE_USED_LEVELS, AutomationLevel, ContentState

# Levels at which a hash-bank match removes content at once.
HASH_ACTS_LEVELS = SCORE_USED_LEVELS


@dataclass(frozen=True)
class CategoryThresholds:
    """A policy category as the decision sees it."""

    id: int
    name: str
    remove_threshold: float
    allow_threshold: float


@dataclass(frozen=True)
class HashHit:
    """A hash-bank match: ``kind`` sha256 or phash; ``distance`` 0 for an exact match."""

    kind: str
    category_id: int
    distance: int


@dataclass(frozen=True)
class RuleHitFact:
    """A category rule (keyword / regular expression) the text matched."""

    rule: str
    category_id: int
    category_name: str


@dataclass(frozen=True)
class LiveRuleFact:
    """A live rule that held: it acts (background rules never reach the verdict)."""

    id: int
    name: str
    action: str  # RuleAction
    category_id: int | None


# Which live rule action wins when several hold.
RULE_ACTION_ORDER = ("remove", "escalate", "review", "allow")


@dataclass(frozen=True)
class IntakeFacts:
    """Everything the verdict depends on."""

    automation_level: str
    # The policy's categories, in its order (most severe first, then by name).
    categories: tuple[CategoryThresholds, ...]
    hash_hit: HashHit | None = None
    rule_hits: tuple[RuleHitFact, ...] = ()
    # The acting model version's probability per category name; empty when it did not score.
    category_scores: Mapping[str, float] = field(default_factory=dict)
    # Why the model did not score, when it did not (they lead the verdict's reasons).
    scoring_notes: tuple[str, ...] = ()
    # Live rules that held, in rule order.
    live_rules: tuple[LiveRuleFact, ...] = ()


@dataclass(frozen=True)
class Verdict:
    state: ContentState
    # The category the content is filed under (hash match, else the worst removing score,
    # else the model's top category, else the first rule hit), or None.
    top_category_id: int | None
    # The acting model's score of that category, where the level uses scores.
    score: float | None
    # Whether the model flagged the content (a score at or over a remove threshold).
    model_flag: bool
    reasons: tuple[str, ...]
    # The live rules whose action made the verdict.
    acting_rule_ids: tuple[int, ...] = ()


def intake_decide(*, facts: IntakeFacts) -> Verdict:
    """The state, category, score and reasons of a submission under its policy's automation
    level: pending (people decide), removed or allowed."""
    level = facts.automation_level
    reasons = list(facts.scoring_notes)
    by_id = {category.id: category for category in facts.categories}
    top_id: int | None = None
    first_rule_id = facts.rule_hits[0].category_id if facts.rule_hits else None

    # The verdict with the category and reasons as they stand when it is called.
    def verdict(
        state: ContentState = ContentState.PENDING,
        score: float | None = None,
        model_flag: bool = False,
        acting: tuple[int, ...] = (),
    ) -> Verdict:
        return Verdict(
            state=state,
            top_category_id=top_id,
            score=score,
            model_flag=model_flag,
            reasons=tuple(reasons),
            acting_rule_ids=acting,
        )

    hit = facts.hash_hit
    if hit is not None:
        category = by_id.get(hit.category_id)
        top_id = category.id if category else None
        how = "exact" if hit.distance == 0 else f"distance {hit.distance}"
        reasons.append(
            f"hash bank: {hit.kind} match ({how}), category {category.name if category else '?'}"
        )
        if level in HASH_ACTS_LEVELS:
            return verdict(ContentState.REMOVED)
    for rule_hit in facts.rule_hits:
        reasons.append(f"rule {rule_hit.rule!r} matched, category {rule_hit.category_name}")
    by_action = {action: [r for r in facts.live_rules if r.action == action]
                 for action in RULE_ACTION_ORDER}  # fmt: skip
    acts = level in HASH_ACTS_LEVELS
    for action in RULE_ACTION_ORDER:
        held = by_action[action]
        if not held or (action in ("remove", "allow") and not acts):
            continue
        if action == "allow" and hit is not None:
            break  # a hash match is never overruled by an allowing rule
        names = ", ".join(repr(rule.name) for rule in held)
        named = next((rule.category_id for rule in held if rule.category_id is not None), None)
        if top_id is None or action != "allow":
            top_id = named if named is not None else top_id
        reasons.append(f"live rule {names}: {action}")
        acting = tuple(rule.id for rule in held)
        state = {
            "remove": ContentState.REMOVED,
            "escalate": ContentState.ESCALATED,
            "review": ContentState.PENDING,
            "allow": ContentState.ALLOWED,
        }[action]
        if top_id is None:
            top_id = first_rule_id
        return verdict(state, facts.category_scores.get(_name_of(facts, top_id)), acting=acting)
    for action in ("remove", "allow"):
        if by_action[action] and not acts:
            names = ", ".join(repr(rule.name) for rule in by_action[action])
            reasons.append(f"live rule {names} would {action}: the policy's level does not let it")
    if level == AutomationLevel.HUMAN_ONLY:
        reasons.append("policy is human-only: people decide")
        top_id = top_id if top_id is not None else first_rule_id
        return verdict()
    scores = facts.category_scores
    by_name = {category.name: category for category in facts.categories}
    top_name = max(scores, key=scores.__getitem__, default=None)
    if level == AutomationLevel.SHADOW:
        reasons.append("policy is in shadow mode: model scores logged, people decide")
        top_id = top_id if top_id is not None else first_rule_id
        return verdict()
    if top_name is None:
        top_id = top_id if top_id is not None else first_rule_id
        return verdict()
    top_id = top_id if top_id is not None else by_name[top_name].id
    score = scores[top_name]
    removing = [
        c for name, c in by_name.items() if name in scores and scores[name] >= c.remove_threshold
    ]
    if removing:
        worst = max(removing, key=lambda c: scores[c.name])
        top_id = worst.id if hit is None else top_id
        score = scores[worst.name]
        reasons.append(
            f"model: {worst.name} {score:.3f} >= remove threshold {worst.remove_threshold}"
        )
    model_flag = bool(removing)
    if level == AutomationLevel.ASSIST:
        reasons.append("policy is in assist mode: the suggestion is shown to people")
        return verdict(score=score, model_flag=model_flag)
    if removing:
        return verdict(ContentState.REMOVED, score, model_flag)
    below = all(scores.get(c.name, 1.0) <= c.allow_threshold for c in by_name.values())
    if level == AutomationLevel.FULL or below:
        reasons.append(
            "model: every category at or below its allow threshold"
            if below
            else "policy is fully automatic: below the remove thresholds, allowed"
        )
        return verdict(ContentState.ALLOWED, score, model_flag)
    reasons.append("model: between the allow and remove thresholds: people decide")
    return verdict(score=score, model_flag=model_flag)


def _name_of(facts: IntakeFacts, category_id: int | None) -> str:
    return next((c.name for c in facts.categories if c.id == category_id), "")
