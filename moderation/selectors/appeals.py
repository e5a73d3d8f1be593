"""Appeals as senior moderators see them."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from moderation.models import Appeal
from moderation.selectors.access import SENIOR_ROLES, policies_for_user


def appeal_list(*, user: User, state: str | None = None) -> QuerySet[Appeal]:
    """Appeals of content in the policies where the caller is senior, oldest first."""
    policies = policies_for_user(user=user, roles=SENIOR_ROLES).values("pk")
    appeals = Appeal.objects.filter(content__policy_id__in=policies)
    if state:
        appeals = appeals.filter(state=state)
    return appeals.select_related(
        "content__policy", "content__item", "decision__reason_code"
    ).order_by("created_at", "id")
