"""What every embedder is: the ``Embedder`` interface and the error for one that cannot run."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


def hub_offline() -> None:
    """Tell transformers and huggingface_hub never to reach the hub (set before they are
    imported: they read the flags at import time). The packaged model is on disk; a worker with
    no network must not wait on a request."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


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
