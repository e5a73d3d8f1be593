from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from moderation.models import HashEntry, Policy, PolicyCategory, PolicyGrant, ReasonCode
from moderation.selectors.access import policies_for_user


def policy_prefetched(queryset: QuerySet[Policy]) -> QuerySet[Policy]:
    return queryset.prefetch_related(
        Prefetch("categories", queryset=PolicyCategory.objects.order_by("-severity", "name")),
        Prefetch("reason_codes", queryset=ReasonCode.objects.select_related("category")),
        Prefetch(
            "grants",
            queryset=PolicyGrant.objects.select_related("platform").order_by("platform__name"),
        ),
    )


def policy_list(*, user: User, roles) -> QuerySet[Policy]:
    """Policies the user may see with ``roles``, by name, with categories and reason codes."""
    return policy_prefetched(policies_for_user(user=user, roles=roles)).order_by("name", "id")


def policy_with_details(*, policy: Policy) -> Policy:
    return policy_prefetched(Policy.objects.select_related("project")).get(pk=policy.pk)


def hash_entry_list(*, policy: Policy, kind: str | None = None) -> QuerySet[HashEntry]:
    entries = HashEntry.objects.filter(category__policy=policy).select_related(
        "category", "created_by"
    )
    if kind:
        entries = entries.filter(kind=kind)
    return entries
