"""Intake, step 4: write a decided batch, one insert per table, in one transaction.

In order: the items in each policy's labeling project (through labeling's service), the
authors, the contents (with their blurred thumbnails) and their full-text search words, the
reports (hash bank, rules, model), the automatic decisions, their webhook deliveries (outbox
rows) and their audit records. The writes stay together in one module (a little over 400
lines): they share one transaction and rely on the batch's order.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.files import file_store
from core.services.audit import audit_record
from labeling.services.external_items import ExternalContent, items_create_for_content
from moderation.choices import (
    RULE_SIDE_ACTIONS,
    SCORE_USED_LEVELS,
    ContentState,
    DecisionAction,
    ReportSource,
    ReviewTier,
)
from moderation.models import (
    Author,
    Content,
    Decision,
    Platform,
    Policy,
    PolicyCategory,
    ReasonCode,
    Report,
    RuleHitLog,
    WebhookEndpoint,
)
from moderation.services.decisions import decision_payload
from moderation.services.intake_decide import Verdict
from moderation.services.intake_prepare import PreparedSubmission
from moderation.services.intake_signals import Signals, policy_categories
from moderation.services.review import review_priority
from moderation.services.search_index import content_search_index
from moderation.services.webhooks import webhook_event_send

BLUR_RADIUS = 16


@dataclass
class DecidedSubmission:
    """A submission with its signals and verdict: what is stored about it."""

    submission: PreparedSubmission
    signals: Signals
    verdict: Verdict

    @property
    def policy(self) -> Policy:
        return self.submission.policy

    @property
    def pending(self) -> bool:
        """People decide it (pending, or escalated by a rule to senior review)."""
        return self.verdict.state in (ContentState.PENDING, ContentState.ESCALATED)

    @cached_property
    def top_category(self) -> PolicyCategory | None:
        """The verdict's category: one of the policy's, or the category of a rule hit."""
        if self.verdict.top_category_id is None:
            return None
        categories = {hit.category.pk: hit.category for hit in self.signals.rule_hits}
        categories.update({c.pk: c for c in policy_categories(self.policy)})
        return categories.get(self.verdict.top_category_id)


@transaction.atomic
def intake_store(*, platform: Platform, decided: list[DecidedSubmission]) -> list[Content]:
    """Store a decided batch of ``platform``'s submissions; returns the new contents in order.

    Raises ``IntegrityError`` when another request stored one of these external ids meanwhile
    (the caller answers from what is stored then). Files written here are removed by the
    caller's ``files_removed_on_error`` when the transaction rolls back.
    """
    now = timezone.now()
    item_ids, blurred = _items_create(platform, decided)
    authors = _authors_get_or_create(platform, {d.submission.entry.author_id for d in decided})
    contents = _contents_create(platform, decided, item_ids, blurred, authors, now)
    content_search_index(content_ids=[c.pk for c in contents])
    _reports_create(decided, contents)
    _rule_hits_log(decided, contents)
    decisions = _decisions_create(decided, contents)
    _decisions_send(decisions)
    _decisions_audit(decisions)
    _removals_strike(decisions)
    _rule_side_actions(decided, contents)
    return contents


# --- items -------------------------------------------------------------------------------------


def _blurred_thumbnail(thumbnail_bytes: bytes) -> bytes:
    """A heavily blurred copy of the image's thumbnail (JPEG): what people see until they
    reveal the image."""
    from PIL import Image, ImageFilter

    with Image.open(io.BytesIO(thumbnail_bytes)) as thumbnail:
        blurred = thumbnail.convert("RGB").filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
        out = io.BytesIO()
        blurred.save(out, format="JPEG", quality=70)
    return out.getvalue()


def _item_external_id(platform: Platform, external_id: str) -> str:
    return f"mod:{platform.pk}:{external_id}"


def _items_create(
    platform: Platform, decided: list[DecidedSubmission]
) -> tuple[dict[int, int], dict[int, bytes]]:
    """An item per submission in its policy's labeling project. Returns the item ids and the
    blurred thumbnails of the images, both by ``id`` of the decided submission."""
    by_project: dict[int, list[DecidedSubmission]] = {}
    for one in decided:
        by_project.setdefault(one.policy.project_id, []).append(one)
    item_ids: dict[int, int] = {}
    blurred: dict[int, bytes] = {}
    for members in by_project.values():
        project = members[0].policy.project
        for one in members:
            if one.submission.checked_image:
                blurred[id(one)] = _blurred_thumbnail(one.submission.checked_image.thumbnail)
        # The item in the labeling project only ever has the blurred thumbnail, and labeling
        # audits every fetch of its full image: the reveal cannot be had another way.
        entries = [
            ExternalContent(
                external_id=_item_external_id(platform, one.submission.entry.external_id),
                text=one.submission.entry.text,
                image_bytes=one.submission.image_bytes,
                image_format=(
                    one.submission.checked_image.format if one.submission.checked_image else ""
                ),
                image_thumbnail=blurred.get(id(one)),
                thumbnail_ext="jpg",
                media_restricted=one.submission.checked_image is not None,
                content_hash=one.submission.sha256,
                metadata={
                    "source": "moderation",
                    "platform": platform.pk,
                    **{k: v for k, v in one.submission.entry.context.items() if k != "url"},
                },
            )
            for one in members
        ]
        ids = items_create_for_content(project=project, entries=entries)
        for one in members:
            item_ids[id(one)] = ids[_item_external_id(platform, one.submission.entry.external_id)]
    return item_ids, blurred


# --- authors -----------------------------------------------------------------------------------


def _authors_get_or_create(platform: Platform, author_ids: set[str]) -> dict[str, int]:
    """The platform's authors of these external ids (made when new), by external id."""
    existing = dict(
        Author.objects.filter(platform=platform, external_id__in=author_ids).values_list(
            "external_id", "id"
        )
    )
    missing = author_ids - set(existing)
    if missing:
        Author.objects.bulk_create(
            [Author(platform=platform, external_id=a) for a in missing], ignore_conflicts=True
        )
        existing.update(
            Author.objects.filter(platform=platform, external_id__in=missing).values_list(
                "external_id", "id"
            )
        )
    return existing


