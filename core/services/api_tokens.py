"""People's API tokens: shown once, kept as hashes, one per person."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from core import rows
from core.models import ApiToken
from core.services.audit import audit_record

# Tells a Tandem user token apart from other secrets (and from a platform's ``tdm_`` key).
KEY_PREFIX = "tdu_"
# Characters of the key kept in clear to recognise it ("tdu_" + 8).
PREFIX_LENGTH = 12
# ``last_used_at`` is refreshed at most this often: a write per request would cost latency.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_hash(key: str) -> str:
    """SHA-256 hex of a key. Enough for long random keys: there is nothing to guess."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    # The whole secret: returned once, never stored.
    key: str


@transaction.atomic
def api_token_create(*, user: User) -> NewApiToken:
    """Make a new token for ``user``, replacing (revoking) the one they had.

    Only the key's hash and first characters are stored. Side effects: audit
    ``api_token.create`` (the prefix, never the key).
    """
    ApiToken.objects.filter(user=user).delete()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=api_token_hash(key), prefix=key[:PREFIX_LENGTH]
    )
    audit_record(
        actor=user,
        action="api_token.create",
        object_type="core.api_token",
        object_id=token.pk,
        after={"prefix": token.prefix},
    )
    return NewApiToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, user: User) -> None:
    """Delete ``user``'s token: it stops working from the next request on. Revoking when there
    is none does nothing. Side effects: audit ``api_token.revoke``."""
    token = ApiToken.objects.filter(user=user).first()
    if token is None:
        return
    token.delete()
    audit_record(
        actor=user,
        action="api_token.revoke",
        object_type="core.api_token",
        object_id=token.pk,
        before={"prefix": token.prefix},
    )


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The token whose key is ``key`` (with its user), or None for an unknown or revoked key.

    Side effects: refreshes ``last_used_at`` when it is older than a minute.
    """
    if not key:
        return None
    # Every API call by a script comes through here: one statement, written out (the ORM would
    # compile the same join anew each time).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(ApiToken, 't')}, {rows.columns(User, 'u')} "  # noqa: S608
            f"FROM {ApiToken._meta.db_table} AS t "
            f"JOIN {User._meta.db_table} AS u ON u.id = t.user_id WHERE t.key_hash = %s",
            [api_token_hash(key)],
        )
        row = cursor.fetchone()
    token = rows.instance(ApiToken, row) if row is not None else None
    if token is None:
        return None
    token.user = cast(User, rows.instance(User, row, rows.width(ApiToken)))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
