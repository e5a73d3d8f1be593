"""The review queue: priorities, and leases on content for moderators.

A content is open while its state is ``pending`` (standard tier) or ``escalated`` (senior
tier). ``review_next`` hands out the highest-priority open content nobody else holds, on a
lease (``Content.leased_by`` / ``lease_expires_at``); an expired lease simply stops counting,
so no sweep is needed for content to come back.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from moderation.choices import SCORE_USED_LEVELS, ContentState, RevealKind, ReviewTier
from moderation.models import Content, PolicyCategory, ReviewQueue
from moderation.selectors.access import MODERATE_ROLES, SENIOR_ROLES, policy_role
from moderation.selectors.queues import (
    content_queue_blocked_q,
    contents_in_queue,
    review_queue_may_work,
)
from moderation.services.wellness import content_reveal_record

LEASE_DURATION = timedelta(minutes=5)
# The score used for content no model scored (human-only policies, no production model yet):
# neither first nor last in line.
UNSCORED = 0.5
# Open contents recomputed per UPDATE by the periodic refresh.
REFRESH_BATCH = 1000

TIER_STATE: dict[str, ContentState] = {
    ReviewTier.STANDARD: ContentState.PENDING,
    ReviewTier.SENIOR: ContentState.ESCALATED,
}
TIER_ROLES = {ReviewTier.STANDARD: MODERATE_ROLES, ReviewTier.SENIOR: SENIOR_ROLES}


def review_priority(
    *, severity: int, score: float | None, reports: int, age_hours: float, sla_hours: float
) -> float:
    """severity * model score * (1 + distinct reports) * age factor.

    The age factor grows by one per SLA window the content has waited (1 when new, 2 at its
    deadline, more once overdue), so old content rises above new content of the same risk.
    """
    window = max(sla_hours, 1.0)
    age_factor = 1.0 + max(age_hours, 0.0) / window
    risk = UNSCORED if score is None else max(score, 0.0)
    return float(max(severity, 1)) * risk * (1 + max(reports, 0)) * age_factor


def _category_for(content: Content, categories: dict[int, PolicyCategory]) -> PolicyCategory | None:
    if content.top_category_id is not None:
        return categories.get(content.top_category_id)
    # No model said which category: the policy's most severe one (the queue errs on caution).
    policy_categories = [c for c in categories.values() if c.policy_id == content.policy_id]
    return max(policy_categories, key=lambda c: (c.severity, -c.pk), default=None)


def _priority_fields(
    content: Content, categories: dict[int, PolicyCategory], now: datetime
) -> tuple[float, datetime]:
    category = _category_for(content, categories)
    sla_hours = category.sla_hours if category is not None else 24
    severity = category.severity if category is not None else 1
    # A hash-bank match is as sure as a model score can be. The model's score orders the queue
    # only where the policy lets the model act or advise: in human-only and shadow mode it
    # must not steer what people see first.
    level = (content.scores or {}).get("level")
    model_score = content.model_score if level in SCORE_USED_LEVELS else None
    score = 1.0 if content.hash_match else model_score
    age_hours = (now - content.created_at).total_seconds() / 3600
    priority = review_priority(
        severity=severity,
        score=score,
        reports=content.report_count,
        age_hours=age_hours,
        sla_hours=sla_hours,
    )
    sla_due_at = content.sla_due_at or content.created_at + timedelta(hours=sla_hours)
    return priority, sla_due_at


def _refresh(contents: Iterable[Content], now: datetime) -> int:
    contents = list(contents)
    if not contents:
        return 0
    policy_ids = {c.policy_id for c in contents}
    categories = {c.pk: c for c in PolicyCategory.objects.filter(policy_id__in=policy_ids)}
    for content in contents:
        content.priority, content.sla_due_at = _priority_fields(content, categories, now)
    Content.objects.bulk_update(contents, ["priority", "sla_due_at"])
    return len(contents)


def content_priority_refresh(*, content: Content) -> Content:
    """Compute ``content``'s priority (and its SLA deadline when intake set none) again, e.g.
    when reports arrive. Writes both fields; works on closed content too (harmless)."""
    _refresh([content], timezone.now())
    return content


def review_priorities_refresh(*, now: datetime | None = None) -> int:
    """Recompute the priority of all open content (age changes it every minute); returns how
    many rows it wrote. Batches of ``REFRESH_BATCH``, one bulk UPDATE each."""
    now = now or timezone.now()
    open_ids = list(
        Content.objects.filter(state__in=list(TIER_STATE.values()))
        .order_by("id")
        .values_list("id", flat=True)
    )
    written = 0
    for start in range(0, len(open_ids), REFRESH_BATCH):
        batch = open_ids[start : start + REFRESH_BATCH]
        with transaction.atomic():
            written += _refresh(Content.objects.filter(pk__in=batch).order_by("id"), now)
    return written


def _free(now: datetime, user: User) -> Q:
    """Content nobody else holds: no lease, an expired one, or the caller's own."""
    return Q(leased_by__isnull=True) | Q(lease_expires_at__lte=now) | Q(leased_by=user)