# --- contents ----------------------------------------------------------------------------------


def _severity_and_sla(one: DecidedSubmission) -> tuple[int, int]:
    if one.top_category is not None:
        return one.top_category.severity, one.top_category.sla_hours
    categories = policy_categories(one.policy)
    if not categories:
        return 1, 24
    return max(c.severity for c in categories), min(c.sla_hours for c in categories)


def _report_count(one: DecidedSubmission) -> int:
    """The flags intake raises: a hash match, each keyword rule and live rule hit, the
    model's."""
    return (
        (one.signals.hash_match is not None)
        + len(one.signals.rule_hits)
        + len(one.signals.rules.live if one.signals.rules else ())
        + int(one.verdict.model_flag)
    )


def _scores(one: DecidedSubmission) -> dict[str, Any]:
    """What ``Content.scores`` keeps: the acting and shadow scores, the level, the reasons and
    the hash match."""
    signals = one.signals
    hash_match = signals.hash_match
    return {
        "categories": signals.category_scores,
        "model_version": (signals.acting_version.version if signals.acting_version else None),
        "level": one.policy.automation_level,
        "reasons": list(one.verdict.reasons),
        "shadow": signals.shadow_scores,
        **(
            {
                "hash": {
                    "entry": hash_match.entry_id,
                    "kind": hash_match.kind,
                    "distance": hash_match.distance,
                }
            }
            if hash_match
            else {}
        ),
    }


def _contents_create(
    platform: Platform,
    decided: list[DecidedSubmission],
    item_ids: dict[int, int],
    blurred: dict[int, bytes],
    authors: dict[str, int],
    now: datetime,
) -> list[Content]:
    contents = []
    for one in decided:
        entry = one.submission.entry
        severity, sla_hours = _severity_and_sla(one)
        report_count = _report_count(one)
        pending = one.pending
        score_for_priority = (
            one.verdict.score if one.policy.automation_level in SCORE_USED_LEVELS else None
        )
        contents.append(
            Content(
                platform=platform,
                policy=one.policy,
                external_id=entry.external_id,
                author_id=authors[entry.author_id],
                item_id=item_ids[id(one)],
                # With the project's other thumbnails: deleting the project deletes it too.
                blurred_thumbnail=(
                    file_store(
                        folder=f"thumbnails/{one.policy.project_id}",
                        extension="jpg",
                        content=blurred[id(one)],
                    )
                    if id(one) in blurred
                    else None
                ),
                context=entry.context,
                # A parent of the content itself is no parent.
                parent_external_id=(
                    entry.parent_id if entry.parent_id != entry.external_id else ""
                ),
                state=one.verdict.state,
                tier=(
                    ReviewTier.SENIOR
                    if one.verdict.state == ContentState.ESCALATED
                    else ReviewTier.STANDARD
                ),
                scores=_scores(one),
                top_category=one.top_category,
                model_score=one.verdict.score,
                model_version=one.signals.acting_version,
                decided_automatically=not pending,
                report_count=report_count,
                hash_match=one.signals.hash_match is not None,
                # The review queue's one formula, at age zero; the periodic refresh keeps
                # applying it as the content ages.
                priority=(
                    review_priority(
                        severity=severity,
                        score=score_for_priority,
                        reports=report_count,
                        age_hours=0.0,
                        sla_hours=sla_hours,
                    )
                    if pending
                    else 0.0
                ),
                sla_due_at=now + timedelta(hours=sla_hours) if pending else None,
                created_at=now,
                decided_at=None if pending else now,
            )
        )
    Content.objects.bulk_create(contents)
    return contents


