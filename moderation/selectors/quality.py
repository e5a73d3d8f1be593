"""Reading quality work: the review panel as a moderator holding a gold item or a second review
sees it (like any queue content), the thread around a content, and the quality dashboard."""

import copy
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, F, Q
from django.utils import timezone

from moderation.choices import AppealState, ContentState, QualityTaskKind, ReviewTier
from moderation.models import (
    Appeal,
    Content,
    Decision,
    GoldItem,
    Policy,
    QualityTask,
    RuleHitLog,
)
from moderation.selectors.access import MODERATE_ROLES, POLICY_ADMIN_ROLES, policies_for_user
from moderation.selectors.contents import content_detail
from moderation.selectors.queues import review_queues_blocked

THREAD_ANCESTORS = 5
THREAD_SIBLINGS = 3  # on each side of the content, nearest in time
THREAD_TEXT_CHARS = 2000


def quality_task_held(*, content: Content, user: User) -> QualityTask | None:
    """The unanswered quality task ``user`` holds on ``content`` (lease running), if any."""
    return (
        QualityTask.objects.filter(
            content_id=content.pk,
            reviewer=user,
            answered_at__isnull=True,
            lease_expires_at__gt=timezone.now(),
        )
        .select_related("reason_code")
        .order_by("-id")
        .first()
    )


def _moderated_policy_ids(user: User) -> list[int]:
    return list(policies_for_user(user=user, roles=MODERATE_ROLES).values_list("pk", flat=True))


# --- the thread ---------------------------------------------------------------------------


def _thread_row(content: Content) -> dict[str, Any]:
    context = content.context if isinstance(content.context, dict) else {}
    name = context.get("author_display_name")
    return {
        "id": content.pk,
        "external_id": content.external_id,
        "author_name": name if isinstance(name, str) and name else None,
        "author_id": content.author.external_id if content.author is not None else None,
        "text": (content.item.text or "")[:THREAD_TEXT_CHARS] if content.item.text else None,
        "has_image": bool(content.item.image),
        "state": content.state,
        "created_at": content.created_at,
        # Filled by the API with where the content's policy's text banks match (masking).
        "policy_id": content.policy_id,
        "flagged_segments": [],
    }


def content_thread(*, content: Content, user: User) -> dict[str, Any]:
    """The conversation around ``content``: its ancestors (parent first up to
    ``THREAD_ANCESTORS``, shown oldest first) and up to ``THREAD_SIBLINGS`` replies to the same
    parent on each side in time. Only the same platform's content is looked up, and only
    content of policies ``user`` moderates is shown (the walk up stops at one they may not see).

    ``parent_missing``: a parent id was sent but no visible content of the platform has it."""
    visible = set(_moderated_policy_ids(user))
    # Content in a restricted queue the caller may not work stays out of the thread too.
    blocked = set(review_queues_blocked(user=user, policy_ids=visible))
    related = ("item", "author")
    ancestors: list[Content] = []
    seen = {content.external_id}
    parent_id = content.parent_external_id
    parent_missing = False
    while parent_id and len(ancestors) < THREAD_ANCESTORS and parent_id not in seen:
        seen.add(parent_id)
        parent = (
            Content.objects.select_related(*related)
            .filter(platform_id=content.platform_id, external_id=parent_id)
            .first()
        )
        if parent is None or parent.policy_id not in visible or parent.queue_id in blocked:
            parent_missing = not ancestors
            break
        ancestors.append(parent)
        parent_id = parent.parent_external_id
    siblings: list[Content] = []
    if content.parent_external_id:
        base = (
            Content.objects.select_related(*related)
            .filter(
                platform_id=content.platform_id,
                parent_external_id=content.parent_external_id,
                policy_id__in=visible,
            )
            .exclude(pk=content.pk)
            .exclude(queue_id__in=blocked)
        )
        at = content.created_at
        before = base.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=content.pk)).order_by(
            "-created_at", "-id"
        )[:THREAD_SIBLINGS]
        after = base.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=content.pk)).order_by(
            "created_at", "id"
        )[:THREAD_SIBLINGS]
        siblings = sorted([*before, *after], key=lambda c: (c.created_at, c.pk))
    return {
        "parent_id": content.parent_external_id or None,
        "parent_missing": parent_missing,
        "ancestors": [_thread_row(c) for c in reversed(ancestors)],
        "siblings": [_thread_row(c) for c in siblings],
        "position": sum(
            1 for c in siblings if (c.created_at, c.pk) < (content.created_at, content.pk)
        ),
    }


