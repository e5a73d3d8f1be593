"""Which platform may use which policy. Site staff grant and revoke; both are audited.

A platform's keys see only the policies granted to its platform: intake, reports, appeals and
content status treat any other policy, and content under it, exactly as if it did not exist.
"""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from core.services.audit import audit_record
from moderation.models import Platform, Policy, PolicyGrant


def _audit(*, actor: User, action: str, grant_id: int, policy: Policy,
           platform: Platform) -> None:  # fmt: skip
    values = {
        "policy": policy.pk,
        "policy_name": policy.name,
        "platform": platform.pk,
        "platform_name": platform.name,
    }
    created = action.endswith(".create")
    audit_record(
        actor=actor,
        action=action,
        object_type="moderation.policygrant",
        object_id=grant_id,
        # The policy's scope: its admins read who may use it in their audit log.
        scope=f"moderation.policy:{policy.pk}",
        before=None if created else values,
        after=values if created else None,
    )


@transaction.atomic
def policy_grant(*, policy: Policy, platform: Platform, actor: User) -> tuple[PolicyGrant, bool]:
    """Let ``platform`` use ``policy`` (from its next request on). Granting again changes
    nothing. Returns ``(grant, created)``.

    Side effects: audit ``policy_grant.create`` (scope: the policy) when created.
    """
    existing = PolicyGrant.objects.filter(policy=policy, platform=platform).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            grant = PolicyGrant.objects.create(policy=policy, platform=platform, granted_by=actor)
    except IntegrityError:
        # Another request granted the same pair between our look and our insert.
        return PolicyGrant.objects.get(policy=policy, platform=platform), False
    _audit(actor=actor, action="policy_grant.create", grant_id=grant.pk, policy=policy,
           platform=platform)  # fmt: skip
    return grant, True


@transaction.atomic
def policy_grant_revoke(*, policy: Policy, platform: Platform, actor: User) -> bool:
    """Stop ``platform`` using ``policy``, at once: its next intake under the policy, and its
    reports, appeals and status reads of content under it, are answered 404. Content already
    stored stays with the policy (moderators still decide it). Revoking what is not granted
    changes nothing. Returns whether a grant was removed.

    Side effects: audit ``policy_grant.delete`` (scope: the policy) when one was removed.
    """
    grant = PolicyGrant.objects.select_for_update().filter(policy=policy, platform=platform).first()
    if grant is None:
        return False
    grant_id = grant.pk
    grant.delete()
    _audit(actor=actor, action="policy_grant.delete", grant_id=grant_id, policy=policy,
           platform=platform)  # fmt: skip
    return True
