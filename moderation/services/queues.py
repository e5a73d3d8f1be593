"""Writing a policy's review queues and who may work the restricted ones.

Every change is audited in its transaction (``review_queue.create``, ``.update``, ``.delete``,
``.member_add``, ``.member_remove``), in the policy's scope. Every policy has a default queue
and an appeals queue (``policy_queues_ensure``, called when a policy is created; migration
0013 made them for the policies before): neither can be deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max

from core.exceptions import ApplicationError
from core.services.audit import audit_record, changed_fields
from moderation.choices import QueueKind
from moderation.models import Content, Policy, ReviewQueue, ReviewQueueMember, Rule
from moderation.selectors.access import MODERATE_ROLES, policy_role

MAX_QUEUES_PER_POLICY = 100
MAX_MEMBERS_PER_QUEUE = 500
DEFAULT_QUEUE_NAME = "Default"
APPEALS_QUEUE_NAME = "Appeals"
QUEUE_FIELDS = ("name", "description", "restricted", "position")


def _scope(policy_id: int) -> str:
    return f"moderation.policy:{policy_id}"


def queue_snapshot(queue: ReviewQueue) -> dict[str, Any]:
    return {
        "name": queue.name,
        "description": queue.description,
        "kind": queue.kind,
        "restricted": queue.restricted,
        "position": queue.position,
    }


@contextmanager
def _unique_name(name: str) -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ApplicationError(
            f"This policy already has a queue named {name!r}.", extra={"field": "name"}
        ) from exc


def policy_queues_ensure(*, policy: Policy) -> tuple[ReviewQueue, ReviewQueue]:
    """The policy's default and appeals queues, made when missing (a policy's creation)."""
    default, _ = ReviewQueue.objects.get_or_create(
        policy=policy,
        kind=QueueKind.DEFAULT,
        defaults={"name": DEFAULT_QUEUE_NAME, "position": 0,
                  "description": "Content no routing rule sends elsewhere."},
    )  # fmt: skip
    appeals, _ = ReviewQueue.objects.get_or_create(
        policy=policy,
        kind=QueueKind.APPEALS,
        defaults={"name": APPEALS_QUEUE_NAME, "position": 1,
                  "description": "Content whose decision is under appeal."},
    )  # fmt: skip
    return default, appeals


@transaction.atomic
def review_queue_create(
    *,
    policy: Policy,
    user: User,
    name: str,
    description: str = "",
    restricted: bool = False,
    position: int | None = None,
) -> ReviewQueue:
    """A named queue of ``policy`` (last in its order unless told). Audited."""
    if ReviewQueue.objects.filter(policy=policy).count() >= MAX_QUEUES_PER_POLICY:
        raise ApplicationError(f"A policy has at most {MAX_QUEUES_PER_POLICY} queues.")
    if position is None:
        last = ReviewQueue.objects.filter(policy=policy).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    with _unique_name(name):
        queue = ReviewQueue.objects.create(
            policy=policy, name=name, description=description, kind=QueueKind.CUSTOM,
            restricted=restricted, position=position, created_by=user,
        )  # fmt: skip
    audit_record(
        actor=user,
        action="review_queue.create",
        object_type="moderation.review_queue",
        object_id=queue.pk,
        scope=_scope(policy.pk),
        after=queue_snapshot(queue),
    )
    return queue


@transaction.atomic
def review_queue_update(*, queue: ReviewQueue, user: User, **changes: Any) -> ReviewQueue:
    """Rename, describe, restrict (or open) or move ``queue``. The appeals queue is always
    for the policy's senior moderators: it cannot be restricted. Audited (changed fields)."""
    queue = ReviewQueue.objects.select_for_update().get(pk=queue.pk)
    if changes.get("restricted") and queue.kind == QueueKind.APPEALS:
        raise ApplicationError(
            "The appeals queue is worked by the policy's senior moderators; it cannot be "
            "restricted.",
            extra={"field": "restricted"},
        )
    before = queue_snapshot(queue)
    for field in QUEUE_FIELDS:
        if field in changes:
            setattr(queue, field, changes[field])
    with _unique_name(queue.name):
        queue.save()
    old, new = changed_fields(before, queue_snapshot(queue))
    if new:
        audit_record(
            actor=user,
            action="review_queue.update",
            object_type="moderation.review_queue",
            object_id=queue.pk,
            scope=_scope(queue.policy_id),
            before=old,
            after=new,
        )
    return queue


