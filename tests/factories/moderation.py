"""Moderation test helpers shared by the intake, review and integration tests."""

from moderation.models import Platform, Policy, PolicyGrant


def grant(policy: Policy, *platforms: Platform) -> Policy:
    """Let ``platforms`` use ``policy`` (what site staff do on the Platforms page)."""
    for platform in platforms:
        PolicyGrant.objects.get_or_create(policy=policy, platform=platform)
    return policy
