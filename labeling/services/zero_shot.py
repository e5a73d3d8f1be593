"""Zero-shot proposals for a project no model has scored yet.

Each label class is described by its prompts (``models_app.ml.zeroshot.class_prompts``: its
name, its name with its description, guideline sentences that name it), embedded with the
embedder that made the pool's vectors, so items and prompts share one vector space. The cold
start (``pool_scoring.pool_cold_start``) writes the resulting proposal (``predicted_label``,
``confidence``, no ``scored_by``) with the queue's order; the first trained model's scores
replace both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from labeling.choices import DataType
from labeling.models import Project

logger = logging.getLogger(__name__)

# Embedders whose vectors carry no meaning to compare a class's description with: character
# n-gram hashing scored ROC AUC 0.51-0.58 on SMS and 0.39-0.48 on Davidson zero-shot (MiniLM:
# 0.91 on SMS), so its "proposals" would be guesses an annotator might trust. Those projects get
# the diversity order only.
NO_ZERO_SHOT_EMBEDDERS = frozenset({"hashing"})


@dataclass
class ZeroShot:
    """Zero-shot probabilities for the pool's rows, over ``classes`` (the project's order)."""

    classes: list[str]
    proba: np.ndarray


def _embedder_with_key(key: str):
    """The embedder whose vector space is ``key`` (``name@version``), or None when this
    process cannot run it (then there are no zero-shot proposals, only the diversity order)."""
    from models_app.ml.embedders.base import EmbedderUnavailable
    from models_app.ml.embedders.registry import get_embedder

    name = key.split("@", 1)[0]
    try:
        embedder = get_embedder(name)
    except EmbedderUnavailable:
        return None
    return embedder if embedder.key == key else None


def pool_zero_shot(
    *, project: Project, embeddings: np.ndarray, embedder_key: str
) -> ZeroShot | None:
    """Zero-shot probabilities for ``embeddings`` (rows of the pool embedded with
    ``embedder_key``); None for an image project (class names are text), a project with fewer
    than two classes, an embedder in ``NO_ZERO_SHOT_EMBEDDERS`` or one this process cannot
    run.

    The probabilities are re-weighted to the class shares estimated over ``embeddings``
    (``prior_adjust``). Embeds the class prompts (a few dozen short texts) with that embedder.
    """
    from models_app.ml.embedders.base import EmbedderUnavailable
    from models_app.ml.zeroshot import class_prompts, prior_adjust, zero_shot_proba

    if project.data_type != DataType.TEXT:
        return None
    if embedder_key.split("@", 1)[0] in NO_ZERO_SHOT_EMBEDDERS:
        return None
    label_classes = list(project.label_classes.order_by("order", "id"))
    if len(label_classes) < 2:
        return None
    embedder = _embedder_with_key(embedder_key)
    if embedder is None or embedder.data_type != DataType.TEXT:
        return None
    texts, prompt_classes = class_prompts(
        names=[lc.name for lc in label_classes],
        descriptions=[lc.description for lc in label_classes],
        guidelines=project.guidelines,
    )
    try:
        prompts = embedder.embed(texts)
    except EmbedderUnavailable:
        logger.warning("zero-shot: %s cannot embed here; diversity order only", embedder_key)
        return None
    proba = zero_shot_proba(embeddings, prompts, prompt_classes, len(label_classes))
    # Over the whole pool: the class shares are estimated from these very items.
    proba, _shares = prior_adjust(proba)
    return ZeroShot(classes=[lc.name for lc in label_classes], proba=proba)
