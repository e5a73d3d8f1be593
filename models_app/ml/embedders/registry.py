"""Embedders by name: one instance per process, and the default for each data type."""

from __future__ import annotations

import threading

from models_app.ml.embedders.base import Embedder, EmbedderUnavailable
from models_app.ml.embedders.image import PixelEmbedder
from models_app.ml.embedders.onnx import OnnxMiniLMEmbedder, onnx_runtime_available
from models_app.ml.embedders.static import StaticEmbedder
from models_app.ml.embedders.text import HashingEmbedder, MiniLMEmbedder

# The embedders a project can be set to. "static" (the fast first pass) is not one of them:
# it is reached by name through get_embedder alongside the project's own embedder.
EMBEDDER_NAMES: tuple[str, ...] = ("minilm", "minilm-int8", "hashing", "pixels")

_EMBEDDER_CLASSES: dict[str, type[Embedder]] = {
    "minilm": MiniLMEmbedder,
    "minilm-int8": OnnxMiniLMEmbedder,
    "hashing": HashingEmbedder,
    "pixels": PixelEmbedder,
    "static": StaticEmbedder,
}
# The fast first pass of each slow (transformer) embedder: a project embedding with the key
# first gets vectors from the value for every item, so its queue is ready in seconds.
_FAST_PASS: dict[str, str] = {"minilm": "static", "minilm-int8": "static"}
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
            f"unknown embedder {name!r}; available: {', '.join(_EMBEDDER_CLASSES)}"
        )
    with _instances_lock:
        if name not in _instances:
            _instances[name] = cls()
        return _instances[name]


def default_embedder_name(data_type: str) -> str:
    """The embedder a new project of ``data_type`` ("text" | "image") uses: for text
    "minilm-int8" (MiniLM through ONNX Runtime, int8) where onnxruntime and onnx import, else
    "minilm" (PyTorch); for images "pixels"."""
    text = "minilm-int8" if onnx_runtime_available() else "minilm"
    defaults = {"text": text, "image": "pixels"}
    if data_type not in defaults:
        raise ValueError(f"unknown data type {data_type!r}; expected 'text' or 'image'")
    return defaults[data_type]


def fast_pass_embedder_name(name: str) -> str | None:
    """The embedder of the fast first pass before ``name``'s vectors (None: ``name`` is fast
    enough on its own)."""
    return _FAST_PASS.get(name)
