"""Author enforcement: the strike each removal gives its author, the actions (warn, suspend,
ban) that strike thresholds and moderators take, and their reversal by appeals.

Strikes and actions are records (``Strike``, ``AuthorSanction``): live points and the action in
force are read with the clock (``moderation.selectors.strikes``), so a strike's expiry needs no
job. A threshold acts when a strike takes the live points from below it to at or above it (a
crossing), so each crossing acts once: later strikes above it do nothing until a higher
threshold is crossed, or the points fell below it (expiry, appeal) and a new strike crosses it
again.
"""

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from core.services.audit import audit_record
from moderation.choices import SANCTION_STRENGTH, AuthorAction, SanctionKind, SanctionSource
from moderation.models import (
    Appeal,
    Author,
    AuthorSanction,
    Content,
    Decision,
    Policy,
    PolicyCategory,
    ReasonCode,
    Strike,
)
from moderation.selectors.strikes import author_live_points, sanctions_in_force
from moderation.services.webhooks import webhook_event_send

# Limits of the policy settings (the API refuses values outside them).
MAX_STRIKE_POINTS = 100
MAX_THRESHOLD_POINTS = 10_000
MAX_THRESHOLDS = 10
MAX_STRIKE_TTL_DAYS = 3650
MAX_SUSPEND_DAYS = 3650


def strike_points_of(*, reason: ReasonCode | None, category: PolicyCategory | None) -> int:
    """Points of a removal: the reason code's own, else its category's (the reason's category,
    or the content's top category when the reason names none), else that category's severity;
    1 without either."""
    if reason is not None and reason.strike_points is not None:
        return reason.strike_points
    if reason is not None and reason.category is not None:
        category = reason.category
    if category is None:
        return 1
    return category.strike_points if category.strike_points is not None else category.severity


def _days(now: datetime, days: int | None) -> datetime | None:
    return now + timedelta(days=days) if days else None


def sanction_payload(sanction: AuthorSanction) -> dict[str, Any]:
    """The action as webhooks, audit records and the API describe it."""
    return {
        "id": sanction.pk,
        "kind": sanction.kind,
        "source": sanction.source,
        "policy": sanction.policy_id,
        "threshold_points": sanction.threshold_points,
        "live_points": sanction.live_points,
        "suspend_days": sanction.suspend_days,
        "decision": sanction.decision_id,
        "starts_at": sanction.created_at.isoformat(),
        "ends_at": sanction.ends_at.isoformat() if sanction.ends_at else None,
        "lifted_at": sanction.lifted_at.isoformat() if sanction.lifted_at else None,
        "lifted_reason": sanction.lifted_reason,
    }


def author_removal_enforce(
    *,
    content: Content,
    decision: Decision,
    actor: User | None,
    author_action: str = AuthorAction.NONE,
    suspend_days: int | None = None,
) -> Strike | None:
    """What a final removal does to its content's author, in the decision's transaction, on
    the locked author row:

    - a strike of the reason's points (``strike_points_of``; none when they are 0), expiring
      after the policy's ``strike_ttl_days`` (never when 0);
    - the highest threshold of the policy this strike crosses takes its action, unless an
      action at least as strong and as long is already in force;
    - the moderator's own author action (warn, suspend N days), when chosen.

    Side effects: audit ``author.strike`` and ``author.<warn|suspend|ban>``; a signed
    ``author.actioned`` webhook per action.
    """
    if content.author_id is None:
        return None
    author = Author.objects.select_for_update().get(pk=content.author_id)
    policy = Policy.objects.get(pk=content.policy_id)
    now = timezone.now()
    scope = f"moderation.policy:{policy.pk}"
    reason = decision.reason_code
    category = content.top_category
    points = strike_points_of(reason=reason, category=category)
    strike = None
    if points > 0:
        before = author_live_points(author_id=author.pk, policy_ids=[policy.pk], at=now)
        strike = Strike.objects.create(
            author=author,
            policy=policy,
            decision=decision,
            category=reason.category if reason is not None and reason.category else category,
            reason_code=reason.code if reason is not None else "",
            points=points,
            created_at=now,
            expires_at=_days(now, policy.strike_ttl_days),
        )
        audit_record(
            actor=actor,
            action="author.strike",
            object_type="moderation.author",
            object_id=author.pk,
            scope=scope,
            before={"live_points": before},
            after={
                "live_points": before + points,
                "points": points,
                "decision": decision.pk,
                "reason_code": strike.reason_code,
                "expires_at": strike.expires_at,
            },
        )
        _threshold_act(
            author=author,
            policy=policy,
            content=content,
            decision=decision,
            actor=actor,
            before=before,
            after=before + points,
            now=now,
        )
    if author_action != AuthorAction.NONE:
        live = author_live_points(author_id=author.pk, policy_ids=[policy.pk], at=now)
        days = suspend_days if author_action == AuthorAction.SUSPEND else None
        _sanction_create(
            author=author,
            policy=policy,
            content=content,
            decision=decision,
            actor=actor,
            kind=author_action,
            source=SanctionSource.DECISION,
            threshold_points=None,
            live_points=live,
            suspend_days=days,
            ends_at=_days(now, days) if days else _days(now, policy.strike_ttl_days),
            now=now,
        )
    return strike


