"""Serving models to score content: a project's production (or canary) and shadow versions,
their classifiers cached per process, and their embedders.

Each process keeps the loaded classifier per model version id; embedders are process-wide in
models_app already. One embedder call per batch and embedder: the model is the bottleneck.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from models_app.choices import ModelVersionStatus, Stage
from models_app.models import ModelVersion
from models_app.services.embedders import embedder_for_key
from models_app.services.registry import model_version_classifier

if TYPE_CHECKING:
    from models_app.ml.classifiers.trained import TrainedClassifier

_classifiers: dict[int, TrainedClassifier] = {}
_lock = threading.Lock()
# Versions kept loaded per process; old ones are dropped first.
MAX_CACHED_CLASSIFIERS = 16
# Embedder keys that have embedded in this process: weights loaded, first-call costs paid.
_warm_embedders: set[str] = set()
_WARM_UP_TEXT = "Tandem warms up its intake model with this sentence."


def classifier_for(version: ModelVersion) -> TrainedClassifier:
    """The version's classifier, loaded once per process."""
    classifier = _classifiers.get(version.pk)
    if classifier is not None:
        return classifier
    classifier = model_version_classifier(version=version)
    with _lock:
        while len(_classifiers) >= MAX_CACHED_CLASSIFIERS:
            _classifiers.pop(next(iter(_classifiers)))
        _classifiers[version.pk] = classifier
    return classifier


@dataclass
class ServingVersions:
    production: ModelVersion | None = None
    canary: ModelVersion | None = None
    shadows: list[ModelVersion] = field(default_factory=list)

    @property
    def all(self) -> list[ModelVersion]:
        return [v for v in (self.production, self.canary, *self.shadows) if v is not None]


def serving_versions(*, owner: str) -> ServingVersions:
    """The production, canary and shadow versions of ``owner`` (a labeling project's
    ``owner_key``), in one query."""
    versions = (
        ModelVersion.objects.filter(
            owner=owner,
            stage__in=[Stage.PRODUCTION, Stage.CANARY, Stage.SHADOW],
        )
        .exclude(status=ModelVersionStatus.BROKEN)
        .order_by("-version")
    )
    serving = ServingVersions()
    for version in versions:
        if version.stage == Stage.PRODUCTION:
            serving.production = version
        elif version.stage == Stage.CANARY and serving.canary is None:
            serving.canary = version
        elif version.stage == Stage.SHADOW:
            serving.shadows.append(version)
    return serving


def in_canary(*, external_id: str, share: float) -> bool:
    """Whether this content is in the canary's share: stable for a given external id."""
    if share <= 0:
        return False
    digest = hashlib.blake2b(external_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64 < share


def embed(*, embedder_key: str, inputs: Sequence[str | bytes]) -> np.ndarray:
    """Vectors of ``inputs`` with the embedder a model version was trained on (a few-shot
    version's fine-tuned encoder included). Raises ``EmbedderUnavailable`` when it cannot
    run here."""
    embedder = embedder_for_key(key=embedder_key)
    matrix = embedder.embed(list(inputs))
    _warm_embedders.add(embedder_key)
    return matrix


def version_loaded(version: ModelVersion) -> bool:
    """Whether scoring with ``version`` in this process needs no loading: its classifier is
    cached and its embedder has run here."""
    return version.pk in _classifiers and version.embedder in _warm_embedders


def _warm_up_image() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), (128, 64, 32)).save(out, format="PNG")
    return out.getvalue()


def version_warm(version: ModelVersion) -> None:
    """Load ``version`` into this process's caches the way intake uses them: the classifier,
    and one embedding through its embedder (weights, lazy imports, first-call costs), so the
    first content scored afterwards is as fast as the next ones."""
    classifier_for(version)
    if version.embedder not in _warm_embedders:
        embedder = embedder_for_key(key=version.embedder)
        if embedder.data_type == "text":
            embed(embedder_key=version.embedder, inputs=[_WARM_UP_TEXT])
        else:
            embed(embedder_key=version.embedder, inputs=[_warm_up_image()])


def class_probabilities(*, version: ModelVersion, vectors: np.ndarray) -> list[dict[str, float]]:
    """Per row, the probability of each class the version knows."""
    classifier = classifier_for(version)
    proba = classifier.predict_proba(vectors)
    return [
        {name: float(value) for name, value in zip(classifier.classes, row, strict=True)}
        for row in proba
    ]
