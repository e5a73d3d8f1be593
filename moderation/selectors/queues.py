"""Review queues as moderators see them: which ones a person may work, and how each stands.

Access to a queue (one rule, used by the picker, by leasing and by the queue list):

- the policy's admins (project admins and senior moderators, and superusers) work every queue
  of the policy: they are the ones who route content and answer for its SLA;
- every moderator of the policy works its unrestricted queues;
- a restricted queue is worked only by its members (and those admins);
- the appeals queue lists content under appeal, which senior moderators decide (on the
  appeals page); it is shown to them only.

Leasing, the queue list, reassigning and opening content by id
(``moderation.selectors.contents.content_get_for_user``) all follow this rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from moderation.choices import AppealState, QueueKind, ReviewTier
from moderation.models import Appeal, Content, Policy, ReviewQueue, ReviewQueueMember
from moderation.selectors.access import (
    MODERATE_ROLES,
    POLICY_ADMIN_ROLES,
    SENIOR_ROLES,
    policies_for_user,
    policy_role,
)

TIER_STATES: dict[str, str] = {ReviewTier.STANDARD: "pending", ReviewTier.SENIOR: "escalated"}


def _admin_policy_ids(user: User, policy_ids: Collection[int]) -> set[int]:
    if user.is_superuser:
        return set(policy_ids)
    return set(
        policies_for_user(user=user, roles=POLICY_ADMIN_ROLES)
        .filter(pk__in=list(policy_ids))
        .values_list("pk", flat=True)
    )


def review_queues_blocked(*, user: User, policy_ids: Iterable[int]) -> list[int]:
    """Ids of the restricted queues of ``policy_ids`` that ``user`` may not work (not a member,
    not an admin of the policy). Leasing and listing leave their content out: one small query,
    so the review queue's index scan is not joined to the queues."""
    policy_ids = list(policy_ids)
    if not policy_ids:
        return []
    admin_of = _admin_policy_ids(user, policy_ids)
    return list(
        ReviewQueue.objects.filter(policy_id__in=policy_ids, restricted=True)
        .exclude(policy_id__in=admin_of)
        .exclude(members__user=user)
        .values_list("pk", flat=True)
    )


def review_queue_may_work(*, queue: ReviewQueue, user: User) -> bool:
    """Whether ``user`` may work ``queue`` (see the module's rule)."""
    role = policy_role(policy=queue.policy, user=user)
    if role not in MODERATE_ROLES:
        return False
    if queue.kind == QueueKind.APPEALS:
        return role in SENIOR_ROLES
    if not queue.restricted or role in POLICY_ADMIN_ROLES:
        return True
    return ReviewQueueMember.objects.filter(queue=queue, user=user).exists()


def review_queue_get_for_user(*, queue_id: int, user: User, roles: Collection[str]) -> ReviewQueue:
    """The queue if the caller has one of ``roles`` in its policy: 404 for outsiders (its
    existence is not revealed), 403 for members without the role."""
    queue = ReviewQueue.objects.select_related("policy__project").filter(pk=queue_id).first()
    if queue is None:
        raise Http404
    role = policy_role(policy=queue.policy, user=user)
    if role is None:
        raise Http404
    if role not in roles:
        raise ApplicationError(
            "Your role does not allow this.",
            extra={"role": role, "allowed_roles": sorted(roles)},
            status_code=403,
        )
    queue.policy.caller_role = role
    return queue


def review_queue_to_work(*, queue_id: int, user: User, tier: str) -> ReviewQueue:
    """The queue the caller asked to work: 404 when its policy is outside their reach, 403 when
    it is restricted to others or is the appeals queue (decided on the appeals page)."""
    roles = SENIOR_ROLES if tier == ReviewTier.SENIOR else MODERATE_ROLES
    queue = review_queue_get_for_user(queue_id=queue_id, user=user, roles=roles)
    if queue.kind == QueueKind.APPEALS:
        raise ApplicationError(
            "Appeals are decided on the appeals page, not leased from the review queue.",
            extra={"queue": queue.pk},
            status_code=400,
        )
    if not review_queue_may_work(queue=queue, user=user):
        raise ApplicationError(
            f"The queue {queue.name!r} is restricted to its members.",
            extra={"queue": queue.pk},
            status_code=403,
        )
    return queue


def policy_queue_list(*, policy: Policy) -> QuerySet[ReviewQueue]:
    """All queues of ``policy`` in their order, with their members (the admins' view)."""
    return (
        ReviewQueue.objects.filter(policy=policy)
        .prefetch_related("members__user")
        .annotate(routing_rule_count=Count("routing_rules", distinct=True))
        .order_by("position", "id")
    )


@dataclass(frozen=True)
class QueueStats:
    """A queue as the picker shows it."""

    queue: ReviewQueue
    depth: int
    oldest_created_at: datetime | None
    sla_at_risk: int
    overdue: int
    sla_warning_minutes: int


