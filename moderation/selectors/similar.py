"""Content like a given one, for investigation: its nearest neighbours by embedding among the
contents the caller may moderate.

Each content is labeled data (an item of its policy's labeling project), so the vectors and
the search are labeling's and models_app's: the item's vector is the one labeling's "similar
items" uses (``labeling.selectors.similar.similar_vector_source``: the project's embedder, or
the fast pass's while that has not caught up), and the search is the project's approximate
nearest-neighbour index (``models_app.services.neighbours``: usearch HNSW from 20,000 vectors
on, brute force below, plus the vectors stored since the index was built). Neighbours the
caller may not moderate are dropped after the search, as are items that are no content (a
project may hold imported items too): the search asks for more than it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models.functions import Substr

from labeling.selectors.similar import similar_vector_source
from models_app.services.neighbours import neighbours_query
from moderation.models import Content
from moderation.selectors.queues import contents_moderated_by

MAX_LIMIT = 50
DEFAULT_LIMIT = 10
# Characters of each neighbour's text sent along: enough to recognise it.
EXCERPT_CHARS = 280
# Neighbours asked for beyond the limit: deleted items, items that are no content and content
# of policies the caller does not moderate are dropped after the search.
OVERFETCH = 20


@dataclass(frozen=True)
class SimilarContent:
    content: Content
    similarity: float
    # The start of its text (… when cut); None for an image without text.
    excerpt: str | None


@dataclass(frozen=True)
class SimilarContents:
    # The embedder key whose vectors answered ("" when the content has no vector yet).
    embedder: str
    # True for the project's own embedder, False for the fast pass's vectors.
    exact: bool
    contents: list[SimilarContent]


def _excerpt(text: str | None) -> str | None:
    if not text:
        return None
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"


def content_similar_list(
    *, content: Content, user: User, limit: int = DEFAULT_LIMIT
) -> SimilarContents:
    """Up to ``limit`` (at most ``MAX_LIMIT``) contents nearest ``content`` (from
    ``content_get_for_user``), most similar first, each with its cosine similarity; only
    content of policies ``user`` moderates. Raises ``IndexNotReady`` while a very large
    project's index is not built yet, ``EmbedderUnavailable`` when its embedder cannot run."""
    limit = max(1, min(limit, MAX_LIMIT))
    project = content.policy.project
    embedder, exact, vector = similar_vector_source(project=project, item_id=content.item_id)
    if vector is None:
        return SimilarContents(embedder="", exact=False, contents=[])
    found = neighbours_query(
        owner=project.owner_key,
        embedder=embedder,
        vector=vector,
        k=limit + OVERFETCH,
        exclude=[content.item_id],
    )
    scores = {
        int(item_id): float(score)
        for item_id, score in zip(found.ids, found.similarities, strict=True)
    }
    rows = (
        contents_moderated_by(user=user)
        .filter(item_id__in=list(scores))
        .exclude(pk=content.pk)
        .select_related("policy", "top_category")
        # A text can be a megabyte: only its start leaves the database.
        .annotate(excerpt=Substr("item__text", 1, EXCERPT_CHARS + 1))
        .only(
            "id",
            "external_id",
            "state",
            "tier",
            "created_at",
            "decided_at",
            "item_id",
            "policy__id",
            "policy__name",
            "top_category__id",
            "top_category__name",
        )
    )
    ranked = sorted(rows, key=lambda row: (-scores[row.item_id], row.pk))[:limit]
    return SimilarContents(
        embedder=embedder,
        exact=exact,
        contents=[
            SimilarContent(
                content=row,
                similarity=round(scores[row.item_id], 4),
                excerpt=_excerpt(row.excerpt),
            )
            for row in ranked
        ],
    )
