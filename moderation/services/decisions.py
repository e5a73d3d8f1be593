"""Moderators' decisions: approve, remove or escalate content, with author actions.

A content has at most one final decision that is not superseded (the partial unique constraint
``decision_one_final``); deciding it again is a conflict (409), never a second decision.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from labeling.choices import AnnotationSource
from moderation.choices import (
    AuthorAction,
    ContentState,
    DecisionAction,
    ReviewTier,
)
from moderation.models import Content, Decision, ReasonCode
from moderation.selectors.access import SENIOR_ROLES, policy_role
from moderation.selectors.suggestions import model_suggestion_shown
from moderation.services.authors import MAX_SUSPEND_DAYS, author_removal_enforce
from moderation.services.feedback import decision_annotate
from moderation.services.second_reviews import second_review_maybe_create
from moderation.services.webhooks import webhook_event_send

OPEN_STATES = (ContentState.PENDING, ContentState.ESCALATED)


def decision_payload(decision: Decision) -> dict[str, Any]:
    """The decision as webhooks and audit records describe it."""
    reason = decision.reason_code
    return {
        "id": decision.pk,
        "action": decision.action,
        "reason_code": reason.code if reason is not None else None,
        "reason": reason.description if reason is not None else "",
        "automated": decision.automated,
        "author_action": decision.author_action,
        "suspend_days": decision.suspend_days,
        "decided_at": decision.created_at.isoformat() if decision.created_at else None,
    }


def reason_code_for(*, content: Content, code: str, action: str) -> ReasonCode | None:
    """The policy's reason code for ``action``. An escalation may come without one when the
    policy defines no escalation reasons (passing content up needs no policy wording)."""
    if not code and action == DecisionAction.ESCALATE:
        if ReasonCode.objects.filter(
            policy_id=content.policy_id, action=DecisionAction.ESCALATE
        ).exists():
            raise ApplicationError(
                "Give one of the policy's escalation reason codes.",
                extra={"reason_code": code},
            )
        return None
    reason = (
        ReasonCode.objects.select_related("category")
        .filter(policy_id=content.policy_id, code=code)
        .first()
    )
    if reason is None:
        known = list(
            ReasonCode.objects.filter(policy_id=content.policy_id, action=action).values_list(
                "code", flat=True
            )
        )
        raise ApplicationError(
            f"Unknown reason code {code!r} for this policy.",
            extra={"reason_code": code, "reason_codes": known},
        )
    if reason.action != action:
        raise ApplicationError(
            f"Reason code {code} justifies {reason.action}, not {action}.",
            extra={"reason_code": code, "reason_action": reason.action, "action": action},
        )
    return reason


def check_author_action(
    *, content: Content, action: str, author_action: str, suspend_days: int | None
) -> None:
    if author_action == AuthorAction.NONE:
        return
    if action != DecisionAction.REMOVE:
        raise ApplicationError(
            "Author actions (warn, suspend) go with a removal only.",
            extra={"action": action, "author_action": author_action},
        )
    if content.author_id is None:
        raise ApplicationError(
            "This content has no known author to warn or suspend.",
            extra={"author_action": author_action},
        )
    if author_action == AuthorAction.SUSPEND and not (
        suspend_days and 1 <= suspend_days <= MAX_SUSPEND_DAYS
    ):
        raise ApplicationError(
            f"Say for how many days to suspend (1 to {MAX_SUSPEND_DAYS}).",
            extra={"suspend_days": suspend_days},
        )


def _conflict(content: Content) -> ApplicationError:
    return ApplicationError(
        "This content is already decided.",
        extra={"content": content.pk, "state": content.state},
        status_code=409,
    )


def _check_may_decide(*, content: Content, user: User) -> None:
    if content.state not in OPEN_STATES:
        raise _conflict(content)
    if content.state == ContentState.ESCALATED:
        if policy_role(policy=content.policy, user=user) not in SENIOR_ROLES:
            raise ApplicationError(
                "Escalated content is decided by senior moderators.",
                extra={"content": content.pk},
                status_code=403,
            )
        return
    if content.leased_by_id != user.pk:
        raise ApplicationError(
            "You do not hold this content: ask for content with queue/next/.",
            extra={"content": content.pk},
            status_code=409,
        )


def decision_create(
    *,
    content: Content,
    user: User,
    action: str,
    reason_code: str,
    note: str = "",
    author_action: str = AuthorAction.NONE,
    suspend_days: int | None = None,
    time_spent_ms: int | None = None,
) -> Decision:
    """A moderator's decision on open content they hold (seniors decide escalated content
    without a lease).

    - approve → content ``allowed``; remove → ``removed`` (both final);
    - escalate → ``escalated`` in the senior tier (not final; the senior queue picks it up).

    Records the model suggestion the moderator was shown (see ``model_suggestion_shown``).

    Refuses: an unknown reason code, one for another action, an author action without a
    removal or an author, a suspension without days (400); escalated content for a non-senior
    (403); content decided already, or pending content the caller does not hold (409).

    Side effects, in one transaction: the content's state and lease; audit ``decision.create``;
    for final decisions an annotation of source ``moderation`` on the content's item (when the
    decision maps to a label class) and, after commit, a signed ``content.decided`` webhook to
    each of the platform's endpoints; for removals the author's strike, threshold actions and
    the chosen author action (``author_removal_enforce``: audit ``author.strike``,
    ``author.<warn|suspend|ban>``, ``author.actioned`` webhooks).
    """
    try:
        with transaction.atomic():
            locked = (
                Content.objects.select_for_update(of=("self",))
                .select_related("policy", "top_category", "model_version", "item__project")
                .get(pk=content.pk)
            )
            _check_may_decide(content=locked, user=user)
            reason = reason_code_for(content=locked, code=reason_code, action=action)
            check_author_action(
                content=locked,
                action=action,
                author_action=author_action,
                suspend_days=suspend_days,
            )
            return _decide(
                content=locked,
                user=user,
                action=action,
                reason=reason,
                note=note,
                author_action=author_action,
                suspend_days=suspend_days if author_action == AuthorAction.SUSPEND else None,
                time_spent_ms=time_spent_ms,
            )
    except IntegrityError as exc:
        # Another final decision committed between our check and our insert (possible only
        # if a writer skipped the row lock): the constraint keeps it to one.
        content.refresh_from_db(fields=["state"])
        raise _conflict(content) from exc


def _decide(
    *,
    content: Content,
    user: User,
    action: str,
    reason: ReasonCode | None,
    note: str,
    author_action: str,
    suspend_days: int | None,
    time_spent_ms: int | None,
    bulk_action_id: int | None = None,
) -> Decision:
    before = {"state": content.state, "tier": content.tier}
    final = action != DecisionAction.ESCALATE
    decision = Decision.objects.create(
        content=content,
        moderator=user,
        moderator_name=user.get_username(),
        automated=False,
        action=action,
        reason_code=reason,
        note=note,
        author_action=author_action,
        suspend_days=suspend_days,
        model_suggestion=model_suggestion_shown(content=content),
        time_spent_ms=time_spent_ms,
        is_final=final,
    )
    now = timezone.now()
    if action == DecisionAction.ESCALATE:
        content.state, content.tier = ContentState.ESCALATED, ReviewTier.SENIOR
    else:
        content.state = (
            ContentState.ALLOWED if action == DecisionAction.APPROVE else ContentState.REMOVED
        )
        content.decided_at = now
    content.leased_by = None
    content.lease_expires_at = None
    content.save(update_fields=["state", "tier", "decided_at", "leased_by", "lease_expires_at"])
    scope = f"moderation.policy:{content.policy_id}"
    audit_record(
        actor=user,
        action="decision.create",
        object_type="moderation.content",
        object_id=content.pk,
        scope=scope,
        before=before,
        after={
            "state": content.state,
            "tier": content.tier,
            "decision": decision_payload(decision),
            **({"bulk_action": bulk_action_id} if bulk_action_id is not None else {}),
        },
    )
    if final:
        decision_annotate(
            content=content, decision=decision, source=AnnotationSource.MODERATION, annotator=user
        )
        webhook_event_send(
            content=content,
            event="content.decided",
            payload={"decision": decision_payload(decision)},
        )
        second_review_maybe_create(decision=decision)
    if action == DecisionAction.REMOVE:
        author_removal_enforce(
            content=content,
            decision=decision,
            actor=user,
            author_action=author_action,
            suspend_days=suspend_days,
        )
    return decision


def decision_create_in_bulk(
    *, content_id: int, user: User, action: str, reason: ReasonCode, note: str, bulk_action_id: int
) -> bool:
    """A final decision (approve or remove) taken by a bulk action, in the caller's
    transaction. Returns False, writing nothing, when the content is already in that state.

    - open content (pending or escalated, held by anyone or no one): decided as one person's
      decision would be (``_decide``: annotation, ``content.decided`` webhook, audit, strike);
    - allowed content to remove: the allowing decision is superseded and the removal is a new
      final decision, with the same side effects (the author is struck);
    - removed content to approve: refused (400): a removal is taken back through an appeal,
      which reverses the author's strike.

    The caller (``bulk_action_run``) holds the senior role on the content's policy; the audit
    record names the bulk action.
    """
    content = (
        Content.objects.select_for_update(of=("self",))
        .select_related("policy", "top_category", "model_version", "item__project")
        .get(pk=content_id)
    )
    target = ContentState.ALLOWED if action == DecisionAction.APPROVE else ContentState.REMOVED
    if content.state == target:
        return False
    if content.state == ContentState.REMOVED:
        raise ApplicationError("Removed content is allowed again only through an appeal.")
    note = note or f"Bulk action {bulk_action_id}"
    if content.state in OPEN_STATES:
        _decide(
            content=content, user=user, action=action, reason=reason, note=note,
            author_action=AuthorAction.NONE, suspend_days=None, time_spent_ms=None,
            bulk_action_id=bulk_action_id,
        )  # fmt: skip
        return True
    # Allowed (by the model or by a person) and now removed.
    old = Decision.objects.filter(content=content, is_final=True, superseded=False).first()
    if old is not None:
        old.superseded = True
        old.save(update_fields=["superseded"])
    _decide(
        content=content, user=user, action=action, reason=reason, note=note,
        author_action=AuthorAction.NONE, suspend_days=None, time_spent_ms=None,
        bulk_action_id=bulk_action_id,
    )  # fmt: skip
    return True
