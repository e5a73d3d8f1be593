"""Writing a policy's rules and text banks: checked, audited, and live at the next intake.

Every change sets ``Policy.rules_changed_at`` in its transaction, so each process rebuilds its
compiled rules (``rule_engine``) before it evaluates the next submission of that policy. Every
change is audited with the values before and after (``rule.create``, ``rule.update``,
``rule.delete``, ``text_bank.*``); a status change is what makes a rule act, so it is its own
field in the record.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record, changed_fields
from moderation.choices import RuleAction, RuleStatus
from moderation.models import Policy, PolicyCategory, Rule, TextBank
from moderation.ruleset.banks import BankError, bank_check
from moderation.ruleset.banks import TextBank as BankSpec
from moderation.ruleset.conditions import ConditionError, parse

RULE_FIELDS = ("name", "description", "condition", "action", "strike_points", "category",
               "status", "expires_at", "position")  # fmt: skip
# Points a "strike" rule may give per hit (a policy's reason codes allow as many).
MAX_RULE_STRIKE_POINTS = 100
BANK_FIELDS = ("name", "description", "terms", "patterns")
MAX_RULES_PER_POLICY = 500
MAX_BANKS_PER_POLICY = 100


@contextmanager
def _unique_name(what: str, name: str) -> Iterator[None]:
    """A write in its own savepoint; the policy's unique-name constraint refused becomes a 400
    naming the field."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ApplicationError(
            f"This policy already has a {what} named {name!r}.", extra={"field": "name"}
        ) from exc


def _scope(policy: Policy) -> str:
    return f"moderation.policy:{policy.pk}"


def _rules_changed(policy: Policy) -> None:
    now = timezone.now()
    Policy.objects.filter(pk=policy.pk).update(rules_changed_at=now)
    policy.rules_changed_at = now


def rule_snapshot(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "description": rule.description,
        "condition": rule.condition,
        "action": rule.action,
        "strike_points": rule.strike_points,
        "category": rule.category.name if rule.category_id and rule.category else None,
        "status": rule.status,
        "expires_at": rule.expires_at,
        "position": rule.position,
    }


def bank_snapshot(bank: TextBank) -> dict[str, Any]:
    return {
        "name": bank.name,
        "description": bank.description,
        "terms": len(bank.terms or []),
        "patterns": list(bank.patterns or []),
    }


def check_condition(policy: Policy, condition: Any) -> None:
    """Refuse a condition that does not parse, or names a bank or category the policy lacks
    (400 with ``extra.field`` as ``condition.<path>``)."""
    try:
        compiled = parse(condition)
    except ConditionError as exc:
        raise ApplicationError(
            f"The condition is not valid: {exc}", extra={"field": f"condition.{exc.path}"}
        ) from exc
    banks = set(TextBank.objects.filter(policy=policy).values_list("name", flat=True))
    missing = sorted(compiled.banks - banks)
    if missing:
        raise ApplicationError(
            f"The condition reads text bank {missing[0]!r}, which this policy does not have.",
            extra={"field": "condition", "text_banks": sorted(banks)},
        )
    categories = set(policy.categories.values_list("name", flat=True))
    unknown = sorted(compiled.categories - categories)
    if unknown:
        raise ApplicationError(
            f"The condition reads the score of {unknown[0]!r}, which is not a category of "
            "this policy.",
            extra={"field": "condition", "categories": sorted(categories)},
        )


def _category(policy: Policy, name: str | None) -> PolicyCategory | None:
    if not name:
        return None
    category = PolicyCategory.objects.filter(policy=policy, name=name).first()
    if category is None:
        raise ApplicationError(
            f"{name!r} is not a category of this policy.", extra={"field": "category"}
        )
    return category


