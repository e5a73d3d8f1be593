"""Intake, step 2: what is known about each prepared submission before deciding.

Per submission: its hash-bank match (exact SHA-256, image pHash), the category rules its text
matches, the model's scores: the acting version's (production, or the canary for its share)
and every shadow version's (only logged), the text banks it hits, and then the policy's
background and live rules over all of these (``rule_engine``). A batch is scored as a whole:
one embedder call per embedder. A model that cannot run (embedder missing, artifact
unreadable) never fails intake: the submission goes to people, and a note says why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from labeling.choices import DataType
from models_app.models import ModelVersion
from moderation.choices import AutomationLevel
from moderation.models import Author, Platform, Policy, PolicyCategory
from moderation.ruleset import conditions
from moderation.services import hashbank, model_serving, rule_engine, rules
from moderation.services.intake_decide import HASH_ACTS_LEVELS
from moderation.services.intake_prepare import PreparedSubmission

logger = logging.getLogger(__name__)


@dataclass
class Signals:
    """What intake found about one submission."""

    hash_match: hashbank.HashMatch | None = None
    rule_hits: list[rules.RuleHit] = field(default_factory=list)
    # The version whose scores count (production, or the canary for its share); None when no
    # version scored the submission.
    acting_version: ModelVersion | None = None
    # The acting version's probability per category name.
    category_scores: dict[str, float] = field(default_factory=dict)
    # Each shadow version's probabilities, by version number: logged, never acted on.
    shadow_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    # Why the model did not score the submission, when it did not.
    scoring_notes: list[str] = field(default_factory=list)
    # The policy's rules that held (live ones act, background ones are only logged).
    rules: rule_engine.RulesOutcome | None = None


# A submission and its signals, filled in together.
_Scored = tuple[PreparedSubmission, Signals]
# Rows of the submissions (by ``id`` of their signals) in an embedder's matrix, and the matrix.
_Vectors = dict[str, tuple[dict[int, int], Any]]


def policy_categories(policy: Policy) -> list[PolicyCategory]:
    """The policy's categories, as prefetched (most severe first, then by name)."""
    return list(policy.categories.all())


def signals_collect(
    *, submissions: list[PreparedSubmission], platform: Platform | None = None
) -> list[Signals]:
    """The signals of each submission, in order. Model scores are computed where the
    policy's level uses or logs them: not for human-only policies, nor where a hash-bank match
    already acts. Rules run last, over everything found (a rule reading a score that was not
    computed does not hold)."""
    signals = [
        Signals(
            hash_match=hashbank.hash_bank_match(
                policy=submission.policy, sha256=submission.sha256, phash=submission.phash
            ),
            rule_hits=rules.rules_match(
                policy=submission.policy,
                categories=policy_categories(submission.policy),
                text=submission.entry.text,
            ),
        )
        for submission in submissions
    ]
    _model_scores(list(zip(submissions, signals, strict=True)))
    _rules(submissions, signals, platform)
    return signals


def _rules(
    submissions: list[PreparedSubmission], signals: list[Signals], platform: Platform | None
) -> None:
    """Each submission's text-bank hits and the rules of its policy that hold."""
    evaluated = [
        (submission, found)
        for submission, found in zip(submissions, signals, strict=True)
        if rule_engine.compiled_policy(submission.policy).rules
    ]
    if not evaluated:
        return
    strikes = _author_strikes(platform, {s.entry.author_id for s, _ in evaluated})
    for submission, found in evaluated:
        entry = submission.entry
        context = entry.context if isinstance(entry.context, dict) else {}
        shadow = (
            found.shadow_scores[max(found.shadow_scores, key=int)] if found.shadow_scores else {}
        )
        language = context.get("language")
        found.rules = rule_engine.rules_evaluate(
            policy=submission.policy,
            signals=conditions.Signals(
                scores=found.category_scores,
                shadow_scores=shadow,
                banks=rule_engine.banks_match(policy=submission.policy, text=entry.text),
                hash_match=found.hash_match is not None,
                author_strikes=float(strikes.get(entry.author_id, 0)),
                account_age_days=rule_engine.account_age_days(context),
                metadata=rule_engine.context_fields(context),
                text_length=len(entry.text or ""),
                language=language if isinstance(language, str) else None,
            ),
        )


def _author_strikes(platform: Platform | None, author_ids: set[str]) -> dict[str, int]:
    if platform is None or not author_ids:
        return {}
    return dict(
        Author.objects.filter(platform=platform, external_id__in=author_ids).values_list(
            "external_id", "strikes"
        )
    )


