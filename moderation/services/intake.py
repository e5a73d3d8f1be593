"""Intake: a platform submits content; Tandem answers allow / remove / pending review.

``intake_submit`` runs a batch through four steps, each in its own module:

1. ``intake_prepare``: check and decode each submission (limits, image, hashes);
2. ``intake_signals``: hash bank (exact SHA-256, image pHash) → keyword / regex rules → the
   model (production, or the canary for its share; shadow versions score alongside and are only
   logged), one embedder call per embedder for the whole batch;
3. ``intake_decide``: the verdict under the policy's automation level (pure);
4. ``intake_store``: one insert per table, in one transaction.

It then answers each entry from what is stored, so the same external id again gets the same
answer and nothing is stored twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import IntegrityError
from django.db.models import Exists, OuterRef, Prefetch

from core.exceptions import ApplicationError
from core.files import files_removed_on_error
from core.observability.metrics import intake_verdicts_count
from moderation.choices import SCORE_USED_LEVELS, ContentState
from moderation.models import Content, Platform, Policy, PolicyCategory, PolicyGrant
from moderation.selectors.grants import policies_granted
from moderation.services.intake_decide import (
    CategoryThresholds,
    HashHit,
    IntakeFacts,
    LiveRuleFact,
    RuleHitFact,
    intake_decide,
)
from moderation.services.intake_prepare import IntakeInput, PreparedSubmission, submission_prepare
from moderation.services.intake_signals import Signals, policy_categories, signals_collect
from moderation.services.intake_store import DecidedSubmission, intake_store

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

VERDICTS: dict[str, str] = {
    ContentState.ALLOWED: "allow",
    ContentState.REMOVED: "remove",
    ContentState.PENDING: "pending_review",
    ContentState.ESCALATED: "pending_review",
}


@dataclass
class IntakeError:
    index: int
    message: str
    status_code: int = 400
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status_code,
            "message": self.message,
            "extra": self.extra,
        }


@dataclass
class IntakeResult:
    # (input index, answer) in input order
    answers: list[tuple[int, dict[str, Any]]]
    errors: list[IntakeError]


def unknown_policy_error(policy_id: int) -> ApplicationError:
    """The one answer to a policy id that does not exist *or* is not granted to the caller's
    platform: both must read the same, so a platform learns nothing of others' policies."""
    return ApplicationError(
        f"Unknown policy {policy_id}.", extra={"policy": policy_id}, status_code=404
    )


def _revoked_content_error(external_id: str) -> ApplicationError:
    return ApplicationError(
        "This external_id names content under a policy this platform is no longer granted; "
        "it cannot be read or sent again.",
        extra={"external_id": external_id},
        status_code=404,
    )


def intake_facts(*, submission: PreparedSubmission, signals: Signals) -> IntakeFacts:
    """What ``intake_decide`` needs of a submission and its signals, as plain values."""
    hash_match = signals.hash_match
    return IntakeFacts(
        automation_level=submission.policy.automation_level,
        categories=tuple(
            CategoryThresholds(
                id=c.pk,
                name=c.name,
                remove_threshold=c.remove_threshold,
                allow_threshold=c.allow_threshold,
            )
            for c in policy_categories(submission.policy)
        ),
        hash_hit=(
            HashHit(
                kind=hash_match.kind,
                category_id=hash_match.category_id,
                distance=hash_match.distance,
            )
            if hash_match is not None
            else None
        ),
        rule_hits=tuple(
            RuleHitFact(rule=hit.rule, category_id=hit.category.pk, category_name=hit.category.name)
            for hit in signals.rule_hits
        ),
        category_scores=signals.category_scores,
        scoring_notes=tuple(signals.scoring_notes),
        live_rules=tuple(
            LiveRuleFact(
                id=rule.id, name=rule.name, action=rule.action, category_id=rule.category_id
            )
            for rule in (signals.rules.flags if signals.rules else ())
        ),
    )


# --- answering ---------------------------------------------------------------------------------


def content_answer(content: Content) -> dict[str, Any]:
    """What the platform is told about a content (at intake, again, or when it polls)."""
    scores = content.scores or {}
    level = scores.get("level")
    score_used = level in SCORE_USED_LEVELS
    return {
        "external_id": content.external_id,
        "content_id": content.pk,
        "state": content.state,
        "verdict": VERDICTS[content.state],
        "model_version": scores.get("model_version") if score_used else None,
        "score": content.model_score if score_used else None,
        "category": content.top_category.name if content.top_category else None,
        "hash_match": content.hash_match,
        "reasons": scores.get("reasons", []),
    }


