"""Keyword / regex rules of a policy's categories, run with RE2, compiled once per policy version.

RE2 (``google-re2``) matches in time linear in the text, whatever the pattern: no rule can make
intake hang the way a backtracking engine can on ``(a+)+$``. It has no backreferences or
lookaround; such rules are refused when the policy is saved (``rule_compile_error``). Rules are
case-insensitive searches. Only the first ``TANDEM_RULE_SCAN_MAX_CHARS`` characters of a text
are scanned; the hash bank and the model still see all of it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from moderation.models import Policy, PolicyCategory

logger = logging.getLogger(__name__)

DEFAULT_SCAN_MAX_CHARS = 100_000


@dataclass
class RuleHit:
    category: PolicyCategory
    rule: str


@dataclass
class _Compiled:
    token: datetime | None
    rules: list[tuple[PolicyCategory, str]]
    # One RE2 set of every rule (one pass over the text finds them all); None when the set
    # does not fit RE2's memory budget, then ``patterns`` are searched one by one.
    matcher: Any
    patterns: list[Any]


_compiled: dict[int, _Compiled] = {}
_lock = threading.Lock()


def _options():
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # refusals are reported to the caller, not to stderr
    return options


def rule_compile_error(rule: str) -> str | None:
    """Why RE2 cannot use ``rule`` (e.g. ``invalid escape sequence: \\1`` for a
    backreference), or None when it compiles."""
    import re2

    try:
        re2.compile(rule, _options())
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return str(detail) or "RE2 cannot compile it"
    return None


def scan_max_chars() -> int:
    return int(getattr(settings, "TANDEM_RULE_SCAN_MAX_CHARS", None) or DEFAULT_SCAN_MAX_CHARS)


def _compile(policy: Policy, categories: list[PolicyCategory]) -> _Compiled:
    import re2

    rules: list[tuple[PolicyCategory, str]] = []
    patterns = []
    for category in categories:
        for rule in category.rules or []:
            try:
                pattern = re2.compile(rule, _options())
            except re2.error:
                # Saved before rules were checked with RE2: skipped, never run with another engine.
                logger.warning(
                    "Policy %s: rule %r is not valid RE2; it is skipped.", policy.pk, rule
                )
                continue
            rules.append((category, rule))
            patterns.append(pattern)
    matcher = None
    if rules:
        candidate = re2.Set.SearchSet(_options())
        try:
            for _category, rule in rules:
                candidate.Add(rule)
            candidate.Compile()
            matcher = candidate
        except re2.error:
            matcher = None
    return _Compiled(token=policy.updated_at, rules=rules, matcher=matcher, patterns=patterns)


def _rules_for(policy: Policy, categories: list[PolicyCategory]) -> _Compiled:
    cached = _compiled.get(policy.pk)
    if cached is not None and cached.token == policy.updated_at:
        return cached
    compiled = _compile(policy, categories)
    with _lock:
        _compiled[policy.pk] = compiled
    return compiled


def rules_match(
    *, policy: Policy, categories: list[PolicyCategory], text: str | None
) -> list[RuleHit]:
    """Every category rule (case-insensitive RE2 search) the text matches, one per rule, in
    the policy's order. Only the first ``TANDEM_RULE_SCAN_MAX_CHARS`` characters are read."""
    if not text:
        return []
    compiled = _rules_for(policy, categories)
    if not compiled.rules:
        return []
    scanned = text[: scan_max_chars()].encode("utf-8", "replace")
    if compiled.matcher is not None:
        matched = set(compiled.matcher.Match(scanned) or [])
    else:
        matched = {i for i, pattern in enumerate(compiled.patterns) if pattern.search(scanned)}
    return [
        RuleHit(category=category, rule=rule)
        for index, (category, rule) in enumerate(compiled.rules)
        if index in matched
    ]
