"""A policy's rules and text banks, compiled once per change and evaluated at intake.

The compiled form (a ``BankMatcher`` of every bank, and each background or live rule's
condition as a function) is kept per process and per policy, and rebuilt when the policy's
``rules_changed_at`` moves: every change to a rule or bank sets it, in the same transaction.
Evaluation itself is pure (``moderation.ruleset``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from moderation.choices import RuleAction, RuleStatus
from moderation.models import Policy, Rule, TextBank
from moderation.ruleset.banks import BankError, BankMatcher, BankSpan
from moderation.ruleset.banks import TextBank as BankSpec
from moderation.ruleset.conditions import Condition, ConditionError, Signals, parse
from moderation.ruleset.normalise import views

logger = logging.getLogger(__name__)

EVALUATED_STATUSES = (RuleStatus.BACKGROUND, RuleStatus.LIVE)


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    status: str
    action: str
    category_id: int | None
    queue_id: int | None
    expires_at: datetime | None
    holds: Condition
    strike_points: int | None = None
    # The text banks the condition reads (a backtest matches banks only when one does).
    banks: frozenset[str] = frozenset()


@dataclass
class CompiledPolicy:
    token: datetime | None
    banks: BankMatcher
    rules: list[CompiledRule] = field(default_factory=list)


@dataclass(frozen=True)
class RuleMatch:
    """A rule that held for a content: what it is and whether it may act (live)."""

    id: int
    name: str
    status: str
    action: str
    category_id: int | None
    # Action ``route``: the queue it sends content to.
    queue_id: int | None = None
    # "strike" rules: the points a hit gives the author.
    strike_points: int | None = None


@dataclass(frozen=True)
class RulesOutcome:
    banks: frozenset[str]
    live: tuple[RuleMatch, ...] = ()
    background: tuple[RuleMatch, ...] = ()

    @property
    def route(self) -> RuleMatch | None:
        """The first live routing rule that held (rule order): the content's queue. Background
        routing rules are logged in ``background`` and never route."""
        return next(
            (m for m in self.live if m.action == RuleAction.ROUTE and m.queue_id is not None),
            None,
        )

    @property
    def flags(self) -> tuple[RuleMatch, ...]:
        """Live rules that held and flag the content (every action but routing, which only
        says where it waits)."""
        return tuple(m for m in self.live if m.action != RuleAction.ROUTE)


_compiled: dict[int, CompiledPolicy] = {}
_lock = threading.Lock()


def _compile(policy: Policy) -> CompiledPolicy:
    specs = [
        BankSpec(name=bank.name, terms=list(bank.terms or []), patterns=list(bank.patterns or []))
        for bank in TextBank.objects.filter(policy=policy).order_by("name")
    ]
    try:
        matcher = BankMatcher.build(specs)
    except BankError:
        # Banks are checked when saved; one stored before a limit tightened is skipped whole.
        logger.warning("Policy %s: a text bank does not compile; banks are off.", policy.pk)
        matcher = BankMatcher()
    rules = []
    for rule in Rule.objects.filter(policy=policy, status__in=EVALUATED_STATUSES).order_by(
        "position", "id"
    ):
        try:
            compiled = parse(rule.condition)
        except ConditionError:
            logger.warning("Policy %s: rule %s no longer parses; skipped.", policy.pk, rule.pk)
            continue
        rules.append(
            CompiledRule(
                id=rule.pk,
                name=rule.name,
                status=rule.status,
                action=rule.action,
                category_id=rule.category_id,
                queue_id=rule.queue_id,
                expires_at=rule.expires_at,
                holds=compiled.holds,
                strike_points=rule.strike_points,
                banks=compiled.banks,
            )
        )
    return CompiledPolicy(token=policy.rules_changed_at, banks=matcher, rules=rules)


def compiled_policy(policy: Policy) -> CompiledPolicy:
    cached = _compiled.get(policy.pk)
    if cached is not None and cached.token == policy.rules_changed_at:
        return cached
    compiled = _compile(policy)
    with _lock:
        _compiled[policy.pk] = compiled
    return compiled


def banks_match(*, policy: Policy, text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    compiled = compiled_policy(policy)
    return compiled.banks.match(views(text))


def banks_spans(*, policy: Policy, text: str | None, scan_max: int) -> list[BankSpan]:
    """Where the policy's text banks match ``text`` as posted (the first ``scan_max``
    characters, as far as intake's rules scan), for masking flagged terms in the review
    panel; offsets are code points of ``text``."""
    if not text:
        return []
    return compiled_policy(policy).banks.spans(text[:scan_max])


def rules_evaluate(
    *, policy: Policy, signals: Signals, now: datetime | None = None
) -> RulesOutcome:
    """Which background and live rules of ``policy`` hold for ``signals`` (in rule order);
    rules whose ``expires_at`` has passed are not evaluated."""
    compiled = compiled_policy(policy)
    now = now or timezone.now()
    live: list[RuleMatch] = []
    background: list[RuleMatch] = []
    for rule in compiled.rules:
        if rule.expires_at is not None and rule.expires_at <= now:
            continue
        if not rule.holds(signals):
            continue
        match = RuleMatch(
            id=rule.id,
            name=rule.name,
            status=rule.status,
            action=rule.action,
            category_id=rule.category_id,
            queue_id=rule.queue_id,
            strike_points=rule.strike_points,
        )
        (live if rule.status == RuleStatus.LIVE else background).append(match)
    return RulesOutcome(banks=signals.banks, live=tuple(live), background=tuple(background))


def account_age_days(context: dict[str, Any]) -> float | None:
    """The author's account age from intake context (``account_age_days``), else None."""
    value = context.get("account_age_days")
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def context_fields(context: dict[str, Any]) -> dict[str, Any]:
    """What the ``metadata`` signal reads: the context's own fields and its ``metadata``."""
    fields = {key: value for key, value in context.items() if not isinstance(value, dict | list)}
    extra = context.get("metadata")
    if isinstance(extra, dict):
        fields.update(extra)
    return fields