def review_queue_stats(
    *, user: User, tier: str = ReviewTier.STANDARD, policy_id: int | None = None
) -> list[QueueStats]:
    """The queues the caller may work (policies where they moderate; for ``senior``, where
    they are senior), each with its depth (open content of the tier not decided yet), its
    oldest item and how many are SLA at risk (due within the policy's warning window, or
    overdue). Appeals queues count open appeals (no SLA). Two grouped queries, whatever the
    number of queues."""
    roles = SENIOR_ROLES if tier == ReviewTier.SENIOR else MODERATE_ROLES
    policies = {p.pk: p for p in policies_for_user(user=user, roles=roles)}
    if policy_id is not None:
        policies = {pk: p for pk, p in policies.items() if pk == policy_id}
    if not policies:
        return []
    blocked = set(review_queues_blocked(user=user, policy_ids=policies))
    senior_of = (
        set(policies)
        if tier == ReviewTier.SENIOR or user.is_superuser
        else set(
            policies_for_user(user=user, roles=SENIOR_ROLES)
            .filter(pk__in=list(policies))
            .values_list("pk", flat=True)
        )
    )
    queues = [
        queue
        for queue in ReviewQueue.objects.filter(policy_id__in=list(policies))
        .select_related("policy")
        .order_by("policy__name", "policy_id", "position", "id")
        if queue.pk not in blocked
        and (queue.kind != QueueKind.APPEALS or queue.policy_id in senior_of)
    ]
    now = timezone.now()
    # Due before this instant (per policy) is at risk: one literal per policy keeps it a single
    # portable query (no interval arithmetic in SQL).
    at_risk = Q(pk__in=[])
    for policy in policies.values():
        at_risk |= Q(
            policy_id=policy.pk,
            sla_due_at__lt=now + timedelta(minutes=policy.sla_warning_minutes),
        )
    defaults = {q.policy_id: q.pk for q in queues if q.kind == QueueKind.DEFAULT}
    rows = (
        Content.objects.filter(policy_id__in=list(policies), state=TIER_STATES[tier])
        .values("policy_id", "queue_id")
        .annotate(
            depth=Count("pk"),
            oldest=Min("created_at"),
            at_risk=Count("pk", filter=at_risk),
            overdue=Count("pk", filter=Q(sla_due_at__lt=now)),
        )
        .order_by()
    )
    by_queue: dict[int, dict] = {}
    for row in rows:
        # Content without a queue waits in its policy's default queue.
        queue_id = row["queue_id"] or defaults.get(row["policy_id"])
        if queue_id is None:
            continue
        into = by_queue.setdefault(queue_id, {"depth": 0, "oldest": None, "at_risk": 0,
                                              "overdue": 0})  # fmt: skip
        into["depth"] += row["depth"]
        into["at_risk"] += row["at_risk"]
        into["overdue"] += row["overdue"]
        if row["oldest"] is not None and (into["oldest"] is None or row["oldest"] < into["oldest"]):
            into["oldest"] = row["oldest"]
    appeal_queues = [q.pk for q in queues if q.kind == QueueKind.APPEALS]
    if appeal_queues:
        for appeal_row in (
            Appeal.objects.filter(state=AppealState.OPEN, content__queue_id__in=appeal_queues)
            .values("content__queue_id")
            .annotate(depth=Count("pk"), oldest=Min("created_at"))
            .order_by()
        ):
            by_queue[appeal_row["content__queue_id"]] = {
                "depth": appeal_row["depth"], "oldest": appeal_row["oldest"], "at_risk": 0,
                "overdue": 0,
            }  # fmt: skip
    return [
        QueueStats(
            queue=queue,
            depth=by_queue.get(queue.pk, {}).get("depth", 0),
            oldest_created_at=by_queue.get(queue.pk, {}).get("oldest"),
            sla_at_risk=by_queue.get(queue.pk, {}).get("at_risk", 0),
            overdue=by_queue.get(queue.pk, {}).get("overdue", 0),
            sla_warning_minutes=queue.policy.sla_warning_minutes,
        )
        for queue in queues
    ]


def policy_of_queue(*, queue_id: int) -> Policy:
    """The policy a queue belongs to (404 when there is no such queue)."""
    policy_id = ReviewQueue.objects.filter(pk=queue_id).values_list("policy_id", flat=True).first()
    if policy_id is None:
        raise Http404
    return Policy(pk=policy_id)


def content_queue_blocked_q(*, user: User, policy_ids: Iterable[int]) -> Q:
    """A filter on contents keeping only those in queues ``user`` may work."""
    blocked = review_queues_blocked(user=user, policy_ids=policy_ids)
    return ~Q(queue_id__in=blocked) if blocked else Q()


def contents_moderated_by(
    *, user: User, roles: Collection[str] = MODERATE_ROLES
) -> QuerySet[Content]:
    """Contents ``user`` may moderate: of the policies where they have one of ``roles``, and
    not in a restricted queue they may not work. The review list, search and similar content
    start from it."""
    policy_ids = list(policies_for_user(user=user, roles=roles).values_list("pk", flat=True))
    return Content.objects.filter(
        content_queue_blocked_q(user=user, policy_ids=policy_ids), policy_id__in=policy_ids
    )


def contents_in_queue(*, queue: ReviewQueue) -> Q:
    """A filter on contents: those waiting in ``queue`` (the default queue also holds content
    that has none)."""
    if queue.kind == QueueKind.DEFAULT:
        return Q(queue_id=queue.pk) | Q(queue__isnull=True, policy_id=queue.policy_id)
    return Q(queue_id=queue.pk)
