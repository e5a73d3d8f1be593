"""Quality of moderation: gold items mixed into the review queue and independent second
reviews of decided content.

Both are served by ``review_quality_next`` exactly as queue content is (the same panel, the
same lease length) and answered through the same decide endpoint; an answer is recorded as a
``QualityTask`` and nothing else: no decision, no state change, no webhook, no annotation
(training label), no strike. Which content is quality work is never told to the moderator.
"""

import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from moderation.choices import (
    AuthorAction,
    ContentState,
    DecisionAction,
    QualityTaskKind,
    ReviewTier,
)
from moderation.models import Content, Decision, GoldItem, Policy, QualitySettings, QualityTask
from moderation.services.decisions import check_author_action, reason_code_for
from moderation.services.review import LEASE_DURATION, review_next

DECIDED_STATES = (ContentState.ALLOWED, ContentState.REMOVED)


def _scope(policy_id: int) -> str:
    return f"moderation.policy:{policy_id}"


# --- settings and gold items (policy admins) -----------------------------------------------


def quality_settings_get(*, policy: Policy) -> QualitySettings:
    """The policy's settings; unsaved zeros when never set."""
    found = QualitySettings.objects.filter(policy=policy).first()
    return found or QualitySettings(policy=policy)


@transaction.atomic
def quality_settings_update(
    *,
    policy: Policy,
    user: User,
    gold_rate: float | None = None,
    double_review_rate: float | None = None,
) -> QualitySettings:
    """Set the gold rate and/or the double-review rate of ``policy``.

    Side effects: audit ``quality_settings.update`` with the values before and after."""
    settings_row, _ = QualitySettings.objects.select_for_update().get_or_create(policy=policy)
    before = {
        "gold_rate": settings_row.gold_rate,
        "double_review_rate": settings_row.double_review_rate,
    }
    if gold_rate is not None:
        settings_row.gold_rate = gold_rate
    if double_review_rate is not None:
        settings_row.double_review_rate = double_review_rate
    settings_row.updated_by = user
    settings_row.save()
    audit_record(
        actor=user,
        action="quality_settings.update",
        object_type="moderation.policy",
        object_id=policy.pk,
        scope=_scope(policy.pk),
        before=before,
        after={
            "gold_rate": settings_row.gold_rate,
            "double_review_rate": settings_row.double_review_rate,
        },
    )
    return settings_row


def _final_decision(content: Content) -> Decision | None:
    return Decision.objects.filter(content=content, is_final=True, superseded=False).first()


@transaction.atomic
def gold_item_create(
    *, policy: Policy, user: User, content: Content, expected_action: str = "", note: str = ""
) -> GoldItem:
    """Make decided ``content`` of ``policy`` a gold item. ``expected_action`` (approve or
    remove) defaults to the content's standing final decision.

    Refuses (400): content of another policy, content still open, an action other than approve
    or remove; (409) content that is a gold item already.
    Side effects: audit ``gold_item.create``."""
    if content.policy_id != policy.pk:
        raise ApplicationError(
            "This content is not under this policy.", extra={"content": content.pk}
        )
    if content.state not in DECIDED_STATES:
        raise ApplicationError(
            "Only decided content can be a gold item: decide it first.",
            extra={"content": content.pk, "state": content.state},
        )
    if not expected_action:
        final = _final_decision(content)
        expected_action = (
            final.action
            if final is not None
            else (
                DecisionAction.APPROVE
                if content.state == ContentState.ALLOWED
                else DecisionAction.REMOVE
            )
        )
    if expected_action not in (DecisionAction.APPROVE, DecisionAction.REMOVE):
        raise ApplicationError(
            "A gold item's correct decision is approve or remove.",
            extra={"expected_action": expected_action},
        )
    if GoldItem.objects.filter(content=content).exists():
        raise ApplicationError(
            "This content is a gold item already.", extra={"content": content.pk}, status_code=409
        )
    gold = GoldItem.objects.create(
        policy=policy, content=content, expected_action=expected_action, note=note, created_by=user
    )
    audit_record(
        actor=user,
        action="gold_item.create",
        object_type="moderation.gold_item",
        object_id=gold.pk,
        scope=_scope(policy.pk),
        after={"content": content.pk, "expected_action": expected_action, "note": note},
    )
    return gold


@transaction.atomic
def gold_item_retire(*, gold: GoldItem, user: User) -> GoldItem:
    """Stop serving a gold item (its answers stay counted). Side effects: audit
    ``gold_item.retire``."""
    if gold.active:
        gold.active = False
        gold.save(update_fields=["active"])
        audit_record(
            actor=user,
            action="gold_item.retire",
            object_type="moderation.gold_item",
            object_id=gold.pk,
            scope=_scope(gold.policy_id),
            before={"active": True},
            after={"active": False},
        )
    return gold


