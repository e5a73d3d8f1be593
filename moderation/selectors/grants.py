"""Reads of policy grants: what a platform's keys may use, and who may use a policy."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from moderation.models import Content, Platform, Policy, PolicyGrant


def policies_granted(*, platform: Platform) -> QuerySet[Policy]:
    """The policies ``platform`` may use. Every platform request reads policies through this
    (or ``contents_of_platform``), so an ungranted policy looks exactly like a missing one."""
    return Policy.objects.filter(grants__platform=platform)


def contents_of_platform(*, platform: Platform) -> QuerySet[Content]:
    """The platform's own content under policies it is (still) granted."""
    return Content.objects.filter(platform=platform, policy__grants__platform=platform)


def platform_policy_list(*, platform: Platform, granted: bool | None = None) -> QuerySet[Policy]:
    """Every policy by name, each annotated for ``platform`` with ``granted``,
    ``granted_at`` and ``granted_by_name`` (null when not granted); ``granted`` narrows the
    list to granted (True) or not granted (False) policies."""
    grant = PolicyGrant.objects.filter(policy=OuterRef("pk"), platform=platform)
    policies = Policy.objects.select_related("project").annotate(
        granted=Exists(grant),
        granted_at=Subquery(grant.values("created_at")[:1]),
        granted_by_name=Subquery(grant.values("granted_by__username")[:1]),
    )
    if granted is not None:
        policies = policies.filter(granted=granted)
    return policies.order_by("name", "id")


def policy_grant_list(*, policy: Policy) -> QuerySet[PolicyGrant]:
    """The platforms granted ``policy``, by name."""
    return (
        PolicyGrant.objects.filter(policy=policy)
        .select_related("platform", "granted_by")
        .order_by("platform__name", "id")
    )