def _model_scores(scored: list[_Scored]) -> None:
    """Model scores for submissions whose level uses (or logs) them: one embed per embedder."""
    by_project: dict[int, list[_Scored]] = {}
    for submission, signals in scored:
        level = submission.policy.automation_level
        if level == AutomationLevel.HUMAN_ONLY:
            continue
        if signals.hash_match is not None and level in HASH_ACTS_LEVELS:
            continue  # acted on before any model
        by_project.setdefault(submission.policy.project_id, []).append((submission, signals))
    for members in by_project.values():
        project = members[0][0].policy.project
        serving = model_serving.serving_versions(owner=project.owner_key)
        if not serving.all:
            for _, signals in members:
                signals.scoring_notes.append("no production model: people decide")
            continue
        is_image = project.data_type == DataType.IMAGE
        # (version, submissions) to score; the acting version first, then shadows.
        wanted: dict[int, tuple[ModelVersion, list[_Scored]]] = {}
        for submission, signals in members:
            model_input = submission.image_bytes if is_image else submission.entry.text
            if not model_input:
                signals.scoring_notes.append("nothing the project's model can score: people decide")
                continue
            acting = serving.production
            if serving.canary is not None and model_serving.in_canary(
                external_id=submission.entry.external_id, share=submission.policy.canary_share
            ):
                acting = serving.canary
            signals.acting_version = acting
            if acting is None:
                signals.scoring_notes.append("no production model: people decide")
            for version in [acting, *serving.shadows]:
                if version is not None:
                    wanted.setdefault(version.pk, (version, []))[1].append((submission, signals))
        vectors = _embed(wanted, is_image=is_image)
        for version, version_scored in wanted.values():
            probabilities = _version_probabilities(
                version, [signals for _, signals in version_scored], vectors
            )
            if probabilities is None:
                for _, signals in version_scored:
                    if version is signals.acting_version:
                        signals.acting_version = None
                        signals.scoring_notes.append(
                            f"model version {version.version} could not score: people decide"
                        )
                continue
            for (submission, signals), class_proba in zip(
                version_scored, probabilities, strict=True
            ):
                per_category = {
                    c.name: class_proba[c.label_class]
                    for c in policy_categories(submission.policy)
                    if c.label_class in class_proba
                }
                if version is signals.acting_version:
                    signals.category_scores = per_category
                else:
                    signals.shadow_scores[str(version.version)] = per_category


def _embed(wanted: dict[int, tuple[ModelVersion, list[_Scored]]], *, is_image: bool) -> _Vectors:
    """The vectors of every submission some version wants, one embedder call per embedder;
    an embedder that fails is left out (logged, never raised)."""
    by_embedder: dict[str, dict[int, _Scored]] = {}
    for version, version_scored in wanted.values():
        bucket = by_embedder.setdefault(version.embedder, {})
        for submission, signals in version_scored:
            bucket.setdefault(id(signals), (submission, signals))
    vectors: _Vectors = {}
    for embedder_key, bucket in by_embedder.items():
        embed_scored = list(bucket.values())
        inputs: list[str | bytes] = [
            (submission.image_bytes or b"") if is_image else (submission.entry.text or "")
            for submission, _ in embed_scored
        ]
        try:
            matrix = model_serving.embed(embedder_key=embedder_key, inputs=inputs)
        except Exception:
            # A model that cannot run (its embedder is not installed here, its weights
            # are unreadable) must not take intake down: people decide instead.
            logger.exception("intake: embedder %s failed; people decide", embedder_key)
            continue
        rows = {id(signals): row for row, (_, signals) in enumerate(embed_scored)}
        vectors[embedder_key] = (rows, matrix)
    return vectors


def _version_probabilities(
    version: ModelVersion, signals: list[Signals], vectors: _Vectors
) -> list[dict[str, float]] | None:
    """The version's class probabilities for the submissions of ``signals``, or None when it
    cannot score them (its embedder failed, or its classifier cannot be loaded): logged, never
    raised."""
    if version.embedder not in vectors:
        return None
    rows, matrix = vectors[version.embedder]
    try:
        return model_serving.class_probabilities(
            version=version, vectors=matrix[[rows[id(s)] for s in signals]]
        )
    except Exception:
        logger.exception("intake: model version %s failed to score; people decide", version.pk)
        return None