@transaction.atomic
def review_queue_delete(*, queue: ReviewQueue, user: User) -> int:
    """Delete a named queue; its content goes to the policy's default queue (returns how many
    moved). Refused (400) for the default and appeals queues and for a queue routing rules
    send content to. Audited, with the number of contents moved."""
    if queue.kind != QueueKind.CUSTOM:
        raise ApplicationError(
            f"The {queue.get_kind_display().lower()} cannot be deleted.",
            extra={"queue": queue.pk, "kind": queue.kind},
        )
    rules = list(Rule.objects.filter(queue=queue).values_list("name", flat=True)[:5])
    if rules:
        raise ApplicationError(
            f"Routing rules send content to this queue ({', '.join(map(repr, rules))}); "
            "change them first.",
            extra={"queue": queue.pk, "rules": rules},
        )
    default, _ = policy_queues_ensure(policy=queue.policy)
    moved = Content.objects.filter(queue=queue).update(queue=default)
    snapshot, queue_id, policy_id = queue_snapshot(queue), queue.pk, queue.policy_id
    queue.delete()
    audit_record(
        actor=user,
        action="review_queue.delete",
        object_type="moderation.review_queue",
        object_id=queue_id,
        scope=_scope(policy_id),
        before=snapshot,
        after={"contents_moved_to": default.name, "contents_moved": moved},
    )
    return moved


@transaction.atomic
def review_queue_member_add(*, queue: ReviewQueue, user: User, member: User) -> ReviewQueueMember:
    """Let ``member`` work the restricted ``queue``. They must moderate the policy (400
    otherwise, naming the roles); adding someone twice changes nothing. Audited."""
    if queue.kind == QueueKind.APPEALS:
        raise ApplicationError(
            "The appeals queue is worked by the policy's senior moderators; it has no members.",
            extra={"field": "user_id"},
        )
    role = policy_role(policy=queue.policy, user=member)
    if role not in MODERATE_ROLES or not member.is_active:
        raise ApplicationError(
            f"{member.get_username()} cannot work this queue: they need one of the roles "
            f"{', '.join(sorted(MODERATE_ROLES))} in the policy's project.",
            extra={"field": "user_id", "role": role, "allowed_roles": sorted(MODERATE_ROLES)},
        )
    existing = ReviewQueueMember.objects.filter(queue=queue, user=member).first()
    if existing is not None:
        return existing
    if ReviewQueueMember.objects.filter(queue=queue).count() >= MAX_MEMBERS_PER_QUEUE:
        raise ApplicationError(f"A queue has at most {MAX_MEMBERS_PER_QUEUE} members.")
    membership = ReviewQueueMember.objects.create(queue=queue, user=member, added_by=user)
    audit_record(
        actor=user,
        action="review_queue.member_add",
        object_type="moderation.review_queue",
        object_id=queue.pk,
        scope=_scope(queue.policy_id),
        after={"queue": queue.name, "member": member.get_username(), "member_id": member.pk},
    )
    return membership


@transaction.atomic
def review_queue_member_remove(*, queue: ReviewQueue, user: User, member_id: int) -> None:
    """Take a member off ``queue`` (nothing happens when they were not on it). Their leases
    on its content run out on their own. Audited when something changed."""
    membership = (
        ReviewQueueMember.objects.filter(queue=queue, user_id=member_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        return
    name = membership.user.get_username()
    membership.delete()
    audit_record(
        actor=user,
        action="review_queue.member_remove",
        object_type="moderation.review_queue",
        object_id=queue.pk,
        scope=_scope(queue.policy_id),
        before={"queue": queue.name, "member": name, "member_id": member_id},
    )


def content_to_appeals_queue(*, content: Content) -> None:
    """Put appealed content in its policy's appeals queue (inside the appeal's transaction)."""
    appeals = ReviewQueue.objects.filter(
        policy_id=content.policy_id, kind=QueueKind.APPEALS
    ).first()
    if appeals is not None and content.queue_id != appeals.pk:
        Content.objects.filter(pk=content.pk).update(queue=appeals)
        content.queue = appeals
