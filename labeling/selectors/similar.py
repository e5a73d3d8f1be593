"""Items like a given one: its nearest neighbours among the project's item vectors.

The vectors are the project's embedder's (``labeling.selectors.embedders``) — or, while those
do not cover the project yet, the fast pass's ``static`` ones, which cover every item seconds
after an import: when the item has no exact vector yet, or while the project's embedding job is
still running after a fast pass (the exact vectors then cover only part of the items; the same
rule as the vectors a training run uses). The search itself is models_app's
(``models_app.services.neighbours``): an approximate index over large sets, brute force over
small ones and over the vectors stored since the index was built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Prefetch
from django.db.models.functions import Substr

from labeling.models import Annotation, Item, Project
from labeling.selectors.embedders import project_embedder
from models_app.choices import JobKind, JobStatus
from models_app.selectors.registry import training_job_list
from models_app.services.embeddings import embedding_matrix
from models_app.services.neighbours import neighbours_query

MAX_LIMIT = 50
# Characters of each neighbour's text sent along: enough to recognise it; the item itself is
# one request away.
EXCERPT_CHARS = 280
# Neighbours asked for beyond the limit: items deleted since their vector was stored are
# dropped after the search.
OVERFETCH = 10


@dataclass(frozen=True)
class SimilarItem:
    item: Item
    similarity: float
    labels: list[str]
    # The start of its text (… when cut); None for an image item.
    excerpt: str | None


@dataclass(frozen=True)
class SimilarItems:
    # The embedder key whose vectors answered ("" when the item has no vector yet).
    embedder: str
    # True when that is the project's own embedder, False for the fast pass's vectors.
    exact: bool
    items: list[SimilarItem]


def _fast_pass_running(*, project: Project) -> bool:
    return (
        training_job_list(owner=project.owner_key, kind=JobKind.EMBED)
        .filter(status=JobStatus.RUNNING, result__has_key="fast_pass")
        .exists()
    )


def _vector(*, project: Project, embedder: str, item_id: int) -> np.ndarray | None:
    ids, matrix = embedding_matrix(owner=project.owner_key, embedder=embedder, object_ids=[item_id])
    return matrix[0] if len(ids) else None


def similar_vector_source(*, project: Project, item_id: int) -> tuple[str, bool, np.ndarray | None]:
    """``(embedder key, exact, the item's vector)`` the search uses; the vector is None when
    the item has no vector yet from either embedder."""
    from models_app.ml.embedders.base import EmbedderUnavailable
    from models_app.ml.embedders.registry import fast_pass_embedder_name, get_embedder

    exact = project_embedder(project=project)
    fast_name = fast_pass_embedder_name(exact.name)
    fast_key: str | None = None
    if fast_name is not None:
        try:
            fast_key = get_embedder(fast_name).key
        except EmbedderUnavailable:
            fast_key = None
    exact_vector = _vector(project=project, embedder=exact.key, item_id=item_id)
    if fast_key is not None and (exact_vector is None or _fast_pass_running(project=project)):
        fast_vector = _vector(project=project, embedder=fast_key, item_id=item_id)
        if fast_vector is not None:
            return fast_key, False, fast_vector
    return exact.key, True, exact_vector


def _current_labels(item: Item) -> list[str]:
    """The distinct labels people or moderation gave the item, in the order first given."""
    labels: list[str] = []
    for annotation in item.annotations.all():
        for label in annotation.labels or []:
            if label not in labels:
                labels.append(label)
    return labels


def item_similar_list(*, project: Project, item: Item, limit: int = 10) -> SimilarItems:
    """Up to ``limit`` (at most ``MAX_LIMIT``) items of the project nearest ``item``, most
    similar first, each with its similarity (cosine) and current labels. Raises
    ``models_app.services.neighbours.IndexNotReady`` for a very large project whose index is
    not built yet."""
    limit = max(1, min(limit, MAX_LIMIT))
    embedder, exact, vector = similar_vector_source(project=project, item_id=item.pk)
    if vector is None:
        return SimilarItems(embedder="", exact=False, items=[])
    found = neighbours_query(
        owner=project.owner_key,
        embedder=embedder,
        vector=vector,
        k=limit + OVERFETCH,
        exclude=[item.pk],
    )
    wanted = [int(i) for i in found.ids]
    items = (
        Item.objects.filter(project=project, pk__in=wanted)
        # A text can be a megabyte: only its start leaves the database.
        .annotate(excerpt=Substr("text", 1, EXCERPT_CHARS + 1))
        .only(
            "id",
            "project_id",
            "external_id",
            "image",
            "thumbnail",
            "media_restricted",
            "predicted_label",
            "confidence",
        )
        .prefetch_related(
            Prefetch(
                "annotations",
                queryset=Annotation.objects.only("id", "item_id", "labels").order_by("id"),
            )
        )
    )
    by_id = {candidate.pk: candidate for candidate in items}
    kept = [
        (by_id[item_id], float(score))
        for item_id, score in zip(wanted, found.similarities, strict=True)
        if item_id in by_id
    ][:limit]
    result = [
        SimilarItem(
            item=neighbour,
            similarity=score,
            labels=_current_labels(neighbour),
            # The text's start, annotated by the query above.
            excerpt=None if neighbour.image else _excerpt(neighbour.excerpt),
        )
        for neighbour, score in kept
    ]
    return SimilarItems(embedder=embedder, exact=exact, items=result)


def _excerpt(text: str | None) -> str | None:
    if text is None:
        return None
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"
