"""Policies: categories mapped to the linked project's label classes, reason codes, thresholds
and the automation level. Every change is audited with the values before and after."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record, changed_fields
from labeling.choices import Role
from labeling.selectors.projects import label_class_names, project_get_or_none
from labeling.services.projects import project_update
from moderation.models import Policy, PolicyCategory, ReasonCode
from moderation.selectors.access import policy_role
from moderation.services.queues import policy_queues_ensure
from moderation.services.rules import rule_compile_error

POLICY_FIELDS = (
    "name",
    "description",
    "automation_level",
    "canary_share",
    "strike_ttl_days",
    "strike_thresholds",
    "sla_warning_minutes",
)
CATEGORY_FIELDS = (
    "label_class",
    "severity",
    "remove_threshold",
    "allow_threshold",
    "sla_hours",
    "rules",
    "strike_points",
    "graphic",
)
REASON_FIELDS = ("description", "action", "category", "strike_points")


def policy_snapshot(policy: Policy) -> dict[str, Any]:
    """The policy as the audit log keeps it (plain values, categories and codes by name)."""
    categories = list(policy.categories.all())
    names: dict[int | None, str] = {category.pk: category.name for category in categories}
    return {
        **{field: getattr(policy, field) for field in POLICY_FIELDS},
        "project": policy.project_id,
        "categories": [
            {"name": c.name, **{f: getattr(c, f) for f in CATEGORY_FIELDS}} for c in categories
        ],
        "reason_codes": [
            {
                "code": r.code,
                "description": r.description,
                "action": r.action,
                "category": names.get(r.category_id),
                "strike_points": r.strike_points,
            }
            for r in policy.reason_codes.all()
        ],
    }


def _check_categories(
    *, project_id: int, project_name: str, categories: list[dict[str, Any]]
) -> None:
    class_names = set(label_class_names(project_id=project_id))
    seen: set[str] = set()
    for index, category in enumerate(categories):
        name = category["name"]
        if name in seen:
            raise ApplicationError(
                f"Category {name!r} is listed twice.", extra={"category_index": index}
            )
        seen.add(name)
        if category["label_class"] not in class_names:
            raise ApplicationError(
                f"Category {name!r}: {category['label_class']!r} is not a label class of "
                f"project {project_name!r}.",
                extra={"category_index": index, "label_classes": sorted(class_names)},
            )
        if category["allow_threshold"] >= category["remove_threshold"]:
            raise ApplicationError(
                f"Category {name!r}: the allow threshold must be below the remove threshold.",
                extra={
                    "category_index": index,
                    "allow_threshold": category["allow_threshold"],
                    "remove_threshold": category["remove_threshold"],
                },
            )
        for rule_index, rule in enumerate(category.get("rules") or []):
            error = rule_compile_error(rule)
            if error is not None:
                raise ApplicationError(
                    f"Category {name!r}: rule {rule!r} cannot be used: {error}. Rules run with "
                    "RE2 (case-insensitive search), which has no backreferences or lookaround.",
                    extra={
                        "category_index": index,
                        "rule_index": rule_index,
                        "rule": rule,
                        "error": error,
                    },
                )


def _check_strike_thresholds(thresholds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Thresholds as stored: ordered by points, each points value once, plain values only."""
    ordered = sorted(thresholds, key=lambda t: t["points"])
    for index, threshold in enumerate(ordered[1:], start=1):
        if threshold["points"] == ordered[index - 1]["points"]:
            raise ApplicationError(
                f"strike_thresholds: two thresholds at {threshold['points']} points.",
                extra={"field": "strike_thresholds", "points": threshold["points"]},
            )
    return [
        {"points": t["points"], "action": t["action"]}
        | ({"suspend_days": t["suspend_days"]} if t["action"] == "suspend" else {})
        for t in ordered
    ]


def _check_reason_codes(*, reason_codes: list[dict[str, Any]], category_names: set[str]) -> None:
    seen: set[str] = set()
    for index, reason in enumerate(reason_codes):
        if reason["code"] in seen:
            raise ApplicationError(
                f"Reason code {reason['code']!r} is listed twice.", extra={"reason_index": index}
            )
        seen.add(reason["code"])
        category = reason.get("category")
        if category and category not in category_names:
            raise ApplicationError(
                f"Reason code {reason['code']!r} names category {category!r}, which the policy "
                "does not have.",
                extra={"reason_index": index, "categories": sorted(category_names)},
            )


def _category_values(data: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "severity": 2,
        "remove_threshold": 0.97,
        "allow_threshold": 0.05,
        "sla_hours": 24,
        "rules": [],
        "strike_points": None,
        "graphic": False,
    }
    return {field: data.get(field, defaults.get(field)) for field in CATEGORY_FIELDS}


def _sync_categories(*, policy: Policy, categories: list[dict[str, Any]]) -> None:
    """Make the policy's categories exactly ``categories`` (matched by name)."""
    existing = {category.name: category for category in policy.categories.all()}
    for data in categories:
        values = _category_values(data)
        category = existing.pop(data["name"], None)
        if category is None:
            PolicyCategory.objects.create(policy=policy, name=data["name"], **values)
            continue
        for field, value in values.items():
            setattr(category, field, value)
        category.save()
    for category in existing.values():
        # Its hash entries go with it; reason codes used by decisions keep it (PROTECT).
        category.delete()


