"""Keyword / regex rules of a policy's categories, compiled once per policy version."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime

from moderation.models import Policy, PolicyCategory


@dataclass
class RuleHit:
    category: PolicyCategory
    rule: str


_compiled: dict[int, tuple[datetime | None, list[tuple[PolicyCategory, str, re.Pattern]]]] = {}
_lock = threading.Lock()


def _rules_for(policy: Policy, categories: list[PolicyCategory]):
    cached = _compiled.get(policy.pk)
    if cached is not None and cached[0] == policy.updated_at:
        return cached[1]
    compiled = [
        (category, rule, re.compile(rule, re.IGNORECASE))
        for category in categories
        for rule in category.rules or []
    ]
    with _lock:
        _compiled[policy.pk] = (policy.updated_at, compiled)
    return compiled


def rules_match(
    *, policy: Policy, categories: list[PolicyCategory], text: str | None
) -> list[RuleHit]:
    """Every category rule (case-insensitive regex search) the text matches, one per rule."""
    if not text:
        return []
    return [
        RuleHit(category=category, rule=rule)
        for category, rule, pattern in _rules_for(policy, categories)
        if pattern.search(text)
    ]
