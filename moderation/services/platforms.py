"""Platforms and their API keys: created by site admins, keys shown once and kept as hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from moderation.models import Platform, PlatformApiKey

SCOPES = ("intake", "reports", "appeals")
KEY_PREFIX = "tdm_"
# Characters of the key kept in clear to tell keys apart ("tdm_" + 8).
PREFIX_LENGTH = 12
# ``last_used_at`` is refreshed at most this often: a write per request would cost latency.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def platform_create(*, name: str, created_by: User) -> Platform:
    """Register a platform. Side effects: audit ``platform.create``."""
    name = name.strip()
    if not name:
        raise ApplicationError("Give the platform a name.")
    try:
        with transaction.atomic():
            platform = Platform.objects.create(name=name, created_by=created_by)
    except IntegrityError as exc:
        raise ApplicationError(
            f"A platform named {name!r} already exists.", status_code=409
        ) from exc
    audit_record(
        actor=created_by,
        action="platform.create",
        object_type="moderation.platform",
        object_id=platform.pk,
        after={"name": platform.name},
    )
    return platform


@dataclass(frozen=True)
class NewApiKey:
    api_key: PlatformApiKey
    # The whole secret: returned once at creation, never stored.
    key: str


@transaction.atomic
def api_key_create(
    *, platform: Platform, scopes: list[str], created_by: User, name: str = ""
) -> NewApiKey:
    """Make a key for ``platform`` with ``scopes`` (a subset of intake / reports / appeals).

    Only the SHA-256 of the key and its first characters are stored. Side effects: audit
    ``api_key.create`` (without the secret).
    """
    scopes = list(dict.fromkeys(scopes))
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if not scopes or unknown:
        raise ApplicationError(
            "Give one or more scopes out of intake, reports, appeals.",
            extra={"unknown": unknown, "allowed": list(SCOPES)},
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = PlatformApiKey.objects.create(
        platform=platform,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=key_hash(key),
        scopes=scopes,
        created_by=created_by,
    )
    audit_record(
        actor=created_by,
        action="api_key.create",
        object_type="moderation.api_key",
        object_id=api_key.pk,
        scope=f"moderation.platform:{platform.pk}",
        after={"name": name, "prefix": api_key.prefix, "scopes": scopes},
    )
    return NewApiKey(api_key=api_key, key=key)


@transaction.atomic
def api_key_revoke(*, api_key: PlatformApiKey, user: User) -> PlatformApiKey:
    """Stop a key from working (from the next request on). Revoking twice changes nothing.

    Side effects: audit ``api_key.revoke``.
    """
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="api_key.revoke",
            object_type="moderation.api_key",
            object_id=api_key.pk,
            scope=f"moderation.platform:{api_key.platform_id}",
            before={"revoked_at": None},
            after={"revoked_at": api_key.revoked_at},
        )
    return api_key


def api_key_authenticate(*, key: str) -> PlatformApiKey | None:
    """The live key matching ``key`` (with its platform), or None for unknown / revoked keys.

    Side effects: refreshes ``last_used_at`` when it is older than a minute.
    """
    if not key.startswith(KEY_PREFIX):
        return None
    api_key = (
        PlatformApiKey.objects.select_related("platform")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True)
        .first()
    )
    if api_key is None:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        PlatformApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