def author_rule_strike(
    *,
    content: Content,
    rule_id: int,
    rule_name: str,
    points: int,
    category: PolicyCategory | None,
) -> Strike | None:
    """A live "strike" rule held for ``content`` at intake: a strike of ``points`` to its
    author under its policy (no decision: ``rule`` and ``content`` say where it came from),
    expiring after the policy's ``strike_ttl_days``, on the locked author row; the highest
    threshold it crosses acts as for a removal's strike. The caller's transaction.

    Side effects: audit ``author.strike`` (``rule`` in it); ``author.<warn|suspend|ban>``
    and a signed ``author.actioned`` webhook per threshold action.
    """
    if content.author_id is None or points <= 0:
        return None
    author = Author.objects.select_for_update().get(pk=content.author_id)
    policy = Policy.objects.get(pk=content.policy_id)
    now = timezone.now()
    before = author_live_points(author_id=author.pk, policy_ids=[policy.pk], at=now)
    strike = Strike.objects.create(
        author=author,
        policy=policy,
        decision=None,
        rule_id=rule_id,
        content=content,
        category=category,
        reason_code=f"rule:{rule_name}"[:32],
        points=points,
        created_at=now,
        expires_at=_days(now, policy.strike_ttl_days),
    )
    audit_record(
        actor=None,
        action="author.strike",
        object_type="moderation.author",
        object_id=author.pk,
        scope=f"moderation.policy:{policy.pk}",
        before={"live_points": before},
        after={
            "live_points": before + points,
            "points": points,
            "rule": rule_id,
            "rule_name": rule_name,
            "content": content.pk,
            "category": category.name if category is not None else None,
            "expires_at": strike.expires_at,
        },
    )
    _threshold_act(
        author=author,
        policy=policy,
        content=content,
        decision=None,
        actor=None,
        before=before,
        after=before + points,
        now=now,
    )
    return strike


def _threshold_act(
    *,
    author: Author,
    policy: Policy,
    content: Content,
    decision: Decision | None,
    actor: User | None,
    before: int,
    after: int,
    now: datetime,
) -> AuthorSanction | None:
    crossed = [t for t in policy.strike_thresholds if before < t["points"] <= after]
    if not crossed:
        return None
    threshold = max(crossed, key=lambda t: t["points"])
    kind = threshold["action"]
    days = threshold.get("suspend_days") if kind == SanctionKind.SUSPEND else None
    if kind == SanctionKind.SUSPEND:
        ends_at = _days(now, days)
    elif kind == SanctionKind.BAN:
        ends_at = None
    else:
        ends_at = _days(now, policy.strike_ttl_days)
    for running in AuthorSanction.objects.filter(
        sanctions_in_force(at=now), author=author, policy=policy
    ):
        stronger = SANCTION_STRENGTH[running.kind] > SANCTION_STRENGTH[kind]
        as_long = running.ends_at is None or (ends_at is not None and running.ends_at >= ends_at)
        if stronger or (running.kind == kind and as_long):
            return None
    return _sanction_create(
        author=author,
        policy=policy,
        content=content,
        decision=decision,
        actor=actor,
        kind=kind,
        source=SanctionSource.THRESHOLD,
        threshold_points=threshold["points"],
        live_points=after,
        suspend_days=days,
        ends_at=ends_at,
        now=now,
    )


def _sanction_create(
    *,
    author: Author,
    policy: Policy,
    content: Content,
    decision: Decision | None,
    actor: User | None,
    kind: str,
    source: str,
    threshold_points: int | None,
    live_points: int,
    suspend_days: int | None,
    ends_at: datetime | None,
    now: datetime,
) -> AuthorSanction:
    sanction = AuthorSanction.objects.create(
        author=author,
        policy=policy,
        kind=kind,
        source=source,
        threshold_points=threshold_points,
        live_points=live_points,
        suspend_days=suspend_days,
        decision=decision,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        created_at=now,
        ends_at=ends_at,
    )
    payload = sanction_payload(sanction)
    audit_record(
        actor=actor,
        action=f"author.{kind}",
        object_type="moderation.author",
        object_id=author.pk,
        scope=f"moderation.policy:{policy.pk}",
        after={**payload, "decision": decision.pk if decision is not None else None},
    )
    webhook_event_send(
        content=content,
        event="author.actioned",
        payload={
            "author": {"external_id": author.external_id, "live_points": live_points},
            "action": payload,
        },
    )
    return sanction