# --- reports -----------------------------------------------------------------------------------


def _reports_create(decided: list[DecidedSubmission], contents: list[Content]) -> None:
    """The flags intake raised, as reports (kept apart from people's reports by source)."""
    reports = []
    for one, content in zip(decided, contents, strict=True):
        hash_match = one.signals.hash_match
        if hash_match is not None:
            reports.append(
                Report(
                    content=content, source=ReportSource.HASH,
                    reporter=f"hash:{hash_match.entry_id}",
                    reason=f"{hash_match.kind} match", category=one.top_category,
                )
            )  # fmt: skip
        for hit in one.signals.rule_hits:
            reports.append(
                Report(
                    content=content, source=ReportSource.RULE, reporter=hit.rule[:255],
                    reason=f"rule of {hit.category.name}", category=hit.category,
                )
            )  # fmt: skip
        for rule in one.signals.rules.live if one.signals.rules else ():
            reports.append(
                Report(
                    content=content, source=ReportSource.RULE, reporter=f"rule:{rule.name}"[:255],
                    reason=f"live rule ({rule.action})",
                    category=_category(one, rule.category_id),
                )
            )  # fmt: skip
        version = one.signals.acting_version
        if one.verdict.model_flag and version is not None:  # a flag comes from a version
            reports.append(
                Report(
                    content=content, source=ReportSource.MODEL,
                    reporter=f"model:v{version.version}",
                    reason=f"score {one.verdict.score:.3f}", category=one.top_category,
                )
            )  # fmt: skip
    # Rules listed twice in a policy give one report (unique per content and reporter).
    Report.objects.bulk_create(reports, ignore_conflicts=True)


def _category(one: DecidedSubmission, category_id: int | None) -> PolicyCategory | None:
    return next((c for c in policy_categories(one.policy) if c.pk == category_id), None)


def _rule_hits_log(decided: list[DecidedSubmission], contents: list[Content]) -> None:
    """A log row per rule that held (background and live), and an audit record per live rule
    that acted (``rule.act``): the rules whose action made the verdict, and every live rule
    with a side action (strike, notify; done by ``_rule_side_actions``). Background rules are
    only logged."""
    hits = []
    for one, content in zip(decided, contents, strict=True):
        outcome = one.signals.rules
        if outcome is None:
            continue
        acting = set(one.verdict.acting_rule_ids)
        acting.update(rule.id for rule in outcome.live if rule.action in RULE_SIDE_ACTIONS)
        for rule in (*outcome.live, *outcome.background):
            acted = rule.id in acting
            hits.append(
                RuleHitLog(rule_id=rule.id, content=content, status=rule.status, acted=acted)
            )
            if acted:
                audit_record(
                    actor=None,
                    action="rule.act",
                    object_type="moderation.rule",
                    object_id=rule.id,
                    scope=f"moderation.policy:{content.policy_id}",
                    after={
                        "rule": rule.name,
                        "action": rule.action,
                        "content": content.pk,
                        "state": content.state,
                        **(
                            {"strike_points": rule.strike_points} if rule.action == "strike" else {}
                        ),
                    },
                )
    RuleHitLog.objects.bulk_create(hits, ignore_conflicts=True)


# --- decisions ---------------------------------------------------------------------------------


def _reason_code_for(
    policy: Policy, action: str, category: PolicyCategory | None
) -> ReasonCode | None:
    codes: list[ReasonCode] = list(policy.reason_codes.all())
    for code in codes:
        if code.action == action and category is not None and code.category_id == category.pk:
            return code
    for code in codes:
        if code.action == action and code.category_id is None:
            return code
    return None


