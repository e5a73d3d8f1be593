"""The review queue as moderators see it."""

from django.contrib.auth.models import User
from django.db.models import BooleanField, Case, Count, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from moderation.choices import ContentState, ReportSource, ReviewTier
from moderation.models import Content, Report, ReviewQueue
from moderation.selectors.access import MODERATE_ROLES, SENIOR_ROLES
from moderation.selectors.queues import contents_in_queue, contents_moderated_by

OPEN_STATES = (ContentState.PENDING, ContentState.ESCALATED)


def review_queue_list(
    *,
    user: User,
    policy_id: int | None = None,
    category_id: int | None = None,
    state: str | None = None,
    tier: str | None = None,
    queue: ReviewQueue | None = None,
) -> QuerySet[Content]:
    """Content of the policies the caller moderates, highest priority first, each with
    ``overdue`` (its SLA deadline has passed while it is still open) and
    ``user_report_count`` (distinct users who reported it: not rules, hash matches or the
    model's own flag, which ``report_count`` also counts).

    Without ``state``, open content only (pending and escalated); ``tier=senior`` lists only
    policies where the caller is senior. Content in restricted queues the caller may not
    work is left out; ``queue`` narrows the list to one queue.
    """
    roles = SENIOR_ROLES if tier == ReviewTier.SENIOR else MODERATE_ROLES
    contents = contents_moderated_by(user=user, roles=roles)
    if queue is not None:
        contents = contents.filter(contents_in_queue(queue=queue))
    if policy_id is not None:
        contents = contents.filter(policy_id=policy_id)
    if category_id is not None:
        contents = contents.filter(top_category_id=category_id)
    contents = contents.filter(state=state) if state else contents.filter(state__in=OPEN_STATES)
    if tier:
        contents = contents.filter(tier=tier)
    now = timezone.now()
    user_reports = (
        Report.objects.filter(content=OuterRef("pk"), source=ReportSource.USER)
        .order_by()
        .values("content")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        contents.select_related("policy", "top_category", "item", "leased_by")
        .annotate(
            overdue=Case(
                When(state__in=OPEN_STATES, sla_due_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            user_report_count=Coalesce(Subquery(user_reports), 0),
        )
        .order_by("-priority", "id")
    )
