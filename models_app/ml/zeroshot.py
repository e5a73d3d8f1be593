"""Zero-shot proposals: what a project's label classes say about its items before any label.

Each class is described by a few short texts (its prompts: the name, the name with its
description, guideline sentences that name it), embedded with the same embedder as the items.
An item's score for a class is the cosine similarity to the class's prompts, averaged; the
scores go through a softmax at a fixed temperature (``TEMPERATURE``) to give probabilities, the
same shape a trained classifier's ``predict_proba`` returns.

``zero_shot_head`` orders the first items of the queue before any model exists: round-robin
over the classes by zero-shot rank, interleaved with the diversity picks of the farthest-point
cold start, so every class is among the first few items and the head still spans the data.

Pure numpy, no Django: callers hand in the vectors and texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# Softmax temperature over cosine similarities. Zero-shot margins between classes are a few
# hundredths of cosine. Measured with benchmarks/zero_shot.py (all 5,574 SMS messages, described
# classes and guideline sentences), the log loss of the probabilities is lowest at 0.05 for
# MiniLM (0.454, against 0.494 at 0.03 and 0.498 at 0.1) and for the static embedder (0.290);
# on Davidson, where zero-shot is no better than chance, a warmer 0.1 fits slightly better
# (0.667 against 0.699), which only says that confidence there should be low.
TEMPERATURE = 0.05
# Guideline sentences per class, and their length: a few concrete sentences carry the meaning,
# a page of them would drown the class's name.
MAX_GUIDELINE_SENTENCES = 5
MAX_PROMPT_CHARS = 400
# Two items closer than this (cosine) count as the same message for the head's class picks: the
# head should not show the same spam template five times.
NEAR_DUPLICATE = 0.9

_MARKDOWN = re.compile(r"[*_`#>|~\[\]]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n\s*[-*+]\s+|\n\s*\d+[.)]\s+")


def _plain(text: str) -> str:
    """Markdown emphasis, headings and list marks removed; whitespace collapsed."""
    return " ".join(_MARKDOWN.sub(" ", text).split())


def guideline_sentences(guidelines: str) -> list[str]:
    """The guidelines as plain sentences (Markdown marks removed), in order."""
    parts = _SENTENCE_END.split("\n" + guidelines.replace("\r\n", "\n"))
    return [sentence for part in parts if (sentence := _plain(part))]


def class_prompts(
    *,
    names: Sequence[str],
    descriptions: Sequence[str],
    guidelines: str = "",
    max_sentences: int = MAX_GUIDELINE_SENTENCES,
) -> tuple[list[str], np.ndarray]:
    """The prompt texts of each class and, for each prompt, the index of its class.

    Per class: ``"name: description"``, or its name alone when it has no description; and up to
    ``max_sentences`` guideline sentences that name this class and no other (a sentence
    contrasting two classes says little about either). Names match as whole words, ignoring
    case. Every prompt is cut to ``MAX_PROMPT_CHARS`` characters.
    """
    if len(names) != len(descriptions):
        raise ValueError("one description per class name")
    patterns = [
        re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE) for name in names
    ]
    sentences = guideline_sentences(guidelines) if guidelines else []
    mentions = [[bool(p.search(s)) for p in patterns] for s in sentences]
    texts: list[str] = []
    classes: list[int] = []
    for index, (name, description) in enumerate(zip(names, descriptions, strict=True)):
        # A bare name is often ambiguous ("ham"): with a description, the name rides along
        # with it instead (measured on SMS with MiniLM: ROC AUC 0.911 -> 0.914, accuracy
        # 0.75 -> 0.80).
        described = f"{name.strip()}: {_plain(description)}"
        own = [described if description.strip() else name.strip()]
        named = [
            s for s, hit in zip(sentences, mentions, strict=True) if hit[index] and sum(hit) == 1
        ]
        own += named[:max_sentences]
        texts += [text[:MAX_PROMPT_CHARS] for text in own]
        classes += [index] * len(own)
    return texts, np.asarray(classes, dtype=np.int64)


def zero_shot_similarity(
    items: np.ndarray, prompts: np.ndarray, prompt_classes: np.ndarray, n_classes: int
) -> np.ndarray:
    """``(n_items, n_classes)`` mean cosine similarity of each item to each class's prompts.

    ``items`` and ``prompts`` have L2-normalised rows (an ``Embedder``'s output). A class
    without prompts scores ``-1`` (never proposed).
    """
    items = np.asarray(items, dtype=np.float32)
    prompts = np.asarray(prompts, dtype=np.float32)
    prompt_classes = np.asarray(prompt_classes, dtype=np.int64)
    if items.ndim != 2 or prompts.ndim != 2 or items.shape[1] != prompts.shape[1]:
        raise ValueError(f"items {items.shape} and prompts {prompts.shape} must share a width")
    if len(prompt_classes) != len(prompts):
        raise ValueError("one class index per prompt")
    # Mean of cosines = cosine with the (unnormalised) mean prompt, scaled: one product.
    weights = np.zeros((n_classes, len(prompts)), dtype=np.float32)
    counts = np.bincount(prompt_classes, minlength=n_classes)[:n_classes]
    weights[prompt_classes, np.arange(len(prompts))] = 1.0
    weights /= np.maximum(counts, 1)[:, None]
    similarity = items @ (weights @ prompts).T
    similarity[:, counts == 0] = -1.0
    return np.asarray(similarity, dtype=np.float64)


def zero_shot_proba(
    items: np.ndarray,
    prompts: np.ndarray,
    prompt_classes: np.ndarray,
    n_classes: int,
    *,
    temperature: float = TEMPERATURE,
) -> np.ndarray:
    """``(n_items, n_classes)`` probabilities: softmax of the similarities / ``temperature``.

    Rows sum to 1, as a single-label classifier's ``predict_proba``.
    """
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    logits = zero_shot_similarity(items, prompts, prompt_classes, n_classes) / temperature
    logits -= logits.max(axis=1, keepdims=True) if len(logits) else 0.0
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def prior_adjust(
    proba: np.ndarray, *, iterations: int = 100, tolerance: float = 1e-6, floor: float = 0.01
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities re-weighted to the class shares of this pool, estimated without labels.

    Zero-shot probabilities assume every class is equally common; real pools are not (one SMS
    in eight is spam), so the rare class is proposed far too often. The EM procedure of
    Saerens, Latinne & Decaestecker (2002) estimates the pool's class shares from the
    probabilities themselves: weight each row by share / assumed share, renormalise, take the
    mean as the new shares, repeat. Measured (benchmarks/zero_shot.py, T = 0.05): SMS accuracy
    0.80 -> 0.91 with MiniLM and 0.88 -> 0.93 with ``static``; Davidson 0.61 -> 0.79 and
    0.63 -> 0.83 (there mostly by proposing the common class). The
    ranking within a class, hence ROC AUC, is unchanged for two classes. Shares are kept at
    ``floor`` or more (``floor`` plus the rest in proportion), so a class is never estimated
    away entirely.

    Returns ``(adjusted probabilities, estimated shares)``.
    """
    proba = np.asarray(proba, dtype=np.float64)
    n_classes = proba.shape[1] if proba.ndim == 2 else 0
    if not len(proba) or n_classes < 2:
        return proba, np.full(n_classes, 1.0 / max(n_classes, 1))
    assumed = np.full(n_classes, 1.0 / n_classes)
    shares = assumed.copy()
    adjusted = proba
    for _ in range(iterations):
        adjusted = proba * (shares / assumed)
        adjusted /= adjusted.sum(axis=1, keepdims=True)
        new = floor + (1 - n_classes * floor) * adjusted.mean(axis=0)
        done = float(np.abs(new - shares).max()) < tolerance
        shares = new
        if done:
            break
    adjusted = proba * (shares / assumed)
    adjusted /= adjusted.sum(axis=1, keepdims=True)
    return adjusted, shares


def zero_shot_head(
    proba: np.ndarray,
    embeddings: np.ndarray,
    diverse: np.ndarray,
    k: int,
    *,
    near_duplicate: float = NEAR_DUPLICATE,
) -> np.ndarray:
    """The first ``min(k, n)`` rows of the queue before any model: distinct row indices.

    Alternates a class pick and a diversity pick: class picks go round-robin over the classes
    (in their order), each time the row most likely to be that class (by ``proba``) that is not
    already chosen and not a near-duplicate (cosine ≥ ``near_duplicate``) of a chosen row;
    diversity picks are ``diverse`` (the farthest-point order) in turn, skipping chosen rows.
    So each class's most typical item is among the first ``2 * classes`` rows, and the rest of
    the head still spans the pool. A class that has run out of candidates is passed over.
    """
    proba = np.asarray(proba, dtype=np.float64)
    n = len(proba)
    k = min(int(k), n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    embeddings = np.asarray(embeddings, dtype=np.float32)
    n_classes = proba.shape[1]
    # Per class, rows by how much more likely this class is than the next best: an item the
    # class "owns", not one merely similar to every class.
    margin = proba.copy()
    if n_classes > 1:
        # The best other class: the second best for the row's top class, the top for the rest.
        top2 = np.partition(proba, n_classes - 2, axis=1)[:, -2:]
        best_other = np.where(proba >= top2[:, 1:2], top2[:, 0:1], top2[:, 1:2])
        margin -= best_other
    ranked = [np.argsort(-margin[:, c], kind="stable") for c in range(n_classes)]
    cursor = [0] * n_classes
    diverse_rows = [int(row) for row in np.asarray(diverse, dtype=np.int64)]
    diverse_at = 0
    chosen: list[int] = []
    taken = np.zeros(n, dtype=bool)
    chosen_vectors = np.zeros((k, embeddings.shape[1]), dtype=np.float32)

    def take(row: int) -> None:
        chosen_vectors[len(chosen)] = embeddings[row]
        chosen.append(row)
        taken[row] = True

    def class_pick(c: int) -> int | None:
        order = ranked[c]
        while cursor[c] < n:
            row = int(order[cursor[c]])
            cursor[c] += 1
            if taken[row]:
                continue
            if chosen and float((chosen_vectors[: len(chosen)] @ embeddings[row]).max()) >= (
                near_duplicate
            ):
                continue
            return row
        return None

    done = [False] * n_classes
    turn = 0
    while len(chosen) < k:
        progressed = False
        for _ in range(n_classes):
            c = turn % n_classes
            turn += 1
            if done[c]:
                continue
            row = class_pick(c)
            if row is None:
                done[c] = True
                continue
            take(row)
            progressed = True
            break
        if len(chosen) < k:
            while diverse_at < len(diverse_rows) and taken[diverse_rows[diverse_at]]:
                diverse_at += 1
            if diverse_at < len(diverse_rows):
                take(diverse_rows[diverse_at])
                progressed = True
        if not progressed:
            # Only near-duplicates are left and no diversity picks: fill in row order.
            for row in np.flatnonzero(~taken)[: k - len(chosen)]:
                take(int(row))
    return np.asarray(chosen, dtype=np.int64)
