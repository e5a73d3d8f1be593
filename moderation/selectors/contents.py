"""Reading content: a platform's own, by its external id; one content for the review panel,
with everything a moderator needs next to it."""

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.http import Http404

from core.exceptions import ApplicationError
from core.limits import text_problem
from labeling.selectors.embedders import project_embedder_name
from models_app.services.embeddings import embedding_matrix
from moderation.choices import ContentState, ReportSource
from moderation.models import Appeal, Content, Decision, Platform, Report
from moderation.selectors.access import MODERATE_ROLES, policies_for_user, policy_role
from moderation.selectors.grants import contents_of_platform
from moderation.selectors.strikes import author_record
from moderation.selectors.suggestions import SUGGESTION_LEVELS, model_suggestion_shown
from moderation.selectors.wellness import content_is_graphic, flagged_segments

SIMILAR_COUNT = 5
# Decided contents compared with the one shown: the most recent of the policy (a bounded read).
SIMILAR_POOL = 5000
AUTHOR_HISTORY = 20


def content_exists(*, platform: Platform, external_id: str) -> bool:
    """Whether ``platform`` has sent content with this external id (under any policy)."""
    return Content.objects.filter(platform=platform, external_id=external_id).exists()


def content_get_for_platform(*, platform: Platform, external_id: str) -> Content:
    """The platform's own content by its external id, under a policy still granted to the
    platform; 404 for anything else (another platform's, unknown, or under a revoked grant:
    all answered alike)."""
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


def content_get_for_user(*, content_id: int, user: User, roles: Collection[str]) -> Content:
    """The content if the user may act on it with one of ``roles`` in its policy's project:
    404 for outsiders (its existence is not revealed), 403 for members without the role."""
    content = (
        Content.objects.select_related(
            "policy__project",
            "platform",
            "author__platform",
            "item",
            "top_category",
            "model_version",
            "leased_by",
        )
        .filter(pk=content_id)
        .first()
    )
    if content is None:
        raise Http404
    role = policy_role(policy=content.policy, user=user)
    if role is None:
        raise Http404
    if role not in roles:
        raise ApplicationError(
            "Your role does not allow this.",
            extra={"role": role, "allowed_roles": sorted(roles)},
            status_code=403,
        )
    content.caller_role = role
    return content


def _decisions():
    return Decision.objects.select_related("reason_code").order_by("created_at", "id")


def content_decisions(*, content: Content) -> list[Decision]:
    return list(_decisions().filter(content=content))


def _moderated_policy_ids(user: User):
    return policies_for_user(user=user, roles=MODERATE_ROLES).values("pk")


def author_history(*, content: Content, user: User) -> list[Content]:
    """The author's other contents on the platform, newest first, with their decisions: only
    those in policies ``user`` may moderate (an author posts under several policies; the
    others' content is not this moderator's to read)."""
    if content.author_id is None:
        return []
    return list(
        Content.objects.filter(
            author_id=content.author_id, policy_id__in=_moderated_policy_ids(user)
        )
        .exclude(pk=content.pk)
        .select_related("top_category")
        .prefetch_related(Prefetch("decisions", queryset=_decisions()))
        .order_by("-created_at", "-id")[:AUTHOR_HISTORY]
    )


def similar_decided(*, content: Content, user: User) -> list[dict[str, Any]]:
    """Up to five already-decided contents of the same policy nearest to this one by
    embedding (cosine similarity), most similar first: ``{"content", "similarity"}``; only
    content of policies ``user`` may moderate.

    Empty when this content's item has no vector yet, or no decided content has one.
    """
    project = content.policy.project
    decided = list(
        Content.objects.filter(
            policy_id=content.policy_id,
            state__in=[ContentState.ALLOWED, ContentState.REMOVED],
        )
        .filter(policy_id__in=_moderated_policy_ids(user))
        .exclude(pk=content.pk)
        .order_by("-decided_at", "-id")
        .values_list("item_id", "id")[:SIMILAR_POOL]
    )
    if not decided:
        return []
    owner, embedder = project.owner_key, project_embedder_name(project=project)
    ids, vectors = embedding_matrix(owner=owner, embedder=embedder, object_ids=[content.item_id])
    if not len(ids):
        return []
    by_item = dict(decided)
    pool_ids, pool = embedding_matrix(owner=owner, embedder=embedder, object_ids=list(by_item))
    if not len(pool_ids):
        return []
    query = vectors[0] / (np.linalg.norm(vectors[0]) or 1.0)
    norms = np.linalg.norm(pool, axis=1)
    norms[norms == 0] = 1.0
    similarity = (pool @ query) / norms
    top = np.argsort(-similarity, kind="stable")[:SIMILAR_COUNT]
    chosen = {by_item[int(pool_ids[i])]: float(similarity[i]) for i in top}
    contents = Content.objects.filter(pk__in=list(chosen)).prefetch_related(
        Prefetch("decisions", queryset=_decisions())
    )
    rows = [{"content": c, "similarity": round(chosen[c.pk], 4)} for c in contents]
    return sorted(rows, key=lambda row: -row["similarity"])