# --- the queue -----------------------------------------------------------------------------


def _release(task: QualityTask) -> None:
    # A gold item passed over stays shown to that person: it is never served to them again (they
    # may have looked it up since, and would know its answer).
    if task.kind == QualityTaskKind.GOLD:
        task.lease_expires_at = None
        task.save(update_fields=["lease_expires_at"])
    else:
        task.reviewer = None
        task.reviewer_name = ""
        task.lease_expires_at = None
        task.save(update_fields=["reviewer", "reviewer_name", "lease_expires_at"])


def _lock(queryset):
    if connection.vendor == "postgresql":
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def _gold_policies(policy_ids: list[int], draw: float) -> list[int]:
    """Policies whose gold rate is above the draw: each policy's gold share of the items
    handed out is its rate."""
    return list(
        QualitySettings.objects.filter(policy_id__in=policy_ids, gold_rate__gt=draw).values_list(
            "policy_id", flat=True
        )
    )


def _serve_gold(
    *, user: User, policy_ids: list[int], category_id: int | None, exclude: list[int], now: datetime
) -> Content | None:
    shown_to_user = QualityTask.objects.filter(gold_item=OuterRef("pk"), reviewer=user)
    decided_by_user = Decision.objects.filter(content=OuterRef("content_id"), moderator=user)
    candidates = (
        GoldItem.objects.filter(active=True, policy_id__in=policy_ids)
        .exclude(content_id__in=exclude)
        .exclude(Exists(shown_to_user))
        .exclude(Exists(decided_by_user))
    )
    if category_id is not None:
        candidates = candidates.filter(content__top_category_id=category_id)
    gold = candidates.order_by("?").first()
    if gold is None:
        return None
    try:
        with transaction.atomic():
            QualityTask.objects.create(
                kind=QualityTaskKind.GOLD,
                gold_item=gold,
                content_id=gold.content_id,
                reviewer=user,
                reviewer_name=user.get_username(),
                lease_expires_at=now + LEASE_DURATION,
            )
    except IntegrityError:  # the same person asking twice at once: the other call serves it
        return None
    return gold.content


def _serve_second_review(
    *, user: User, policy_ids: list[int], category_id: int | None, exclude: list[int], now: datetime
) -> Content | None:
    decided_by_user = Decision.objects.filter(content=OuterRef("content_id"), moderator=user)
    candidates = (
        QualityTask.objects.filter(
            Q(reviewer__isnull=True) | Q(lease_expires_at__lte=now) | Q(reviewer=user),
            kind=QualityTaskKind.DOUBLE,
            answered_at__isnull=True,
            content__policy_id__in=policy_ids,
        )
        .exclude(content_id__in=exclude)
        .exclude(Exists(decided_by_user))
    )
    if category_id is not None:
        candidates = candidates.filter(content__top_category_id=category_id)
    task = _lock(candidates.order_by("id")).first()
    if task is None:
        return None
    task.reviewer = user
    task.reviewer_name = user.get_username()
    task.lease_expires_at = now + LEASE_DURATION
    task.save(update_fields=["reviewer", "reviewer_name", "lease_expires_at"])
    return Content.objects.get(pk=task.content_id)


def review_quality_next(
    *,
    user: User,
    tier: str,
    policy_ids: Iterable[int],
    category_id: int | None = None,
    exclude: Iterable[int] = (),
    rng: random.Random | None = None,
) -> Content | None:
    """``review_next`` with quality work mixed in (standard tier only): first what the caller
    already holds, then, with each policy's gold rate as probability, a gold item never shown to
    them before (never content they decided themselves); then a second review waiting for someone
    other than its first moderator; otherwise the queue's next content.

    Side effects: a lease on a ``QualityTask`` (quality work) or on the content (the queue).
    Quality tasks the caller held on content in ``exclude`` (skipped) are released."""
    policy_ids = list(policy_ids)
    exclude = list(exclude)
    if tier != ReviewTier.STANDARD or not policy_ids:
        return review_next(
            user=user, tier=tier, policy_ids=policy_ids, category_id=category_id, exclude=exclude
        )
    now = timezone.now()
    with transaction.atomic():
        held = list(
            QualityTask.objects.select_for_update(of=("self",))
            .filter(reviewer=user, answered_at__isnull=True, lease_expires_at__gt=now)
            .order_by("id")
        )
        for task in held:
            if task.content_id in exclude:
                _release(task)
        kept = [t for t in held if t.content_id not in exclude]
        mine = Content.objects.filter(
            pk__in=[t.content_id for t in kept], policy_id__in=policy_ids
        ).first()
        if mine is not None:
            return mine
        draw = (rng or random).random()
        gold_policies = _gold_policies(policy_ids, draw)
        if gold_policies:
            served = _serve_gold(
                user=user,
                policy_ids=gold_policies,
                category_id=category_id,
                exclude=exclude,
                now=now,
            )
            if served is not None:
                return served
        served = _serve_second_review(
            user=user, policy_ids=policy_ids, category_id=category_id, exclude=exclude, now=now
        )
        if served is not None:
            return served
    return review_next(
        user=user, tier=tier, policy_ids=policy_ids, category_id=category_id, exclude=exclude
    )