def _check_rule(policy: Policy, values: dict[str, Any]) -> None:
    if values["action"] not in RuleAction.values:
        raise ApplicationError("Unknown action.", extra={"field": "action"})
    points = values.get("strike_points")
    if values["action"] == RuleAction.STRIKE:
        if not isinstance(points, int) or not 1 <= points <= MAX_RULE_STRIKE_POINTS:
            raise ApplicationError(
                f"A strike rule gives 1 to {MAX_RULE_STRIKE_POINTS} points per hit.",
                extra={"field": "strike_points"},
            )
    elif points is not None:
        raise ApplicationError(
            "Only a strike rule gives points: leave them empty for this action.",
            extra={"field": "strike_points"},
        )
    if values["status"] not in RuleStatus.values:
        raise ApplicationError("Unknown status.", extra={"field": "status"})
    expires_at: datetime | None = values.get("expires_at")
    if (
        expires_at is not None
        and values["status"] in (RuleStatus.LIVE, RuleStatus.BACKGROUND)
        and expires_at <= timezone.now()
    ):
        raise ApplicationError(
            "The expiry is in the past: a rule that has expired cannot be made live or run in "
            "the background.",
            extra={"field": "expires_at"},
        )
    check_condition(policy, values["condition"])


@transaction.atomic
def rule_create(
    *,
    policy: Policy,
    user: User,
    name: str,
    condition: Any,
    action: str,
    strike_points: int | None = None,
    description: str = "",
    category: str | None = None,
    status: str = RuleStatus.DRAFT,
    expires_at: datetime | None = None,
    position: int | None = None,
) -> Rule:
    """A new rule of ``policy`` (draft unless told). Audited (``rule.create``)."""
    values = {"condition": condition, "action": action, "status": status,
              "expires_at": expires_at, "strike_points": strike_points}  # fmt: skip
    _check_rule(policy, values)
    if Rule.objects.filter(policy=policy).count() >= MAX_RULES_PER_POLICY:
        raise ApplicationError(f"A policy has at most {MAX_RULES_PER_POLICY} rules.")
    if position is None:
        last = Rule.objects.filter(policy=policy).order_by("-position").first()
        position = last.position + 1 if last else 0
    with _unique_name("rule", name):
        rule = Rule.objects.create(
            policy=policy,
            name=name,
            description=description,
            condition=condition,
            action=action,
            strike_points=strike_points,
            category=_category(policy, category),
            status=status,
            expires_at=expires_at,
            position=position,
            created_by=user,
        )
    _rules_changed(policy)
    audit_record(
        actor=user,
        action="rule.create",
        object_type="moderation.rule",
        object_id=rule.pk,
        scope=_scope(policy),
        after=rule_snapshot(rule),
    )
    return rule


@transaction.atomic
def rule_update(*, rule: Rule, user: User, **changes: Any) -> Rule:
    """Change ``rule``'s fields (any of ``RULE_FIELDS``; ``category`` by name). Audited
    (``rule.update``, only the fields that changed)."""
    rule = (
        Rule.objects.select_for_update(of=("self",))
        .select_related("policy", "category")
        .get(pk=rule.pk)
    )
    policy = rule.policy
    before = rule_snapshot(rule)
    values = {
        "condition": changes.get("condition", rule.condition),
        "action": changes.get("action", rule.action),
        "status": changes.get("status", rule.status),
        "expires_at": changes.get("expires_at", rule.expires_at),
        # Points go with the action: changing to another action drops them.
        "strike_points": changes.get(
            "strike_points",
            rule.strike_points if changes.get("action", rule.action) == RuleAction.STRIKE else None,
        ),
    }
    _check_rule(policy, values)
    for field in ("name", "description", "condition", "action", "status", "expires_at",
                  "position"):  # fmt: skip
        if field in changes:
            setattr(rule, field, changes[field])
    rule.strike_points = values["strike_points"]
    if "category" in changes:
        rule.category = _category(policy, changes["category"])
    with _unique_name("rule", rule.name):
        rule.save()
    old, new = changed_fields(before, rule_snapshot(rule))
    if new:
        _rules_changed(policy)
        audit_record(
            actor=user,
            action="rule.update",
            object_type="moderation.rule",
            object_id=rule.pk,
            scope=_scope(policy),
            before=old,
            after=new,
        )
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule, user: User) -> None:
    """Delete ``rule`` and its hit log. Audited (``rule.delete``)."""
    policy = rule.policy
    snapshot = rule_snapshot(rule)
    rule_id = rule.pk
    rule.delete()
    _rules_changed(policy)
    audit_record(
        actor=user,
        action="rule.delete",
        object_type="moderation.rule",
        object_id=rule_id,
        scope=_scope(policy),
        before=snapshot,
    )