def category_scores_shown(*, content: Content) -> list[dict[str, Any]]:
    """The model's probability per category of the policy, with the category's thresholds,
    most likely first; empty where moderators are not shown the model (human-only, shadow).

    ``Content.scores`` also keeps the version, the level and the reasons next to the
    probabilities (under ``categories``): only the probabilities are scores."""
    if content.policy.automation_level not in SUGGESTION_LEVELS:
        return []
    probabilities = (content.scores or {}).get("categories") or {}
    categories = {c.name: c for c in content.policy.categories.all()}
    rows = []
    for name, score in probabilities.items():
        if not isinstance(score, int | float) or isinstance(score, bool):
            continue
        category = categories.get(name)
        rows.append(
            {
                "category": name,
                "score": float(score),
                "remove_threshold": category.remove_threshold if category else None,
                "allow_threshold": category.allow_threshold if category else None,
            }
        )
    return sorted(rows, key=lambda row: (-row["score"], row["category"]))


def _model_flag(content: Content, reports: list[Report]) -> dict[str, Any] | None:
    """The model's own flag raised at intake (a report of source ``model``), apart from
    people's reports: the version that raised it and its score; None when the model did not
    flag the content or moderators are not shown the model."""
    if content.policy.automation_level not in SUGGESTION_LEVELS:
        return None
    flag = next((r for r in reports if r.source == ReportSource.MODEL), None)
    if flag is None:
        return None
    version = content.model_version
    return {
        "model_version": version.version if version is not None else None,
        "model_stage": version.stage if version is not None else None,
        "score": content.model_score,
        "category": flag.category.name if flag.category is not None else None,
        "created_at": flag.created_at,
    }


def content_detail(
    *, content: Content, user: User, bank_spans: Sequence[Any] = ()
) -> dict[str, Any]:
    """The review panel's data for ``content`` (from ``content_get_for_user``) as ``user``
    sees it: related content only from policies they may moderate. ``bank_spans``: where the
    policy's text banks match the text (``BankSpan``s, from ``rule_engine.banks_spans``),
    listed as ``flagged_terms`` and masked with the rule hits' matches.

    Flags are kept apart by where they come from: ``reports`` are the platform's users'
    reports; rule hits, hash-bank matches and the model's own flag are listed on their own."""
    flags = list(Report.objects.filter(content=content).select_related("category"))
    rule_hits = [r for r in flags if r.source == ReportSource.RULE]
    return {
        "content": content,
        "suggestion": model_suggestion_shown(content=content),
        "category_scores": category_scores_shown(content=content),
        "model_flag": _model_flag(content, flags),
        "reports": [r for r in flags if r.source == ReportSource.USER],
        "rule_hits": rule_hits,
        "graphic": content_is_graphic(content=content, flags=flags),
        "flagged_segments": flagged_segments(
            text=content.item.text,
            # Category rules' hits name their pattern; rules over signals ("rule:<name>") hit
            # on more than words and mask nothing.
            rules=[r.reporter for r in rule_hits if not r.reporter.startswith("rule:")],
            bank_spans=[(span.start, span.end) for span in bank_spans],
        ),
        "flagged_terms": [
            {
                "bank": span.bank,
                "kind": span.kind,
                "start": span.start,
                "end": span.end,
                "text": (content.item.text or "")[span.start : span.end],
            }
            for span in bank_spans
        ],
        "hash_matches": [r for r in flags if r.source == ReportSource.HASH],
        "decisions": content_decisions(content=content),
        "appeals": list(Appeal.objects.filter(content=content)),
        "author_history": author_history(content=content, user=user),
        "author_record": (
            author_record(
                author=content.author,
                policy_ids=list(_moderated_policy_ids(user).values_list("pk", flat=True)),
            )
            if content.author is not None
            else None
        ),
        "similar": similar_decided(content=content, user=user),
    }