def _policies(platform: Platform, ids: set[int]) -> dict[int, Policy]:
    """The policies of ``ids`` granted to ``platform``; the others are simply absent."""
    policies = (
        policies_granted(platform=platform)
        .filter(pk__in=ids)
        .select_related("project")
        .prefetch_related(
            Prefetch("categories", queryset=PolicyCategory.objects.order_by("-severity", "name")),
            "reason_codes",
        )
    )
    return {policy.pk: policy for policy in policies}


class _Granted(TypedDict):
    granted: bool


def _existing(
    platform: Platform, external_ids: list[str]
) -> dict[str, WithAnnotations[Content, _Granted]]:
    """The platform's stored content of these external ids, each with ``granted`` (whether its
    policy is still granted to the platform)."""
    grant = PolicyGrant.objects.filter(policy=OuterRef("policy_id"), platform=platform)
    return {
        content.external_id: content
        for content in Content.objects.filter(platform=platform, external_id__in=external_ids)
        .select_related("top_category")
        .annotate(granted=Exists(grant))
    }


def _verdicts_count(contents: list[Content]) -> None:
    """``tandem_intake_verdicts_total``: the new contents (stored, committed) by verdict."""
    counts = Counter((content.policy_id, VERDICTS[content.state]) for content in contents)
    for (policy_id, verdict), n in counts.items():
        intake_verdicts_count(policy_id=policy_id, verdict=verdict, count=n)


def intake_submit(*, platform: Platform, entries: list[IntakeInput]) -> IntakeResult:
    """Take in content for ``platform``; each entry gets an answer or an error (by index).

    The same external id again (in this batch or later) gets the stored answer; nothing is
    stored twice. Side effects: items in the policy's project (images and blurred thumbnails
    under random names in MEDIA_ROOT; an image's item is media-restricted), authors,
    contents, reports (hash / rule / model), automatic decisions (final, automated, never
    training labels) each with an audit record and, for platforms with webhook endpoints, a
    signed ``content.decided`` delivery; the new contents counted in
    ``tandem_intake_verdicts_total``.
    """
    errors: list[IntakeError] = []
    policies = _policies(platform, {entry.policy for entry in entries})
    firsts: dict[str, IntakeInput] = {}
    for entry in entries:
        firsts.setdefault(entry.external_id, entry)
    known = _existing(platform, list(firsts))
    existing: dict[str, Content] = dict(known)
    prepared: list[PreparedSubmission] = []
    for entry in firsts.values():
        try:
            # A policy the platform may not use is refused before anything else is looked at
            # (hash bank, rules, model): it must cost and answer the same as a missing one.
            if entry.policy not in policies:
                raise unknown_policy_error(entry.policy)
            stored = known.get(entry.external_id)
            if stored is not None:
                if not stored.granted:
                    raise _revoked_content_error(entry.external_id)
                continue
            prepared.append(submission_prepare(entry=entry, policy=policies[entry.policy]))
        except ApplicationError as exc:
            errors.append(
                IntakeError(
                    index=entry.index, message=exc.message, status_code=exc.status_code,
                    extra=exc.extra,
                )
            )  # fmt: skip
    decided = [
        DecidedSubmission(
            submission=submission,
            signals=signals,
            verdict=intake_decide(facts=intake_facts(submission=submission, signals=signals)),
        )
        for submission, signals in zip(
            prepared, signals_collect(submissions=prepared, platform=platform), strict=True
        )
    ]
    if decided:
        try:
            # Files written for a batch that rolls back are removed with it.
            with files_removed_on_error():
                new_contents = intake_store(platform=platform, decided=decided)
            for content in new_contents:
                existing[content.external_id] = content
            _verdicts_count(new_contents)
        except IntegrityError:
            # Another request stored some of these external ids meanwhile: answer them (and
            # the rest) from what is stored now, by running the intake again once.
            retry = [submission.entry for submission in prepared]
            again = intake_submit(platform=platform, entries=retry) if retry else None
            if again is not None:
                errors.extend(again.errors)
                existing.update(_existing(platform, [e.external_id for e in retry]))
    failed = {error.index for error in errors}
    answers = []
    for entry in entries:
        first = firsts[entry.external_id]
        if first.index in failed:
            if entry is not first:
                errors.append(
                    IntakeError(index=entry.index, message="Same external_id as a bad entry.")
                )
            continue
        answered = existing.get(entry.external_id)
        if answered is not None:
            answers.append((entry.index, content_answer(answered)))
    errors.sort(key=lambda error: error.index)
    return IntakeResult(answers=answers, errors=errors)
