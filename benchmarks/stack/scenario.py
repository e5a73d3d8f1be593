"""A scenario's people, projects, policy and platform, made through the API as an admin would."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .client import Api, expect

if TYPE_CHECKING:
    from .processes import Stack

# --- a scenario's people, projects and platform, made through the API ----------------------------

USER_PASSWORD = "Fault-injection-user-7c1d"  # noqa: S105 - users of a throwaway cluster


def user_create(admin: Api, username: str, *, is_staff: bool = False) -> None:
    expect(
        admin.post(
            "/api/v1/users/",
            {
                "username": username,
                "email": f"{username}@example.org",
                "password": USER_PASSWORD,
                "is_staff": is_staff,
            },
        ),
        201,
    )


def project_create(
    admin: Api, *, name: str, classes: tuple[str, ...] = ("ham", "spam"), **settings: Any
) -> int:
    """A text project (binary) created by the admin, who becomes its admin; its id."""
    body = {
        "name": name,
        "data_type": "text",
        "task_type": "binary" if len(classes) == 2 else "multiclass",
        "label_classes": [{"name": name} for name in classes],
        **settings,
    }
    return expect(admin.post("/api/v1/projects/", body), 201)["id"]


def people(stack: Stack, admin: Api, *, project_id: int, role: str, names: list[str]) -> list[Api]:
    """Users with ``role`` in the project, each logged in (an API client with a token)."""
    clients = []
    for username in names:
        user_create(admin, username)
        expect(
            admin.post(
                f"/api/v1/projects/{project_id}/members/", {"username": username, "role": role}
            ),
            201,
        )
        clients.append(stack.login(username, USER_PASSWORD))
    return clients


@dataclass
class Moderation:
    """A policy on a labeling project, a platform with an intake key, maybe a webhook."""

    project_id: int
    policy_id: int
    platform_id: int
    platform: Api
    endpoint_id: int | None


REASON_CODES = [
    {"code": "SPAM-1", "description": "Unsolicited advertising", "action": "remove",
     "category": "spam"},
    {"code": "OK-1", "description": "Within the community rules", "action": "approve"},
]  # fmt: skip


def moderation_create(
    stack: Stack,
    admin: Api,
    *,
    name: str,
    automation_level: str = "human_only",
    webhook_url: str | None = None,
    webhook_secret: str = "",
    banned_texts: tuple[str, ...] = (),
) -> Moderation:
    """A moderation set-up: project (ham / spam), policy with a ``spam`` category and reason
    codes SPAM-1 (remove) and OK-1 (approve), a platform granted the policy with an intake
    key, a webhook to
    ``webhook_url``; ``banned_texts`` go into the hash bank (intake removes them by itself at
    the partial and full automation levels)."""
    project_id = project_create(admin, name=f"{name} labels", embedder="hashing", retrain_every=0)
    policy = expect(
        admin.post(
            "/api/v1/moderation/policies/",
            {
                "name": name,
                "project": project_id,
                "automation_level": automation_level,
                "categories": [{"name": "spam", "label_class": "spam"}],
                "reason_codes": REASON_CODES,
            },
        ),
        201,
    )
    platform = expect(admin.post("/api/v1/moderation/platforms/", {"name": f"{name} app"}), 201)
    key = expect(
        admin.post(
            f"/api/v1/moderation/platforms/{platform['id']}/keys/",
            {"name": "intake", "scopes": ["intake", "reports", "appeals"]},
        ),
        201,
    )["key"]
    # The platform's keys may use the policy only once a site admin grants it.
    expect(
        admin.request(
            "PUT", f"/api/v1/moderation/platforms/{platform['id']}/grants/{policy['id']}/"
        ),
        201,
    )
    endpoint_id = None
    if webhook_url:
        endpoint_id = expect(
            admin.post(
                f"/api/v1/moderation/platforms/{platform['id']}/webhooks/",
                {"url": webhook_url, "secret": webhook_secret},
            ),
            201,
        )["id"]
    if banned_texts:
        entries = [
            {"kind": "sha256", "value": hashlib.sha256(text.encode()).hexdigest(),
             "category": "spam"}
            for text in banned_texts
        ]  # fmt: skip
        expect(
            admin.post(f"/api/v1/moderation/policies/{policy['id']}/hashes/", {"entries": entries}),
            201,
        )
    return Moderation(
        project_id=project_id,
        policy_id=policy["id"],
        platform_id=platform["id"],
        platform=stack.api(bearer=key),
        endpoint_id=endpoint_id,
    )