def author_removal_reverse(
    *, content: Content, decision: Decision, appeal: Appeal, actor: User
) -> dict[str, Any] | None:
    """An appeal overturned the removal ``decision``: its strike, and the strikes live "strike"
    rules gave the author for this content at intake, are reversed (the author's live points
    drop by their points: the content was found not violating), and the actions in force that
    no longer hold are lifted: the moderator's own action of that decision, and threshold
    actions that the live points at the time they were taken, without reversed strikes, no
    longer reach.

    Returns ``{"author", "live_points", "strike_reversed", "strikes_reversed",
    "actions_lifted"}`` for the appeal's audit record, or None when the content has no author.
    Side effects: audit ``author.strike_reverse`` (per strike) and ``author.action_lift``
    (each); a signed ``author.action_lifted`` webhook per lifted action.
    """
    if content.author_id is None:
        return None
    author = Author.objects.select_for_update().get(pk=content.author_id)
    now = timezone.now()
    scope = f"moderation.policy:{content.policy_id}"
    decision_strike = Strike.objects.filter(decision=decision, reversed_at__isnull=True).first()
    rule_strikes = list(
        Strike.objects.filter(
            content=content, decision__isnull=True, reversed_at__isnull=True
        ).order_by("created_at", "id")
    )
    reversed_strikes = [*([decision_strike] if decision_strike else []), *rule_strikes]
    for strike in reversed_strikes:
        before = author_live_points(author_id=author.pk, policy_ids=[strike.policy_id], at=now)
        was_live = strike.is_live_at(now)
        strike.reversed_at = now
        strike.reversed_by_appeal = appeal
        strike.save(update_fields=["reversed_at", "reversed_by_appeal"])
        audit_record(
            actor=actor,
            action="author.strike_reverse",
            object_type="moderation.author",
            object_id=author.pk,
            scope=scope,
            before={"live_points": before},
            after={
                "live_points": before - strike.points if was_live else before,
                "points": strike.points,
                "decision": decision.pk,
                "rule": strike.rule_id if strike.decision_id is None else None,
                "appeal": appeal.pk,
            },
        )
    lifted = []
    for sanction in AuthorSanction.objects.filter(
        sanctions_in_force(at=now), author=author, policy_id=content.policy_id
    ).order_by("created_at", "id"):
        if _no_longer_holds(sanction, decision=decision, strikes=reversed_strikes):
            _sanction_lift(
                sanction, content=content, appeal=appeal, actor=actor, author=author, now=now
            )
            lifted.append(sanction.pk)
    return {
        "author": author.pk,
        "live_points": author_live_points(
            author_id=author.pk, policy_ids=[content.policy_id], at=now
        ),
        "strike_reversed": decision_strike.pk if decision_strike is not None else None,
        "strikes_reversed": [strike.pk for strike in reversed_strikes],
        "actions_lifted": lifted,
    }


def _no_longer_holds(
    sanction: AuthorSanction, *, decision: Decision, strikes: list[Strike]
) -> bool:
    if sanction.source == SanctionSource.DECISION:
        return sanction.decision_id == decision.pk
    if sanction.threshold_points is None:
        return False
    counted = any(
        strike.created_at <= sanction.created_at
        and (strike.expires_at is None or strike.expires_at > sanction.created_at)
        for strike in strikes
    )
    if not counted:
        return False  # no reversed strike counted towards this action
    # Reversed strikes are out of the sum at every time: as if never given.
    points = author_live_points(
        author_id=sanction.author_id, policy_ids=[sanction.policy_id], at=sanction.created_at
    )
    return points < sanction.threshold_points


def _sanction_lift(
    sanction: AuthorSanction,
    *,
    content: Content,
    appeal: Appeal,
    actor: User,
    author: Author,
    now: datetime,
) -> None:
    sanction.lifted_at = now
    sanction.lifted_by_appeal = appeal
    sanction.lifted_reason = f"Appeal {appeal.pk} overturned decision {appeal.decision_id}."
    sanction.save(update_fields=["lifted_at", "lifted_by_appeal", "lifted_reason"])
    payload = sanction_payload(sanction)
    audit_record(
        actor=actor,
        action="author.action_lift",
        object_type="moderation.author",
        object_id=author.pk,
        scope=f"moderation.policy:{sanction.policy_id}",
        before={"kind": sanction.kind, "ends_at": payload["ends_at"]},
        after={**payload, "appeal": appeal.pk},
    )
    live = author_live_points(author_id=author.pk, policy_ids=[sanction.policy_id], at=now)
    webhook_event_send(
        content=content,
        event="author.action_lifted",
        payload={
            "author": {"external_id": author.external_id, "live_points": live},
            "action": payload,
            "appeal": {"id": appeal.pk},
        },
    )