# --- the review panel ----------------------------------------------------------------------


def review_panel(*, content: Content, user: User, bank_spans: Sequence[Any] = ()) -> dict[str, Any]:
    """``content_detail`` plus the thread; for content the caller holds as quality work (a gold
    item or a second review) it reads exactly as open queue content they hold: pending,
    standard tier, their lease, no decisions or appeals shown (the first decision stays
    unseen)."""
    detail = content_detail(content=content, user=user, bank_spans=bank_spans)
    task = quality_task_held(content=content, user=user)
    if task is not None:
        shown = copy.copy(content)
        shown.state = ContentState.PENDING
        shown.tier = ReviewTier.STANDARD
        shown.decided_at = None
        shown.leased_by = user
        shown.lease_expires_at = task.lease_expires_at
        detail["content"] = shown
        detail["decisions"] = []
        detail["appeals"] = []
    detail["thread"] = content_thread(content=content, user=user)
    return detail


# --- gold items -----------------------------------------------------------------------------


def gold_items_of_policy(*, policy_id: int):
    return (
        GoldItem.objects.filter(policy_id=policy_id)
        .select_related("content__item")
        .annotate(
            answers_count=Count("answers", filter=Q(answers__answered_at__isnull=False)),
            correct_count=Count("answers", filter=Q(answers__matches=True)),
        )
        .order_by("-created_at", "-id")
    )


