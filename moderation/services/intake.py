"""Intake: a platform submits content; Tandem answers allow / remove / pending review.

Order for each content: hash bank (exact SHA-256, image pHash) → keyword / regex rules → the
model (production, or the canary for its share; shadow versions score alongside and are only
logged) → the policy's automation level. A batch is worked on as a whole: one embedder call
per embedder, one insert per table.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from core.exceptions import ApplicationError
from core.files import file_store, files_removed_on_error
from core.observability.metrics import intake_verdicts_count
from core.services.audit import audit_record
from labeling.choices import DataType
from labeling.services.external_items import ExternalContent, items_create_for_content
from moderation.choices import (
    SCORE_USED_LEVELS,
    AutomationLevel,
    ContentState,
    DecisionAction,
    ReportSource,
)
from moderation.models import (
    Author,
    Content,
    Decision,
    Platform,
    Policy,
    PolicyCategory,
    PolicyGrant,
    ReasonCode,
    Report,
    WebhookEndpoint,
)
from moderation.selectors.grants import contents_of_platform, policies_granted
from moderation.services import hashbank, rules, scoring
from moderation.services.decisions import decision_payload
from moderation.services.webhooks import webhook_event_send

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

logger = logging.getLogger(__name__)

# Levels at which the model's score informs what happens (shadow only logs it).
# Levels at which a hash-bank match removes content at once.
HASH_ACTS_LEVELS = SCORE_USED_LEVELS
VERDICTS: dict[str, str] = {
    ContentState.ALLOWED: "allow",
    ContentState.REMOVED: "remove",
    ContentState.PENDING: "pending_review",
    ContentState.ESCALATED: "pending_review",
}
BLUR_SIZE = 256
BLUR_RADIUS = 16


def content_priority(
    *,
    severity: int,
    score: float | None,
    report_count: int,
    age_hours: float = 0.0,
    sla_hours: float = 24.0,
) -> float:
    """Review-queue priority at intake: the review queue's one formula
    (``moderation.services.review.review_priority``), which the periodic refresh keeps
    applying as the content ages."""
    from moderation.services.review import review_priority

    return review_priority(
        severity=severity,
        score=score,
        reports=report_count,
        age_hours=age_hours,
        sla_hours=sla_hours,
    )


# --- input -------------------------------------------------------------------------------------


@dataclass
class IntakeInput:
    """One submitted content as the API parsed it (``image`` still base64)."""

    index: int
    policy: int
    external_id: str
    author_id: str
    text: str | None = None
    image: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


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


@dataclass
class _Prepared:
    entry: IntakeInput
    policy: Policy
    image_bytes: bytes | None = None
    checked_image: Any = None
    sha256: str = ""
    phash: str | None = None
    # Filled in by the pipeline.
    hash_match: hashbank.HashMatch | None = None
    rule_hits: list[rules.RuleHit] = field(default_factory=list)
    acting_version: Any = None
    model_input: str | bytes = ""  # what the models score: the image's bytes or the text
    category_scores: dict[str, float] = field(default_factory=dict)
    shadow_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    state: str = ContentState.PENDING
    top_category: PolicyCategory | None = None
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    model_flag: bool = False


def _decode_image(entry: IntakeInput) -> bytes:
    limit = settings.TANDEM_IMAGE_MAX_BYTES
    # base64 is 4/3 of the bytes: refuse before decoding a huge string.
    if len(entry.image or "") > limit * 4 // 3 + 4:
        raise ApplicationError(
            f"The image is over the limit of {limit:,} bytes.", status_code=413,
            extra={"limit_bytes": limit},
        )  # fmt: skip
    try:
        data = base64.b64decode(entry.image or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApplicationError("image: not valid base64.") from exc
    if len(data) > limit:
        raise ApplicationError(
            f"The image is {len(data):,} bytes; the limit is {limit:,} bytes.",
            status_code=413, extra={"limit_bytes": limit},
        )  # fmt: skip
    return data


def _prepare(entry: IntakeInput, policies: dict[int, Policy]) -> _Prepared:
    from core.images import check_image

    policy = policies.get(entry.policy)
    if policy is None:
        raise unknown_policy_error(entry.policy)
    if not entry.text and not entry.image:
        raise ApplicationError("Send text, an image, or both.")
    limit = settings.TANDEM_TEXT_MAX_CHARS
    if entry.text and len(entry.text) > limit:
        raise ApplicationError(
            f"The text is {len(entry.text):,} characters; the limit is {limit:,}.",
            status_code=413, extra={"limit_chars": limit},
        )  # fmt: skip
    prepared = _Prepared(entry=entry, policy=policy)
    if entry.image:
        data = _decode_image(entry)
        try:
            prepared.checked_image = check_image(
                data, max_pixels=settings.TANDEM_IMAGE_MAX_PIXELS, thumb_size=BLUR_SIZE
            )
        except ValueError as exc:
            raise ApplicationError(f"image: {exc}.") from exc
        prepared.image_bytes = data
        prepared.sha256 = hashbank.sha256_hex(data)
        prepared.phash = hashbank.image_phash(data)
    else:
        prepared.sha256 = hashbank.sha256_hex((entry.text or "").encode("utf-8"))
    return prepared


# --- deciding ----------------------------------------------------------------------------------


def _categories(policy: Policy) -> list[PolicyCategory]:
    return list(policy.categories.all())


def _score(prepared: list[_Prepared]) -> None:
    """Model scores for entries whose level uses (or logs) them: one embed per embedder."""
    by_project: dict[int, list[_Prepared]] = {}
    for item in prepared:
        level = item.policy.automation_level
        if level == AutomationLevel.HUMAN_ONLY:
            continue
        if item.hash_match is not None and level in HASH_ACTS_LEVELS:
            continue  # acted on before any model
        by_project.setdefault(item.policy.project_id, []).append(item)
    for items in by_project.values():
        project = items[0].policy.project
        serving = scoring.serving_versions(project=project)
        if not serving.all:
            for item in items:
                item.reasons.append("no production model: people decide")
            continue
        is_image = project.data_type == DataType.IMAGE
        # (version, item) pairs to score; the acting version first, then shadows.
        wanted: dict[int, tuple[Any, list[_Prepared]]] = {}
        for item in items:
            model_input = item.image_bytes if is_image else item.entry.text
            if not model_input:
                item.reasons.append("nothing the project's model can score: people decide")
                continue
            item.model_input = model_input
            acting = serving.production
            if serving.canary is not None and scoring.in_canary(
                external_id=item.entry.external_id, share=item.policy.canary_share
            ):
                acting = serving.canary
            item.acting_version = acting
            if acting is None:
                item.reasons.append("no production model: people decide")
            for version in [acting, *serving.shadows]:
                if version is not None:
                    wanted.setdefault(version.pk, (version, []))[1].append(item)
        by_embedder: dict[str, dict[int, _Prepared]] = {}
        for version, version_items in wanted.values():
            bucket = by_embedder.setdefault(version.embedder, {})
            for version_item in version_items:
                bucket.setdefault(id(version_item), version_item)
        vectors: dict[str, tuple[dict[int, int], Any]] = {}
        for embedder_key, bucket_items in by_embedder.items():
            embed_items = list(bucket_items.values())
            inputs = [i.model_input for i in embed_items]
            try:
                matrix = scoring.embed(embedder_key=embedder_key, inputs=inputs)
            except Exception:
                # A model that cannot run (its embedder is not installed here, its weights
                # are unreadable) must not take intake down: people decide instead.
                logger.exception("intake: embedder %s failed; people decide", embedder_key)
                continue
            vectors[embedder_key] = ({id(i): row for row, i in enumerate(embed_items)}, matrix)
        for version, version_items in wanted.values():
            probabilities = _version_probabilities(version, version_items, vectors)
            if probabilities is None:
                for item in version_items:
                    if version is item.acting_version:
                        item.acting_version = None
                        item.reasons.append(
                            f"model version {version.version} could not score: people decide"
                        )
                continue
            for item, class_proba in zip(version_items, probabilities, strict=True):
                per_category = {
                    c.name: class_proba[c.label_class]
                    for c in _categories(item.policy)
                    if c.label_class in class_proba
                }
                if version is item.acting_version:
                    item.category_scores = per_category
                else:
                    item.shadow_scores[str(version.version)] = per_category


def _version_probabilities(
    version: Any, items: list[_Prepared], vectors: dict[str, tuple[dict[int, int], Any]]
) -> list[dict[str, float]] | None:
    """The version's class probabilities for ``items``, or None when it cannot score them
    (its embedder failed, or its classifier cannot be loaded): logged, never raised."""
    if version.embedder not in vectors:
        return None
    rows, matrix = vectors[version.embedder]
    try:
        return scoring.class_probabilities(
            version=version, vectors=matrix[[rows[id(i)] for i in items]]
        )
    except Exception:
        logger.exception("intake: model version %s failed to score; people decide", version.pk)
        return None


def _decide(item: _Prepared) -> None:
    """State, category, score and reasons from the flags, scores and automation level."""
    policy = item.policy
    level = policy.automation_level
    categories = {c.pk: c for c in _categories(policy)}
    if item.hash_match is not None:
        category = categories.get(item.hash_match.category_id)
        item.top_category = category
        how = "exact" if item.hash_match.distance == 0 else f"distance {item.hash_match.distance}"
        item.reasons.append(
            f"hash bank: {item.hash_match.kind} match ({how}), category "
            f"{category.name if category else '?'}"
        )
        if level in HASH_ACTS_LEVELS:
            item.state = ContentState.REMOVED
            return
    for hit in item.rule_hits:
        item.reasons.append(f"rule {hit.rule!r} matched, category {hit.category.name}")
    if level == AutomationLevel.HUMAN_ONLY:
        item.reasons.append("policy is human-only: people decide")
        item.top_category = item.top_category or (
            item.rule_hits[0].category if item.rule_hits else None
        )
        return
    by_name = {c.name: c for c in categories.values()}
    top_name = max(item.category_scores, key=item.category_scores.__getitem__, default=None)
    if level == AutomationLevel.SHADOW:
        item.reasons.append("policy is in shadow mode: model scores logged, people decide")
        item.top_category = item.top_category or (
            item.rule_hits[0].category if item.rule_hits else None
        )
        return
    if top_name is None:
        item.top_category = item.top_category or (
            item.rule_hits[0].category if item.rule_hits else None
        )
        return
    top = by_name[top_name]
    item.top_category = item.top_category or top
    item.score = item.category_scores[top_name]
    removing = [
        c for name, c in by_name.items()
        if name in item.category_scores and item.category_scores[name] >= c.remove_threshold
    ]  # fmt: skip
    if removing:
        worst = max(removing, key=lambda c: item.category_scores[c.name])
        item.top_category = worst if item.hash_match is None else item.top_category
        item.score = item.category_scores[worst.name]
        item.model_flag = True
        item.reasons.append(
            f"model: {worst.name} {item.score:.3f} >= remove threshold {worst.remove_threshold}"
        )
    if level == AutomationLevel.ASSIST:
        item.reasons.append("policy is in assist mode: the suggestion is shown to people")
        return
    if removing:
        item.state = ContentState.REMOVED
        return
    below = all(
        item.category_scores.get(c.name, 1.0) <= c.allow_threshold for c in by_name.values()
    )
    if level == AutomationLevel.FULL or below:
        item.state = ContentState.ALLOWED
        item.reasons.append(
            "model: every category at or below its allow threshold"
            if below
            else "policy is fully automatic: below the remove thresholds, allowed"
        )
        return
    item.reasons.append("model: between the allow and remove thresholds: people decide")


# --- storing -----------------------------------------------------------------------------------


def _blurred_thumbnail(item: _Prepared) -> bytes:
    """A heavily blurred copy of the image's thumbnail (JPEG): what people see until they
    reveal the image."""
    from PIL import Image, ImageFilter

    with Image.open(io.BytesIO(item.checked_image.thumbnail)) as thumbnail:
        blurred = thumbnail.convert("RGB").filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
        out = io.BytesIO()
        blurred.save(out, format="JPEG", quality=70)
    return out.getvalue()


def _item_external_id(platform: Platform, external_id: str) -> str:
    return f"mod:{platform.pk}:{external_id}"


def _authors(platform: Platform, author_ids: set[str]) -> dict[str, int]:
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


def _reason_code_for(policy: Policy, action: str, category: PolicyCategory | None):
    codes: list[ReasonCode] = list(policy.reason_codes.all())
    for code in codes:
        if code.action == action and category is not None and code.category_id == category.pk:
            return code
    for code in codes:
        if code.action == action and code.category_id is None:
            return code
    return None


def _severity_and_sla(item: _Prepared) -> tuple[int, int]:
    if item.top_category is not None:
        return item.top_category.severity, item.top_category.sla_hours
    categories = _categories(item.policy)
    if not categories:
        return 1, 24
    return max(c.severity for c in categories), min(c.sla_hours for c in categories)


@transaction.atomic
def _store(platform: Platform, prepared: list[_Prepared]) -> list[Content]:
    now = timezone.now()
    by_project: dict[int, list[_Prepared]] = {}
    for item in prepared:
        by_project.setdefault(item.policy.project_id, []).append(item)
    item_ids: dict[int, int] = {}
    blurred: dict[int, bytes] = {}
    for items in by_project.values():
        project = items[0].policy.project
        for item in items:
            if item.checked_image:
                blurred[id(item)] = _blurred_thumbnail(item)
        # The item in the labeling project only ever has the blurred thumbnail, and labeling
        # audits every fetch of its full image: the reveal cannot be had another way.
        entries = [
            ExternalContent(
                external_id=_item_external_id(platform, item.entry.external_id),
                text=item.entry.text,
                image_bytes=item.image_bytes,
                image_format=item.checked_image.format if item.checked_image else "",
                image_thumbnail=blurred.get(id(item)),
                thumbnail_ext="jpg",
                media_restricted=item.checked_image is not None,
                content_hash=item.sha256,
                metadata={
                    "source": "moderation",
                    "platform": platform.pk,
                    **{k: v for k, v in item.entry.context.items() if k != "url"},
                },
            )
            for item in items
        ]
        ids = items_create_for_content(project=project, entries=entries)
        for item in items:
            item_ids[id(item)] = ids[_item_external_id(platform, item.entry.external_id)]
    authors = _authors(platform, {item.entry.author_id for item in prepared})
    contents = []
    for item in prepared:
        severity, sla_hours = _severity_and_sla(item)
        report_count = (item.hash_match is not None) + len(item.rule_hits) + int(item.model_flag)
        pending = item.state == ContentState.PENDING
        score_for_priority = (
            item.score if item.policy.automation_level in SCORE_USED_LEVELS else None
        )
        contents.append(
            Content(
                platform=platform,
                policy=item.policy,
                external_id=item.entry.external_id,
                author_id=authors[item.entry.author_id],
                item_id=item_ids[id(item)],
                # With the project's other thumbnails: deleting the project deletes it too.
                blurred_thumbnail=(
                    file_store(
                        folder=f"thumbnails/{item.policy.project_id}",
                        extension="jpg",
                        content=blurred[id(item)],
                    )
                    if id(item) in blurred
                    else None
                ),
                context=item.entry.context,
                state=item.state,
                scores={
                    "categories": item.category_scores,
                    "model_version": (item.acting_version.version if item.acting_version else None),
                    "level": item.policy.automation_level,
                    "reasons": item.reasons,
                    "shadow": item.shadow_scores,
                    **(
                        {
                            "hash": {
                                "entry": item.hash_match.entry_id,
                                "kind": item.hash_match.kind,
                                "distance": item.hash_match.distance,
                            }
                        }
                        if item.hash_match
                        else {}
                    ),
                },
                top_category=item.top_category,
                model_score=item.score,
                model_version=item.acting_version,
                decided_automatically=not pending,
                report_count=report_count,
                hash_match=item.hash_match is not None,
                priority=(
                    content_priority(
                        severity=severity, score=score_for_priority, report_count=report_count
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
    reports = []
    decisions = []
    for item, content in zip(prepared, contents, strict=True):
        if item.hash_match is not None:
            reports.append(
                Report(
                    content=content, source=ReportSource.HASH,
                    reporter=f"hash:{item.hash_match.entry_id}",
                    reason=f"{item.hash_match.kind} match", category=item.top_category,
                )
            )  # fmt: skip
        for hit in item.rule_hits:
            reports.append(
                Report(
                    content=content, source=ReportSource.RULE, reporter=hit.rule[:255],
                    reason=f"rule of {hit.category.name}", category=hit.category,
                )
            )  # fmt: skip
        if item.model_flag:
            reports.append(
                Report(
                    content=content, source=ReportSource.MODEL,
                    reporter=f"model:v{item.acting_version.version}",
                    reason=f"score {item.score:.3f}", category=item.top_category,
                )
            )  # fmt: skip
        if item.state != ContentState.PENDING:
            action = (
                DecisionAction.REMOVE if item.state == ContentState.REMOVED
                else DecisionAction.APPROVE
            )  # fmt: skip
            decisions.append(
                Decision(
                    content=content,
                    automated=True,
                    is_final=True,
                    action=action,
                    reason_code=_reason_code_for(item.policy, action, item.top_category),
                    note="; ".join(item.reasons)[:2000],
                    model_suggestion=_suggestion(item),
                )
            )
    # Rules listed twice in a policy give one report (unique per content and reporter).
    Report.objects.bulk_create(reports, ignore_conflicts=True)
    Decision.objects.bulk_create(decisions)
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
    return contents


def _suggestion(item: _Prepared) -> dict[str, Any]:
    if item.acting_version is None or item.score is None:
        return {"level": item.policy.automation_level, "hash_match": item.hash_match is not None}
    return {
        "category": item.top_category.name if item.top_category else None,
        "score": item.score,
        "model_version": item.acting_version.version,
        "level": item.policy.automation_level,
    }


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


@dataclass
class IntakeResult:
    # (input index, answer) in input order
    answers: list[tuple[int, dict[str, Any]]]
    errors: list[IntakeError]


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
    prepared: list[_Prepared] = []
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
            prepared.append(_prepare(entry, policies))
        except ApplicationError as exc:
            errors.append(
                IntakeError(
                    index=entry.index, message=exc.message, status_code=exc.status_code,
                    extra=exc.extra,
                )
            )  # fmt: skip
    for item in prepared:
        item.hash_match = hashbank.hash_bank_match(
            policy=item.policy, sha256=item.sha256, phash=item.phash
        )
        item.rule_hits = rules.rules_match(
            policy=item.policy, categories=_categories(item.policy), text=item.entry.text
        )
    _score(prepared)
    for item in prepared:
        _decide(item)
    if prepared:
        try:
            # Files written for a batch that rolls back are removed with it.
            with files_removed_on_error():
                new_contents = _store(platform, prepared)
            for content in new_contents:
                existing[content.external_id] = content
            _verdicts_count(new_contents)
        except IntegrityError:
            # Another request stored some of these external ids meanwhile: answer them (and
            # the rest) from what is stored now, by running the intake again once.
            retry = [item.entry for item in prepared]
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


def content_exists(*, platform: Platform, external_id: str) -> bool:
    return Content.objects.filter(platform=platform, external_id=external_id).exists()


def content_get_for_platform(*, platform: Platform, external_id: str) -> Content:
    """The platform's own content by its external id, under a policy still granted to the
    platform; 404 for anything else (another platform's, unknown, or under a revoked grant:
    all answered alike)."""
    from django.http import Http404

    from core.limits import text_problem

    if text_problem(external_id):
        raise Http404  # no stored id holds such text (and the database refuses to look)
    content = (
        contents_of_platform(platform=platform)
        .filter(external_id=external_id)
        .select_related("top_category")
        .first()
    )
    if content is None:
        raise Http404
    return content