@transaction.atomic
def quality_task_renew(*, task: QualityTask) -> QualityTask:
    task.lease_expires_at = timezone.now() + LEASE_DURATION
    task.save(update_fields=["lease_expires_at"])
    return task


@transaction.atomic
def quality_task_release(*, task: QualityTask) -> None:
    _release(task)


def quality_task_refuse_unheld(*, content: Content, user: User) -> None:
    """Deciding quality work one no longer holds (released, expired, answered) is refused as for
    queue content one does not hold, never as "already decided", which would tell it apart."""
    if QualityTask.objects.filter(content_id=content.pk, reviewer=user).exists():
        raise ApplicationError(
            "You do not hold this content: ask for content with queue/next/.",
            extra={"content": content.pk},
            status_code=409,
        )


# --- answers --------------------------------------------------------------------------------


@transaction.atomic
def quality_answer_record(
    *,
    task: QualityTask,
    user: User,
    action: str,
    reason_code: str,
    note: str = "",
    author_action: str = AuthorAction.NONE,
    suspend_days: int | None = None,
    time_spent_ms: int | None = None,
) -> QualityTask:
    """The caller's answer on the quality task they hold, checked like a decision (the same
    400s for reason codes and author actions) and recorded as the task's answer only.

    Side effects: audit ``quality_task.answer`` (the answer and whether it matched). Never a
    decision, a state change, a webhook, a strike or a training label."""
    locked = (
        QualityTask.objects.select_for_update(of=("self",))
        .select_related("gold_item", "first_decision")
        .get(pk=task.pk)
    )
    content = Content.objects.select_related("policy").get(pk=locked.content_id)
    if (
        locked.reviewer_id != user.pk
        or locked.answered_at is not None
        or locked.lease_expires_at is None
        or locked.lease_expires_at <= timezone.now()
    ):
        raise ApplicationError(
            "You do not hold this content: ask for content with queue/next/.",
            extra={"content": content.pk},
            status_code=409,
        )
    reason = reason_code_for(content=content, code=reason_code, action=action)
    check_author_action(
        content=content, action=action, author_action=author_action, suspend_days=suspend_days
    )
    if locked.kind == QualityTaskKind.GOLD:
        expected = locked.gold_item.expected_action if locked.gold_item else ""
    else:
        expected = locked.first_decision.action if locked.first_decision else ""
    locked.action = action
    locked.reason_code = reason
    locked.note = note
    locked.time_spent_ms = time_spent_ms
    locked.matches = action == expected
    locked.answered_at = timezone.now()
    locked.lease_expires_at = None
    locked.save()
    audit_record(
        actor=user,
        action="quality_task.answer",
        object_type="moderation.quality_task",
        object_id=locked.pk,
        scope=_scope(content.policy_id),
        after={
            "kind": locked.kind,
            "content": content.pk,
            "action": action,
            "reason_code": reason.code if reason is not None else None,
            "matches": locked.matches,
        },
    )
    return locked


def quality_answer_as_decision(
    *,
    task: QualityTask,
    content: Content,
    suggestion: dict[str, Any],
    author_action: str = AuthorAction.NONE,
    suspend_days: int | None = None,
) -> Decision:
    """The answer as an unsaved ``Decision`` (never stored), for the decide endpoint to answer
    in the very shape it answers a decision with."""
    return Decision(
        id=task.pk,
        content=content,
        moderator_name=task.reviewer_name,
        automated=False,
        action=task.action,
        reason_code=task.reason_code,
        note=task.note,
        author_action=author_action,
        suspend_days=suspend_days if author_action == AuthorAction.SUSPEND else None,
        model_suggestion=suggestion,
        time_spent_ms=task.time_spent_ms,
        is_final=task.action != DecisionAction.ESCALATE,
        superseded=False,
        created_at=task.answered_at or timezone.now(),
    )
