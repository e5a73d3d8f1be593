"""Who may do what in moderation: roles come from the policy's linked labeling project."""

from collections.abc import Collection

from django.contrib.auth.models import User
from django.http import Http404

from core.exceptions import ApplicationError
from labeling.choices import Role
from labeling.selectors.projects import project_member_role
from moderation.models import Policy

# Review content (standard tier), decide, see author history.
MODERATE_ROLES = frozenset({Role.ADMIN, Role.MODERATOR, Role.SENIOR_MODERATOR})
# The senior tier: escalations, appeals, reassigning, policies.
SENIOR_ROLES = frozenset({Role.ADMIN, Role.SENIOR_MODERATOR})
# Policy settings, hash bank, model stages.
POLICY_ADMIN_ROLES = frozenset({Role.ADMIN, Role.SENIOR_MODERATOR})


def policy_role(*, policy: Policy, user: User) -> str | None:
    """The user's role in the policy's project (superusers act as admin), or None."""
    if user.is_superuser:
        return Role.ADMIN
    return project_member_role(project_id=policy.project_id, user_id=user.pk)


def policy_get_for_user(*, policy_id: int, user: User, roles: Collection[str]) -> Policy:
    """The policy if the user may act on it with one of ``roles``: 404 for people outside its
    project (its existence is not revealed), 403 for members without the role."""
    policy = Policy.objects.select_related("project").filter(pk=policy_id).first()
    if policy is None:
        raise Http404
    role = policy_role(policy=policy, user=user)
    if role is None:
        raise Http404
    if role not in roles:
        raise ApplicationError(
            "Your role does not allow this.",
            extra={"role": role, "allowed_roles": sorted(roles)},
            status_code=403,
        )
    policy.caller_role = role
    return policy


def policies_for_user(*, user: User, roles: Collection[str]):
    """Policies whose project the user belongs to with one of ``roles``."""
    policies = Policy.objects.select_related("project")
    if user.is_superuser:
        return policies
    return policies.filter(
        project__memberships__user=user, project__memberships__role__in=list(roles)
    ).distinct()


def audit_scopes_of_policies(user: User) -> set[str]:
    """Audit scopes of the policies ``user`` administers (for core's audit log reader)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = policies_for_user(user=user, roles=POLICY_ADMIN_ROLES).values_list("pk", flat=True)
    return {f"moderation.policy:{pk}" for pk in ids}
