"""Appeals: an author asks for a final decision to be looked at again by someone else."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record, platform_actor_name
from labeling.choices import AnnotationSource
from moderation.choices import AppealState, ContentState, DecisionAction
from moderation.models import Appeal, Content, Decision, Platform
from moderation.selectors.grants import contents_of_platform
from moderation.services.authors import author_removal_enforce, author_removal_reverse
from moderation.services.decisions import decision_payload
from moderation.services.feedback import decision_annotate
from moderation.services.queues import content_to_appeals_queue
from moderation.services.webhooks import webhook_event_send

OUTCOMES = ("uphold", "overturn")
MAX_STATEMENT_CHARS = 5000


def _final_decision(content: Content) -> Decision | None:
    return (
        Decision.objects.filter(content=content, is_final=True, superseded=False)
        .select_related("reason_code")
        .first()
    )


def appeal_create(*, platform: Platform, external_id: str, statement: str) -> Appeal:
    """An author's appeal of the final decision on their content, sent by the platform.

    Refuses: content the platform never sent, or sent under a policy it is no longer granted
    (404, alike); content without a final decision, or with an appeal already open (409); a
    statement over 5,000 characters (400).
    Side effects: the content goes to its policy's appeals queue; audit ``appeal.create``
    (actor: the platform, recorded by name).
    """
    if len(statement) > MAX_STATEMENT_CHARS:
        raise ApplicationError(
            f"The statement is longer than {MAX_STATEMENT_CHARS} characters.",
            extra={"length": len(statement)},
        )
    # Content under a policy no longer granted to the platform reads as unknown (404).
    content = contents_of_platform(platform=platform).filter(external_id=external_id).first()
    if content is None:
        raise ApplicationError(
            "No content with this external_id.", extra={"external_id": external_id}, status_code=404
        )
    try:
        with transaction.atomic():
            decision = _final_decision(content)
            if decision is None:
                raise ApplicationError(
                    "This content has no final decision to appeal yet.",
                    extra={"external_id": external_id, "state": content.state},
                    status_code=409,
                )
            appeal = Appeal.objects.create(content=content, decision=decision, statement=statement)
            content_to_appeals_queue(content=content)
            audit_record(
                actor=None,
                actor_name=platform_actor_name(platform.name),
                action="appeal.create",
                object_type="moderation.appeal",
                object_id=appeal.pk,
                scope=f"moderation.policy:{content.policy_id}",
                after={"content": content.pk, "decision": decision.pk, "platform": platform.name},
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "An appeal of this decision is already open.",
            extra={"external_id": external_id},
            status_code=409,
        ) from exc
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, user: User, outcome: str, note: str = "") -> Appeal:
    """Uphold or overturn an open appeal. The moderator who made the appealed decision may not
    decide its appeal (403).

    overturn: the content is restored to the opposite state (removed → allowed, allowed →
    removed); the appealed decision is marked superseded and a new final decision by the
    reviewer records the outcome; the strike (and suspension) the old decision gave is taken
    back; the item gets a corrected annotation (source ``appeal``).

    Overturning a removal reverses its strike and lifts the author actions that no longer hold
    (``author_removal_reverse``); overturning an approval strikes the author
    (``author_removal_enforce``).

    Refuses: an appeal already decided (409); an unknown outcome (400).
    Side effects, in one transaction: audit ``appeal.decide``; after commit, a signed
    ``appeal.decided`` webhook (for both outcomes) to each of the platform's endpoints.
    """
    if outcome not in OUTCOMES:
        raise ApplicationError(f"outcome must be one of {', '.join(OUTCOMES)}.")
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("decision__reason_code")
        .get(pk=appeal.pk)
    )
    if appeal.state != AppealState.OPEN:
        raise ApplicationError(
            "This appeal is already decided.",
            extra={"appeal": appeal.pk, "state": appeal.state},
            status_code=409,
        )
    old = appeal.decision
    if old.moderator_id is not None and old.moderator_id == user.pk:
        raise ApplicationError(
            "You made the decision under appeal; another moderator must review it.",
            extra={"appeal": appeal.pk, "decision": old.pk},
            status_code=403,
        )
    content = (
        Content.objects.select_for_update(of=("self",))
        .select_related("policy", "top_category", "item__project", "author")
        .get(pk=appeal.content_id)
    )
    before = {"appeal_state": appeal.state, "content_state": content.state}
    after: dict = {}
    new_decision = None
    if outcome == "overturn":
        new_decision, after = _overturn(
            content=content, old=old, user=user, note=note, appeal=appeal
        )
    appeal.state = AppealState.OVERTURNED if outcome == "overturn" else AppealState.UPHELD
    appeal.reviewer = user
    appeal.reviewer_name = user.get_username()
    appeal.note = note
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["state", "reviewer", "reviewer_name", "note", "decided_at"])
    audit_record(
        actor=user,
        action="appeal.decide",
        object_type="moderation.appeal",
        object_id=appeal.pk,
        scope=f"moderation.policy:{content.policy_id}",
        before=before,
        after={"appeal_state": appeal.state, "content_state": content.state, **after},
    )
    decision_now = new_decision or old
    webhook_event_send(
        content=content,
        event="appeal.decided",
        payload={
            "appeal": {"id": appeal.pk, "outcome": appeal.state, "note": note},
            "decision": decision_payload(decision_now),
        },
    )
    return appeal


def _overturn(
    *, content: Content, old: Decision, user: User, note: str, appeal: Appeal
) -> tuple[Decision, dict]:
    old.superseded = True
    old.save(update_fields=["superseded"])
    action = (
        DecisionAction.APPROVE if old.action == DecisionAction.REMOVE else DecisionAction.REMOVE
    )
    new = Decision.objects.create(
        content=content,
        moderator=user,
        moderator_name=user.get_username(),
        automated=False,
        action=action,
        note=note,
        is_final=True,
    )
    content.state = (
        ContentState.ALLOWED if action == DecisionAction.APPROVE else ContentState.REMOVED
    )
    content.decided_at = timezone.now()
    content.save(update_fields=["state", "decided_at"])
    decision_annotate(content=content, decision=new, source=AnnotationSource.APPEAL, annotator=user)
    after: dict = {"superseded_decision": old.pk, "decision": decision_payload(new)}
    if old.action == DecisionAction.REMOVE:
        author = author_removal_reverse(content=content, decision=old, appeal=appeal, actor=user)
        if author is not None:
            after["author"] = author
    else:
        # An allowed content found violating on appeal strikes its author like any removal.
        author_removal_enforce(content=content, decision=new, actor=user)
    return new, after