def _check_bank(values: dict[str, Any]) -> None:
    try:
        bank_check(BankSpec(name=values["name"], terms=values["terms"],
                            patterns=values["patterns"]))  # fmt: skip
    except BankError as exc:
        raise ApplicationError(
            f"The text bank is not valid: {exc}", extra={"field": exc.field}
        ) from exc


@transaction.atomic
def text_bank_create(
    *,
    policy: Policy,
    user: User,
    name: str,
    terms: list[str],
    patterns: list[str],
    description: str = "",
) -> TextBank:
    """A new text bank of ``policy``. Audited (``text_bank.create``)."""
    _check_bank({"name": name, "terms": terms, "patterns": patterns})
    if TextBank.objects.filter(policy=policy).count() >= MAX_BANKS_PER_POLICY:
        raise ApplicationError(f"A policy has at most {MAX_BANKS_PER_POLICY} text banks.")
    with _unique_name("text bank", name):
        bank = TextBank.objects.create(
            policy=policy, name=name, description=description, terms=terms,
            patterns=patterns, created_by=user,
        )  # fmt: skip
    _rules_changed(policy)
    audit_record(
        actor=user,
        action="text_bank.create",
        object_type="moderation.text_bank",
        object_id=bank.pk,
        scope=_scope(policy),
        after=bank_snapshot(bank),
    )
    return bank


def _rules_reading(bank: TextBank) -> list[str]:
    names = []
    for rule in Rule.objects.filter(policy_id=bank.policy_id).exclude(status=RuleStatus.EXPIRED):
        try:
            if bank.name in parse(rule.condition).banks:
                names.append(rule.name)
        except ConditionError:
            continue
    return names


@transaction.atomic
def text_bank_update(*, bank: TextBank, user: User, **changes: Any) -> TextBank:
    """Change ``bank``'s name, description, terms or patterns. A bank read by rules keeps its
    name. Audited (``text_bank.update``)."""
    bank = TextBank.objects.select_for_update(of=("self",)).select_related("policy").get(pk=bank.pk)
    before = bank_snapshot(bank)
    if "name" in changes and changes["name"] != bank.name:
        readers = _rules_reading(bank)
        if readers:
            raise ApplicationError(
                f"Rules read this bank by its name ({', '.join(map(repr, readers[:5]))}); "
                "change them first.",
                extra={"field": "name", "rules": readers},
            )
    values = {field: changes.get(field, getattr(bank, field)) for field in BANK_FIELDS}
    _check_bank(values)
    for field, value in values.items():
        setattr(bank, field, value)
    with _unique_name("text bank", bank.name):
        bank.save()
    old, new = changed_fields(before, bank_snapshot(bank))
    if new or changes.get("terms") is not None:
        _rules_changed(bank.policy)
        audit_record(
            actor=user,
            action="text_bank.update",
            object_type="moderation.text_bank",
            object_id=bank.pk,
            scope=_scope(bank.policy),
            before=old,
            after=new,
        )
    return bank


@transaction.atomic
def text_bank_delete(*, bank: TextBank, user: User) -> None:
    """Delete ``bank`` unless a draft, background or live rule reads it. Audited."""
    readers = _rules_reading(bank)
    if readers:
        raise ApplicationError(
            f"Rules read this bank ({', '.join(map(repr, readers[:5]))}); change them first.",
            extra={"rules": readers},
        )
    policy, snapshot, bank_id = bank.policy, bank_snapshot(bank), bank.pk
    bank.delete()
    _rules_changed(policy)
    audit_record(
        actor=user,
        action="text_bank.delete",
        object_type="moderation.text_bank",
        object_id=bank_id,
        scope=_scope(policy),
        before=snapshot,
    )
