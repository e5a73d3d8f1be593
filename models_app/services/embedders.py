"""Embedders by key: the registry's, and the fine-tuned encoders of few-shot model versions,
whose weights live in the version's (private) artifact.

A few-shot version's embedder key names its weights (``setfit-<sha256 prefix>@1``), so every
version holding that key holds the same weights; loading one copy serves them all. At most
``MAX_FINE_TUNED`` fine-tuned encoders stay loaded per process (about 90 MB each).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from models_app.choices import ModelVersionStatus
from models_app.models import ModelVersion
from models_app.services.registry import model_version_artifact_bytes

if TYPE_CHECKING:
    from models_app.ml.embedders.base import Embedder

MAX_FINE_TUNED = 2
_fine_tuned: OrderedDict[str, Embedder] = OrderedDict()
_lock = threading.Lock()


def embedder_for_key(*, key: str) -> Embedder:
    """The embedder whose vectors carry ``key`` (``name@version``).

    Raises ``EmbedderUnavailable`` when it cannot run here: an unknown name, another version
    of a registry embedder, or a fine-tuned encoder no readable model version holds.
    """
    from models_app.ml import fewshot
    from models_app.ml.embedders.base import EmbedderUnavailable
    from models_app.ml.embedders.registry import get_embedder

    name = key.split("@", 1)[0]
    if not name.startswith(fewshot.EMBEDDER_PREFIX):
        embedder = get_embedder(name)
        if embedder.key != key:
            raise EmbedderUnavailable(f"embedder {embedder.key} here, {key} asked for")
        return embedder
    with _lock:
        cached = _fine_tuned.get(key)
        if cached is not None:
            _fine_tuned.move_to_end(key)
            return cached
        version = (
            ModelVersion.objects.filter(embedder=key, algorithm=fewshot.ALGORITHM)
            .exclude(status=ModelVersionStatus.BROKEN)
            .order_by("-id")
            .first()
        )
        if version is None:
            raise EmbedderUnavailable(f"no model version holds the fine-tuned encoder {key}")
        try:
            model = fewshot.FewShotModel.from_bytes(model_version_artifact_bytes(version=version))
        except Exception as exc:  # a missing or unreadable artifact: the encoder cannot run
            raise EmbedderUnavailable(f"the fine-tuned encoder {key} cannot load: {exc}") from exc
        embedder = model.embedder
        if embedder.key != key:
            raise EmbedderUnavailable(f"model version {version.pk} holds {embedder.key}, not {key}")
        _fine_tuned[key] = embedder
        while len(_fine_tuned) > MAX_FINE_TUNED:
            _fine_tuned.popitem(last=False)
        return embedder