def _suggestion(one: DecidedSubmission) -> dict[str, Any]:
    """What the model suggested, as the decision records it."""
    acting_version, score = one.signals.acting_version, one.verdict.score
    if acting_version is None or score is None:
        return {
            "level": one.policy.automation_level,
            "hash_match": one.signals.hash_match is not None,
        }
    return {
        "category": one.top_category.name if one.top_category else None,
        "score": score,
        "model_version": acting_version.version,
        "level": one.policy.automation_level,
    }


def _decisions_create(decided: list[DecidedSubmission], contents: list[Content]) -> list[Decision]:
    """The automatic decisions (final, automated) of the contents intake allowed or removed."""
    decisions = []
    for one, content in zip(decided, contents, strict=True):
        if one.pending:
            continue
        action = (
            DecisionAction.REMOVE if one.verdict.state == ContentState.REMOVED
            else DecisionAction.APPROVE
        )  # fmt: skip
        decisions.append(
            Decision(
                content=content,
                automated=True,
                is_final=True,
                action=action,
                reason_code=_reason_code_for(one.policy, action, one.top_category),
                note="; ".join(one.verdict.reasons)[:2000],
                model_suggestion=_suggestion(one),
            )
        )
    Decision.objects.bulk_create(decisions)
    return decisions


def _decisions_send(decisions: list[Decision]) -> None:
    """A ``content.decided`` webhook delivery per decision, for platforms with endpoints."""
    # Enforcement reaches the platform by webhook too (the intake answer already says it;
    # the webhook is what a platform's moderation log listens to), when it configured any.
    platforms_with_hooks = set(
        WebhookEndpoint.objects.filter(
            platform_id__in={d.content.platform_id for d in decisions}, active=True
        ).values_list("platform_id", flat=True)
    ) if decisions else set()  # fmt: skip
    for decision in decisions:
        if decision.content.platform_id in platforms_with_hooks:
            webhook_event_send(
                content=decision.content,
                event="content.decided",
                payload={"decision": decision_payload(decision)},
            )


def _removals_strike(decisions: list[Decision]) -> None:
    """Automatic removals strike their authors like people's (``author_removal_enforce``):
    one author at a time, in id order, so concurrent batches lock author rows alike."""
    from moderation.services.authors import author_removal_enforce

    removals = [d for d in decisions if d.action == DecisionAction.REMOVE and d.content.author_id]
    for decision in sorted(removals, key=lambda d: (d.content.author_id, d.pk)):
        author_removal_enforce(content=decision.content, decision=decision, actor=None)


def _rule_side_actions(decided: list[DecidedSubmission], contents: list[Content]) -> None:
    """What live "strike" and "notify" rules do beside the verdict, once per rule and content
    (intake stores a content once): a strike of the rule's points to the content's author
    (``author_rule_strike``: audited, thresholds act), a signed ``rule.notify`` webhook.
    Background rules never get here. Strikes go one author at a time, in id order, like the
    removals'."""
    from moderation.services.authors import author_rule_strike

    strikes = []
    for one, content in zip(decided, contents, strict=True):
        for rule in one.signals.rules.live if one.signals.rules else ():
            if rule.action == "notify":
                webhook_event_send(
                    content=content,
                    event="rule.notify",
                    payload={
                        "rule": {"id": rule.id, "name": rule.name},
                        "category": _category_name(one, rule.category_id),
                    },
                )
            elif rule.action == "strike" and content.author_id and rule.strike_points:
                category = _category(one, rule.category_id) or one.top_category
                strikes.append((content, rule, category))
    for content, rule, category in sorted(
        strikes, key=lambda found: (found[0].author_id, found[1].id)
    ):
        author_rule_strike(
            content=content,
            rule_id=rule.id,
            rule_name=rule.name,
            points=rule.strike_points or 0,
            category=category,
        )


def _category_name(one: DecidedSubmission, category_id: int | None) -> str | None:
    category = _category(one, category_id) or one.top_category
    return category.name if category is not None else None


def _decisions_audit(decisions: list[Decision]) -> None:
    for decision in decisions:
        # Automatic decisions are never labels (feedback-loop guard): no annotation here.
        audit_record(
            actor=None,
            action="decision.create",
            object_type="moderation.decision",
            object_id=decision.pk or "",
            scope=f"moderation.policy:{decision.content.policy_id}",
            after={
                "content": decision.content.pk,
                "action": decision.action,
                "automated": True,
                "reasons": decision.note,
            },
        )
