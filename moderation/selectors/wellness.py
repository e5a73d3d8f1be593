"""Reviewer wellness, read: each person's settings over the organisation's defaults, what in a
content is graphic or flagged, and exposure counts for the moderator and their managers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from moderation.models import (
    Content,
    ExposureEvent,
    PolicyCategory,
    Report,
    WellnessBreak,
    WellnessDefaults,
    WellnessSettings,
)
from moderation.selectors.access import MODERATE_ROLES, POLICY_ADMIN_ROLES, policies_for_user

WELLNESS_FIELDS = (
    "blur",
    "grayscale",
    "sepia",
    "hide_flagged_terms",
    "mute_media",
    "break_reminder_minutes",
)
DEFAULTS_PK = 1
# Exposure windows: today, and the last seven days including today.
WEEK_DAYS = 7
# Flagged spans shown masked in one text, at most (a text matching a rule everywhere is masked
# whole after that many).
MAX_SEGMENTS = 2_000


def wellness_defaults_get() -> WellnessDefaults:
    """The organisation's defaults; the model's own defaults until staff first save them (read
    without writing: the row is created by the first change)."""
    return WellnessDefaults.objects.filter(pk=DEFAULTS_PK).first() or WellnessDefaults(
        pk=DEFAULTS_PK
    )


@dataclass(frozen=True)
class Wellness:
    effective: dict[str, Any]
    own: dict[str, Any]
    defaults: dict[str, Any]


def wellness_for_user(*, user: User) -> Wellness:
    """``user``'s settings: their own values (null = follows the default), the organisation's
    defaults, and what applies (``effective``)."""
    defaults_row = wellness_defaults_get()
    own_row = WellnessSettings.objects.filter(user_id=user.pk).first()
    defaults = {field: getattr(defaults_row, field) for field in WELLNESS_FIELDS}
    own = {field: getattr(own_row, field) if own_row else None for field in WELLNESS_FIELDS}
    effective = {
        field: own[field] if own[field] is not None else defaults[field]
        for field in WELLNESS_FIELDS
    }
    return Wellness(effective=effective, own=own, defaults=defaults)


# --- what is graphic, what is flagged -------------------------------------------------------


def graphic_category_ids(*, policy_id: int) -> set[int]:
    return set(
        PolicyCategory.objects.filter(policy_id=policy_id, graphic=True).values_list(
            "pk", flat=True
        )
    )


def content_is_graphic(*, content: Content, flags: list[Report] | None = None) -> bool:
    """Graphic content: its top category, or the category of any flag on it (a report, a rule
    hit, a hash match), is marked graphic on the policy."""
    graphic = graphic_category_ids(policy_id=content.policy_id)
    if not graphic:
        return False
    if content.top_category_id in graphic:
        return True
    if flags is None:
        return Report.objects.filter(content=content, category_id__in=graphic).exists()
    return any(flag.category_id in graphic for flag in flags)


def flagged_segments(
    *, text: str | None, rules: list[str], bank_spans: Sequence[tuple[int, int]] = ()
) -> list[dict[str, Any]]:
    """``text`` cut into ``{"text", "flagged"}`` pieces, flagged where one of ``rules`` (the
    rule hits on the content: RE2 patterns, case-insensitive) matches, and over ``bank_spans``
    (``(start, end)`` of ``text``: where its policy's text banks match); empty when nothing
    matches. Pieces, not offsets: the browser counts string positions differently (UTF-16)."""
    if not text or (not rules and not bank_spans):
        return []
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    # As far as intake's rules scan (moderation.services.rules).
    scan_max = int(getattr(settings, "TANDEM_RULE_SCAN_MAX_CHARS", None) or 100_000)
    scanned = text[:scan_max]
    spans = [(start, end) for start, end in bank_spans if end > start][:MAX_SEGMENTS]
    for rule in dict.fromkeys(rules):
        try:
            pattern = re2.compile(rule, options)
        except re2.error:
            continue  # a rule changed or cut to the report's length since it hit
        for match in pattern.finditer(scanned):
            start, end = match.span()
            if end > start:
                spans.append((start, end))
            if len(spans) > MAX_SEGMENTS:
                return [{"text": text, "flagged": True}]
    if not spans:
        return []
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    segments: list[dict[str, Any]] = []
    position = 0
    for start, end in merged:
        if start > position:
            segments.append({"text": text[position:start], "flagged": False})
        segments.append({"text": text[start:end], "flagged": True})
        position = end
    if position < len(text):
        segments.append({"text": text[position:], "flagged": False})
    return segments


# --- exposure -------------------------------------------------------------------------------


def exposure_day(now: datetime | None = None) -> date:
    """The day a reveal counts on: the date in the server's time zone."""
    return timezone.localdate(now or timezone.now())


def _is_staff(user: User) -> bool:
    return bool(user.is_active and (user.is_staff or user.is_superuser))


def is_wellness_manager(*, user: User) -> bool:
    """Site staff, and people who run a policy (admins and senior moderators of its project)."""
    if _is_staff(user):
        return True
    return policies_for_user(user=user, roles=POLICY_ADMIN_ROLES).exists()


def moderators_managed_by(*, user: User) -> QuerySet[User]:
    """The moderators whose exposure ``user`` may read: for staff, everyone with a moderation
    role in a policy's project; for a policy's admins and senior moderators, the moderators of
    the policies they run. Nobody for the rest (they read only their own)."""
    users = get_user_model().objects.filter(is_active=True)
    moderating = Q(
        project_memberships__project__policies__isnull=False,
        project_memberships__role__in=list(MODERATE_ROLES),
    )
    if _is_staff(user):
        return users.filter(moderating).distinct().order_by("username")
    run = policies_for_user(user=user, roles=POLICY_ADMIN_ROLES).values("project_id")
    return (
        users.filter(
            project_memberships__project_id__in=run,
            project_memberships__role__in=list(MODERATE_ROLES),
        )
        .distinct()
        .order_by("username")
    )


def exposure_visible(*, viewer: User, target: User) -> bool:
    if viewer.pk == target.pk or _is_staff(viewer):
        return True
    return moderators_managed_by(user=viewer).filter(pk=target.pk).exists()


def exposure_summaries(*, user_ids: list[int], today: date) -> dict[int, dict[str, Any]]:
    """Per user: reveals of graphic content today, in the last seven days (today included), per
    day of those seven (oldest first), and break reminders answered today."""
    first = today - timedelta(days=WEEK_DAYS - 1)
    rows = (
        ExposureEvent.objects.filter(user_id__in=user_ids, day__gte=first, day__lte=today)
        .values("user_id", "day")
        .annotate(count=Count("id"))
    )
    per_day: dict[int, dict[date, int]] = {pk: {} for pk in user_ids}
    for row in rows:
        per_day[row["user_id"]][row["day"]] = row["count"]
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    breaks = dict(
        WellnessBreak.objects.filter(
            user_id__in=user_ids, created_at__gte=start, created_at__lt=start + timedelta(days=1)
        )
        .values("user_id")
        .annotate(count=Count("id"))
        .values_list("user_id", "count")
    )
    days = [first + timedelta(days=offset) for offset in range(WEEK_DAYS)]
    return {
        pk: {
            "today": per_day[pk].get(today, 0),
            "last_7_days": sum(per_day[pk].values()),
            "days": [{"day": day, "count": per_day[pk].get(day, 0)} for day in days],
            "breaks_today": breaks.get(pk, 0),
        }
        for pk in user_ids
    }
