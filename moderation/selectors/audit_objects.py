"""How the audit page names and links moderation's objects.

Content, decisions and appeals link to the content's labeling item (the item page shows the
text or image and its labels); policies and grants to the policy; platforms, their keys and
webhooks to the platform. Authors have no page: the log shows their platform's id for them.
"""

from core.choices import AuditObjectPage
from core.selectors.audit_objects import AuditObjectRef
from moderation.models import (
    Appeal,
    Author,
    Content,
    Decision,
    Platform,
    PlatformApiKey,
    Policy,
    PolicyGrant,
    WebhookEndpoint,
)


def _item_ref(*, label: str, project_id: int, item_id: int) -> AuditObjectRef:
    return AuditObjectRef(
        label=label, page=AuditObjectPage.ITEM, project_id=project_id, item_id=item_id
    )


def audit_objects_of_contents(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = Content.objects.filter(pk__in=ids).values_list(
        "pk", "external_id", "policy__project_id", "item_id"
    )
    return {
        pk: _item_ref(label=external_id, project_id=project_id, item_id=item_id)
        for pk, external_id, project_id, item_id in rows
    }


def audit_objects_of_decisions(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = Decision.objects.filter(pk__in=ids).values_list(
        "pk", "action", "content__external_id", "content__policy__project_id", "content__item_id"
    )
    return {
        pk: _item_ref(label=f"{action} of {external_id}", project_id=project_id, item_id=item_id)
        for pk, action, external_id, project_id, item_id in rows
    }


def audit_objects_of_appeals(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = Appeal.objects.filter(pk__in=ids).values_list(
        "pk", "content__external_id", "content__policy__project_id", "content__item_id"
    )
    return {
        pk: _item_ref(label=f"appeal on {external_id}", project_id=project_id, item_id=item_id)
        for pk, external_id, project_id, item_id in rows
    }


def audit_objects_of_policies(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = Policy.objects.filter(pk__in=ids).values_list("pk", "name")
    return {
        pk: AuditObjectRef(label=name, page=AuditObjectPage.POLICY, policy_id=pk)
        for pk, name in rows
    }


def audit_objects_of_grants(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = PolicyGrant.objects.filter(pk__in=ids).values_list(
        "pk", "policy_id", "policy__name", "platform__name"
    )
    return {
        pk: AuditObjectRef(
            label=f"{policy_name} → {platform_name}",
            page=AuditObjectPage.POLICY,
            policy_id=policy_id,
        )
        for pk, policy_id, policy_name, platform_name in rows
    }


def audit_objects_of_platforms(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = Platform.objects.filter(pk__in=ids).values_list("pk", "name")
    return {
        pk: AuditObjectRef(label=name, page=AuditObjectPage.PLATFORM, platform_id=pk)
        for pk, name in rows
    }


def audit_objects_of_api_keys(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = PlatformApiKey.objects.filter(pk__in=ids).values_list(
        "pk", "platform_id", "platform__name", "name", "prefix"
    )
    return {
        pk: AuditObjectRef(
            label=f"{platform_name} key {name or prefix}",
            page=AuditObjectPage.PLATFORM,
            platform_id=platform_id,
        )
        for pk, platform_id, platform_name, name, prefix in rows
    }


def audit_objects_of_webhooks(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = WebhookEndpoint.objects.filter(pk__in=ids).values_list(
        "pk", "platform_id", "platform__name"
    )
    return {
        pk: AuditObjectRef(
            label=f"{platform_name} webhook",
            page=AuditObjectPage.PLATFORM,
            platform_id=platform_id,
        )
        for pk, platform_id, platform_name in rows
    }


def audit_objects_of_authors(ids: list[int]) -> dict[int, AuditObjectRef]:
    rows = Author.objects.filter(pk__in=ids).values_list("pk", "platform__name", "external_id")
    return {
        pk: AuditObjectRef(label=f"{platform_name} author {external_id}")
        for pk, platform_name, external_id in rows
    }


AUDIT_OBJECT_RESOLVERS = {
    "moderation.content": audit_objects_of_contents,
    "moderation.decision": audit_objects_of_decisions,
    "moderation.appeal": audit_objects_of_appeals,
    "moderation.policy": audit_objects_of_policies,
    "moderation.policygrant": audit_objects_of_grants,
    "moderation.platform": audit_objects_of_platforms,
    "moderation.api_key": audit_objects_of_api_keys,
    "moderation.webhookendpoint": audit_objects_of_webhooks,
    "moderation.author": audit_objects_of_authors,
}
