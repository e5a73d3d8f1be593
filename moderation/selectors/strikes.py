"""Reads of authors' records: live strike points and the action in force, computed from the
strike and action rows with the clock (``at``), so expiry needs no job to be right."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from moderation.choices import SANCTION_STRENGTH
from moderation.models import Author, AuthorSanction, Content, Strike


def strikes_live(*, at: datetime) -> Q:
    """Strikes counting at ``at``: given by then, not reversed, not yet expired."""
    return Q(created_at__lte=at, reversed_at__isnull=True) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=at)
    )


def author_live_points(
    *, author_id: int, policy_ids: Collection[int] | None = None, at: datetime | None = None
) -> int:
    """The author's live strike points at ``at`` (now by default), under ``policy_ids`` (all
    policies when None)."""
    strikes = Strike.objects.filter(strikes_live(at=at or timezone.now()), author_id=author_id)
    if policy_ids is not None:
        strikes = strikes.filter(policy_id__in=list(policy_ids))
    return int(strikes.aggregate(total=Sum("points"))["total"] or 0)


def authors_live_points(
    *, platform_id: int, external_ids: Collection[str], at: datetime | None = None
) -> dict[str, int]:
    """Live strike points (all policies) of the platform's authors with these external ids, by
    external id; authors without live strikes are left out (0). One query."""
    rows = (
        Strike.objects.filter(
            strikes_live(at=at or timezone.now()),
            author__platform_id=platform_id,
            author__external_id__in=list(external_ids),
        )
        .values("author__external_id")
        .annotate(total=Sum("points"))
        .values_list("author__external_id", "total")
    )
    return {external_id: int(total or 0) for external_id, total in rows}


def live_points_subquery(*, author_ref: str = "author_id", at: datetime | None = None):
    """An annotation: the live strike points (all policies) of the row's author."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    total = (
        Strike.objects.filter(strikes_live(at=at or timezone.now()), author_id=OuterRef(author_ref))
        .values("author_id")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def sanctions_in_force(*, at: datetime) -> Q:
    """Actions in force at ``at``: taken by then, not lifted, not ended."""
    return Q(created_at__lte=at, lifted_at__isnull=True) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


def author_current_action(
    *, author_id: int, policy_ids: Collection[int] | None = None, at: datetime | None = None
) -> AuthorSanction | None:
    """The strongest action in force (ban > suspend > warn; the longest-running of a kind)."""
    sanctions = AuthorSanction.objects.filter(
        sanctions_in_force(at=at or timezone.now()), author_id=author_id
    )
    if policy_ids is not None:
        sanctions = sanctions.filter(policy_id__in=list(policy_ids))
    return _strongest(list(sanctions))


def _strongest(sanctions: list[AuthorSanction]) -> AuthorSanction | None:
    if not sanctions:
        return None
    # A null end (ban; warning under a policy whose strikes never expire) outlasts any date.
    far = datetime.max.replace(tzinfo=timezone.get_current_timezone())
    return max(sanctions, key=lambda s: (SANCTION_STRENGTH[s.kind], s.ends_at or far, s.pk))


# Rows of each list an author record shows (newest first); the sums cover every row.
AUTHOR_RECORD_ROWS = 100


def author_record(
    *, author: Author, policy_ids: Collection[int], at: datetime | None = None
) -> dict[str, Any]:
    """What a reader allowed to see ``policy_ids`` sees of the author: live points (in all and
    per policy), the latest strikes with their expiry and state, the latest actions taken and
    the one in force."""
    at = at or timezone.now()
    ids = list(policy_ids)
    of_author = Strike.objects.filter(author=author, policy_id__in=ids)
    per_policy = list(
        of_author.values("policy_id", "policy__name")
        .annotate(live=Sum("points", filter=strikes_live(at=at)))
        .order_by("policy__name")
    )
    strikes = list(
        of_author.select_related("policy", "category").order_by("-created_at", "-id")[
            :AUTHOR_RECORD_ROWS
        ]
    )
    for strike in strikes:
        strike.state = _strike_state(strike, at)
    sanctions = list(
        AuthorSanction.objects.filter(author=author, policy_id__in=ids)
        .select_related("policy")
        .order_by("-created_at", "-id")[:AUTHOR_RECORD_ROWS]
    )
    for sanction in sanctions:
        sanction.in_force = (
            sanction.created_at <= at
            and sanction.lifted_at is None
            and (sanction.ends_at is None or sanction.ends_at > at)
        )
    current = author_current_action(author_id=author.pk, policy_ids=ids, at=at)
    policies = [
        {"policy": row["policy_id"], "policy_name": row["policy__name"],
         "live_points": int(row["live"] or 0)}
        for row in per_policy
    ]  # fmt: skip
    return {
        "id": author.pk,
        "external_id": author.external_id,
        "platform": author.platform.name,
        "at": at,
        "live_points": sum(row["live_points"] for row in policies),
        "policies": policies,
        "strikes": strikes,
        "actions": sanctions,
        "current_action": current,
    }


def _strike_state(strike: Strike, at: datetime) -> str:
    if strike.reversed_at is not None and strike.reversed_at <= at:
        return "reversed"
    if strike.expires_at is not None and strike.expires_at <= at:
        return "expired"
    return "live"


def author_get_for_moderator(*, author_id: int, policy_ids: Collection[int]) -> Author | None:
    """The author if they posted, or were struck, under one of ``policy_ids`` (the policies
    the reader moderates); None otherwise, so an author of others' policies reads as unknown."""
    ids = list(policy_ids)
    seen = Content.objects.filter(author_id=author_id, policy_id__in=ids).exists() or (
        Strike.objects.filter(author_id=author_id, policy_id__in=ids).exists()
    )
    if not seen:
        return None
    return Author.objects.select_related("platform").filter(pk=author_id).first()


def author_sanctions(*, author_id: int, policy_id: int) -> QuerySet[AuthorSanction]:
    return AuthorSanction.objects.filter(author_id=author_id, policy_id=policy_id)