def _sync_reason_codes(*, policy: Policy, reason_codes: list[dict[str, Any]]) -> None:
    categories = {category.name: category for category in policy.categories.all()}
    existing = {reason.code: reason for reason in policy.reason_codes.all()}
    for position, data in enumerate(reason_codes):
        values = {
            "description": data["description"],
            "action": data["action"],
            "category": categories.get(data.get("category") or ""),
            "position": position,
            "strike_points": data.get("strike_points"),
        }
        reason = existing.pop(data["code"], None)
        if reason is None:
            ReasonCode.objects.create(policy=policy, code=data["code"], **values)
            continue
        for field, value in values.items():
            setattr(reason, field, value)
        reason.save()
    for reason in existing.values():
        reason.delete()


def _save_nested(
    *,
    policy: Policy,
    categories: list[dict[str, Any]] | None,
    reason_codes: list[dict[str, Any]] | None,
) -> None:
    try:
        with transaction.atomic():
            if categories is not None:
                _sync_categories(policy=policy, categories=categories)
            if reason_codes is not None:
                _sync_reason_codes(policy=policy, reason_codes=reason_codes)
    except ProtectedError as exc:
        raise ApplicationError(
            "A reason code (or the category it belongs to) that decisions cite cannot be "
            "removed; keep it in the list.",
            status_code=409,
        ) from exc


@transaction.atomic
def policy_create(
    *,
    user: User,
    project_id: int,
    name: str,
    description: str = "",
    automation_level: str,
    canary_share: float = 0.1,
    strike_ttl_days: int = 90,
    sla_warning_minutes: int = 60,
    strike_thresholds: list[dict[str, Any]] | None = None,
    categories: list[dict[str, Any]] | None = None,
    reason_codes: list[dict[str, Any]] | None = None,
) -> Policy:
    """Create a policy on the labeling project ``project_id`` (the caller must be its admin;
    403 alike for a project that does not exist).

    Side effects: audit ``policy.create`` with the whole policy; the project's new model
    versions start in shadow from now on (``project.update`` audited).
    """
    project = project_get_or_none(project_id=project_id)
    if project is None or policy_role(policy=Policy(project=project), user=user) != Role.ADMIN:
        raise ApplicationError(
            "Only an admin of the project can create a policy on it.", status_code=403
        )
    categories = categories or []
    reason_codes = reason_codes or []
    _check_categories(project_id=project.pk, project_name=project.name, categories=categories)
    _check_reason_codes(reason_codes=reason_codes, category_names={c["name"] for c in categories})
    try:
        with transaction.atomic():
            policy = Policy.objects.create(
                project=project,
                name=name,
                description=description,
                automation_level=automation_level,
                canary_share=canary_share,
                strike_ttl_days=strike_ttl_days,
                sla_warning_minutes=sla_warning_minutes,
                strike_thresholds=_check_strike_thresholds(strike_thresholds or []),
                created_by=user,
            )
    except IntegrityError as exc:
        raise ApplicationError(f"A policy named {name!r} already exists.", status_code=409) from exc
    _save_nested(policy=policy, categories=categories, reason_codes=reason_codes)
    policy_queues_ensure(policy=policy)
    if not project.new_versions_start_in_shadow:
        # Models that act on a platform's content are not promoted by training alone: a new
        # version starts in shadow, and people promote it (audited) when its numbers hold.
        project_update(project=project, data={"new_versions_start_in_shadow": True}, actor=user)
    audit_record(
        actor=user,
        action="policy.create",
        object_type="moderation.policy",
        object_id=policy.pk,
        scope=f"moderation.policy:{policy.pk}",
        after=policy_snapshot(policy),
    )
    return policy


@transaction.atomic
def policy_update(*, policy: Policy, user: User, **changes: Any) -> Policy:
    """Change fields of the policy; ``categories`` / ``reason_codes``, when given, replace the
    lists (matched by name / code: existing ones are updated, missing ones removed).

    Side effects: audit ``policy.update`` with the changed values before and after (nothing
    is recorded when nothing changed); bumps ``updated_at``, which invalidates the cached
    rules and hash bank of the policy in every process.
    """
    policy = Policy.objects.select_for_update().select_related("project").get(pk=policy.pk)
    before = policy_snapshot(policy)
    categories = changes.pop("categories", None)
    reason_codes = changes.pop("reason_codes", None)
    if categories is not None:
        _check_categories(
            project_id=policy.project_id, project_name=policy.project.name, categories=categories
        )
    category_names = (
        {c["name"] for c in categories}
        if categories is not None
        else set(policy.categories.values_list("name", flat=True))
    )
    if reason_codes is not None:
        _check_reason_codes(reason_codes=reason_codes, category_names=category_names)
    elif categories is not None:
        cited = {
            reason.code: reason.category.name
            for reason in policy.reason_codes.select_related("category")
            if reason.category is not None and reason.category.name not in category_names
        }
        if cited:
            raise ApplicationError(
                "Reason codes still name categories this change removes; update reason_codes too.",
                extra={"reason_codes": cited},
            )
    if "strike_thresholds" in changes:
        changes["strike_thresholds"] = _check_strike_thresholds(changes["strike_thresholds"])
    for field in POLICY_FIELDS:
        if field in changes:
            setattr(policy, field, changes[field])
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:
        raise ApplicationError(
            f"A policy named {policy.name!r} already exists.", status_code=409
        ) from exc
    _save_nested(policy=policy, categories=categories, reason_codes=reason_codes)
    old, new = changed_fields(before, policy_snapshot(policy))
    if new:
        audit_record(
            actor=user,
            action="policy.update",
            object_type="moderation.policy",
            object_id=policy.pk,
            scope=f"moderation.policy:{policy.pk}",
            before=old,
            after=new,
        )
    return policy


def policy_touch(*, policy_id: int) -> None:
    """Mark the policy changed (hash-bank import): processes reload their cached bank."""
    Policy.objects.filter(pk=policy_id).update(updated_at=timezone.now())