# --- the dashboard ----------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def quality_dashboard(
    *, user: User, since: datetime, until: datetime, policy_id: int | None = None
) -> dict[str, Any]:
    """Figures of the period ``[since, until)``.

    Per moderator: accuracy on gold items only (answers matching the known decision, with the
    count), agreement with peers on second reviews (counted for both the first moderator and
    the reviewer), appeal overturn rate of their decisions (appeals decided in the period), and
    their decisions (human, any action). Per policy: automated vs manual share of final
    decisions, SLA met share of manual final decisions, and hits per rule.

    Policy admins (admin, senior moderator) see everyone in their policies and the per-policy
    figures; moderators see their own row only."""
    managed = set(
        policies_for_user(user=user, roles=POLICY_ADMIN_ROLES).values_list("pk", flat=True)
    )
    moderated = set(_moderated_policy_ids(user))
    if policy_id is not None:
        managed &= {policy_id}
        moderated &= {policy_id}
    own_only = moderated - managed

    def scoped(policy_field: str, user_field: str) -> Q:
        return Q(**{f"{policy_field}__in": managed}) | Q(
            **{f"{policy_field}__in": own_only, user_field: user.pk}
        )

    rows: dict[int, dict[str, Any]] = {}

    def row(user_id: int, name: str) -> dict[str, Any]:
        if user_id not in rows:
            rows[user_id] = {
                "user_id": user_id,
                "username": name,
                "gold_answered": 0,
                "gold_correct": 0,
                "second_reviews": 0,
                "agreements": 0,
                "appeals_decided": 0,
                "overturned": 0,
                "decisions": 0,
            }
        return rows[user_id]

    answered = QualityTask.objects.filter(
        scoped("content__policy_id", "reviewer_id"),
        answered_at__gte=since,
        answered_at__lt=until,
        reviewer__isnull=False,
    )
    for gold_row in (
        answered.filter(kind=QualityTaskKind.GOLD)
        .values("reviewer_id", "reviewer__username")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(matches=True)))
    ):
        one = row(gold_row["reviewer_id"], gold_row["reviewer__username"])
        one["gold_answered"] += gold_row["n"]
        one["gold_correct"] += gold_row["ok"]
    doubles = QualityTask.objects.filter(
        kind=QualityTaskKind.DOUBLE, answered_at__gte=since, answered_at__lt=until
    )
    for who, name in (
        ("reviewer_id", "reviewer__username"),
        ("first_decision__moderator_id", "first_decision__moderator__username"),
    ):
        for double_row in (
            doubles.filter(scoped("content__policy_id", who), **{f"{who}__isnull": False})
            .values(who, name)
            .annotate(n=Count("id"), ok=Count("id", filter=Q(matches=True)))
        ):
            one = row(double_row[who], double_row[name])
            one["second_reviews"] += double_row["n"]
            one["agreements"] += double_row["ok"]
    for appeal_row in (
        Appeal.objects.filter(
            scoped("content__policy_id", "decision__moderator_id"),
            state__in=[AppealState.UPHELD, AppealState.OVERTURNED],
            decided_at__gte=since,
            decided_at__lt=until,
            decision__moderator__isnull=False,
        )
        .values("decision__moderator_id", "decision__moderator__username")
        .annotate(n=Count("id"), over=Count("id", filter=Q(state=AppealState.OVERTURNED)))
    ):
        one = row(appeal_row["decision__moderator_id"], appeal_row["decision__moderator__username"])
        one["appeals_decided"] += appeal_row["n"]
        one["overturned"] += appeal_row["over"]
    for decision_row in (
        Decision.objects.filter(
            scoped("content__policy_id", "moderator_id"),
            automated=False,
            moderator__isnull=False,
            created_at__gte=since,
            created_at__lt=until,
        )
        .values("moderator_id", "moderator__username")
        .annotate(n=Count("id"))
    ):
        row(decision_row["moderator_id"], decision_row["moderator__username"])["decisions"] += (
            decision_row["n"]
        )
    moderators = []
    for one in sorted(rows.values(), key=lambda entry: entry["username"]):
        one["gold_accuracy"] = _share(one["gold_correct"], one["gold_answered"])
        one["agreement"] = _share(one["agreements"], one["second_reviews"])
        one["overturn_rate"] = _share(one["overturned"], one["appeals_decided"])
        moderators.append(one)

    policies = []
    if managed:
        final = Decision.objects.filter(
            content__policy_id__in=managed,
            is_final=True,
            created_at__gte=since,
            created_at__lt=until,
        )
        by_policy: dict[int, dict[str, Any]] = defaultdict(dict)
        for final_row in final.values("content__policy_id").annotate(
            auto=Count("id", filter=Q(automated=True)),
            manual=Count("id", filter=Q(automated=False)),
            sla_total=Count("id", filter=Q(automated=False, content__sla_due_at__isnull=False)),
            sla_met=Count(
                "id",
                filter=Q(
                    automated=False,
                    content__sla_due_at__isnull=False,
                    created_at__lte=F("content__sla_due_at"),
                ),
            ),
        ):
            by_policy[final_row["content__policy_id"]] = dict(final_row)
        hits: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for hit_row in (
            RuleHitLog.objects.filter(
                rule__policy_id__in=managed, created_at__gte=since, created_at__lt=until
            )
            .values("rule_id", "rule__name", "rule__status", "rule__policy_id")
            .annotate(n=Count("id"), acted=Count("id", filter=Q(acted=True)))
            .order_by("-n", "rule__name")
        ):
            hits[hit_row["rule__policy_id"]].append(
                {
                    "rule": hit_row["rule_id"],
                    "rule_name": hit_row["rule__name"],
                    "status": hit_row["rule__status"],
                    "hits": hit_row["n"],
                    "acted": hit_row["acted"],
                }
            )
        for policy in Policy.objects.filter(pk__in=managed).order_by("name", "id"):
            figures = by_policy.get(policy.pk, {})
            auto, manual = figures.get("auto", 0), figures.get("manual", 0)
            policies.append(
                {
                    "policy": policy.pk,
                    "policy_name": policy.name,
                    "automated": auto,
                    "manual": manual,
                    "automated_share": _share(auto, auto + manual),
                    "sla_total": figures.get("sla_total", 0),
                    "sla_met": figures.get("sla_met", 0),
                    "sla_met_share": _share(figures.get("sla_met", 0), figures.get("sla_total", 0)),
                    "rule_hits": hits.get(policy.pk, []),
                }
            )
    return {
        "since": since,
        "until": until,
        "scope": "managed" if managed else "own",
        "moderators": moderators,
        "policies": policies,
    }
