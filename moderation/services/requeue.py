"""Sending content back to people: a bulk action's re-queue (``bulk_actions``)."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from moderation.choices import ContentState, ReviewTier
from moderation.models import Content, Decision
from moderation.services.decisions import decision_payload
from moderation.services.review import review_priority
from moderation.services.webhooks import webhook_event_send


def content_requeue_in_bulk(*, content_id: int, user: User, bulk_action_id: int) -> bool:
    """Send content back to the standard review queue, in the caller's transaction. Returns
    False when it is already waiting there, unheld.

    - open content (escalated, or held by a moderator): pending in the standard tier, lease
      dropped;
    - allowed content: its final decision is superseded (people decide again), pending with a
      new SLA deadline; a ``content.requeued`` webhook tells the platform;
    - removed content: refused (400): a removal is looked at again through an appeal.

    Audit ``content.requeue`` (naming the bulk action).
    """
    content = (
        Content.objects.select_for_update(of=("self",))
        .select_related("policy", "top_category")
        .get(pk=content_id)
    )
    if content.state == ContentState.REMOVED:
        raise ApplicationError("Removed content is looked at again through an appeal.")
    if (
        content.state == ContentState.PENDING
        and content.tier == ReviewTier.STANDARD
        and content.leased_by_id is None
    ):
        return False
    before = {"state": content.state, "tier": content.tier}
    superseded: Decision | None = None
    now = timezone.now()
    if content.state == ContentState.ALLOWED:
        superseded = Decision.objects.filter(
            content=content, is_final=True, superseded=False
        ).first()
        if superseded is not None:
            superseded.superseded = True
            superseded.save(update_fields=["superseded"])
        category = content.top_category
        sla_hours = category.sla_hours if category is not None else 24
        content.sla_due_at = now + timedelta(hours=sla_hours)
        content.priority = review_priority(
            severity=category.severity if category is not None else 1,
            score=content.model_score, reports=content.report_count, age_hours=0.0,
            sla_hours=sla_hours,
        )  # fmt: skip
        content.decided_at = None
        content.decided_automatically = False
    content.state, content.tier = ContentState.PENDING, ReviewTier.STANDARD
    content.leased_by, content.lease_expires_at = None, None
    content.save(update_fields=[
        "state", "tier", "leased_by", "lease_expires_at", "sla_due_at", "priority",
        "decided_at", "decided_automatically",
    ])  # fmt: skip
    audit_record(
        actor=user, action="content.requeue", object_type="moderation.content",
        object_id=content.pk, scope=f"moderation.policy:{content.policy_id}", before=before,
        after={"state": content.state, "tier": content.tier, "bulk_action": bulk_action_id,
               "superseded_decision": superseded.pk if superseded else None},
    )  # fmt: skip
    if superseded is not None:
        webhook_event_send(
            content=content, event="content.requeued",
            payload={"superseded_decision": decision_payload(superseded)},
        )  # fmt: skip
    return True