def review_next(
    *,
    user: User,
    tier: str,
    policy_ids: Iterable[int],
    category_id: int | None = None,
    exclude: Iterable[int] = (),
    queue: ReviewQueue | None = None,
) -> Content | None:
    """Lease the highest-priority open content of ``tier`` in ``policy_ids`` (the policies
    where the caller has the tier's role) to ``user`` for five minutes; None when nothing is
    left. Only content in queues the caller may work is ever leased
    (``moderation.selectors.queues``), whether or not ``queue`` narrows it to one queue; a
    ``queue`` the caller may not work leases nothing. Content the caller already holds comes
    back first if it is still the most urgent: asking again never hides it from them.
    ``exclude``: content ids the caller skipped in this session (passed over, not released
    by this call).

    On PostgreSQL the row is locked with ``SKIP LOCKED``, so two moderators asking at once get
    different content without waiting for each other; SQLite serialises the transactions.
    """
    now = timezone.now()
    policy_ids = list(policy_ids)
    if queue is not None:
        if queue.policy_id not in policy_ids or not review_queue_may_work(queue=queue, user=user):
            return None
        policy_ids = [queue.policy_id]
    with transaction.atomic():
        candidates = Content.objects.filter(
            _free(now, user),
            content_queue_blocked_q(user=user, policy_ids=policy_ids),
            state=TIER_STATE[tier],
            policy_id__in=policy_ids,
        )
        if queue is not None:
            candidates = candidates.filter(contents_in_queue(queue=queue))
        if category_id is not None:
            candidates = candidates.filter(top_category_id=category_id)
        exclude = list(exclude)
        if exclude:
            candidates = candidates.exclude(pk__in=exclude)
        candidates = candidates.order_by("-priority", "id")
        if connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        content = candidates.first()
        if content is None:
            return None
        content.leased_by = user
        content.lease_expires_at = now + LEASE_DURATION
        content.save(update_fields=["leased_by", "lease_expires_at"])
    return content


def _locked(content: Content) -> Content:
    return Content.objects.select_for_update().get(pk=content.pk)


def _require_lease(content: Content, user: User, now: datetime) -> None:
    if content.leased_by_id != user.pk or content.lease_expires_at is None:
        raise ApplicationError(
            "You do not hold this content: ask for content with queue/next/.",
            extra={"content": content.pk},
            status_code=409,
        )
    if content.lease_expires_at <= now:
        raise ApplicationError(
            "Your lease on this content expired; it went back to the queue.",
            extra={"content": content.pk},
            status_code=409,
        )


@transaction.atomic
def review_renew(*, content: Content, user: User) -> Content:
    """Extend the caller's running lease by five minutes from now; 409 without one."""
    now = timezone.now()
    locked = _locked(content)
    _require_lease(locked, user, now)
    locked.lease_expires_at = now + LEASE_DURATION
    locked.save(update_fields=["lease_expires_at"])
    return locked


@transaction.atomic
def review_release(*, content: Content, user: User) -> None:
    """Give the content back to the queue. Releasing what one does not hold does nothing."""
    locked = _locked(content)
    if locked.leased_by_id == user.pk:
        locked.leased_by = None
        locked.lease_expires_at = None
        locked.save(update_fields=["leased_by", "lease_expires_at"])


@transaction.atomic
def review_reassign(*, content: Content, user: User, target: User) -> Content:
    """Hand open content to ``target`` on a fresh lease (a senior's action). The target must
    have a moderation role on the policy's project (for escalated content, a senior one).

    Refuses: closed content (409); a target without the role, or who may not work the
    content's queue (400).
    Side effects: audit record ``content.reassign``.
    """
    locked = _locked(content)
    if locked.state not in TIER_STATE.values():
        raise ApplicationError(
            "This content is already decided; there is nothing to reassign.",
            extra={"content": locked.pk, "state": locked.state},
            status_code=409,
        )
    needed = SENIOR_ROLES if locked.state == ContentState.ESCALATED else MODERATE_ROLES
    role = policy_role(policy=locked.policy, user=target)
    if role not in needed or not target.is_active:
        raise ApplicationError(
            f"{target.get_username()} cannot review this content: they need one of the roles "
            f"{', '.join(sorted(needed))} in the policy's project.",
            extra={"user_id": target.pk, "role": role, "allowed_roles": sorted(needed)},
        )
    queue = locked.queue
    if queue is not None and not review_queue_may_work(queue=queue, user=target):
        raise ApplicationError(
            f"{target.get_username()} cannot review this content: it waits in the restricted "
            f"queue {queue.name!r}, which they are not a member of.",
            extra={"user_id": target.pk, "queue": locked.queue_id},
        )
    before = {"leased_by": locked.leased_by_id}
    locked.leased_by = target
    locked.lease_expires_at = timezone.now() + LEASE_DURATION
    locked.save(update_fields=["leased_by", "lease_expires_at"])
    audit_record(
        actor=user,
        action="content.reassign",
        object_type="moderation.content",
        object_id=locked.pk,
        scope=f"moderation.policy:{locked.policy_id}",
        before=before,
        after={"leased_by": target.pk},
    )
    return locked


def content_image_reveal(*, content: Content, user: User) -> None:
    """Record that ``user`` is shown the full image of ``content``.

    Side effects: one ``content.reveal`` audit record, committed before the caller sends a
    byte of the image (no reveal goes unrecorded); for graphic content, the day's exposure
    (``moderation.services.wellness.content_reveal_record``).
    """
    content_reveal_record(content=content, user=user, kind=RevealKind.IMAGE)
