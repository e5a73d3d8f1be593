"""A trained classifier: calibrated probabilities from logits, and its pickle-free artifact.

Logit layout (``coef`` rows):

- binary: one row, the logit of ``classes[1]`` (as scikit-learn stores it);
- multiclass: one row per class (softmax);
- multilabel: one row per class (independent sigmoids).

With ``T == 1`` ``predict_proba`` returns exactly what the scikit-learn estimator would.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models_app.ml import single_threaded_blas

TASK_TYPES = ("binary", "multiclass", "multilabel")
ALGORITHM = "logistic_regression"
ARTIFACT_FORMAT = "tandem-classifier/1"

# Rows per block in predict_proba: the float64 copy of a block stays in cache, and scoring a
# million float32 embeddings never allocates a float64 copy of the whole matrix (scikit-learn
# would: 3 GB for 1M x 384). Float64 keeps the results equal to scikit-learn's.
_PREDICT_BLOCK_ROWS = 1024


@dataclass
class TrainedClassifier:
    classes: list[str]
    task_type: str
    algorithm: str
    coef: np.ndarray  # float64 (n_outputs, n_features)
    intercept: np.ndarray  # float64 (n_outputs,)
    temperature: float
    hyperparameters: dict[str, Any] = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        return int(self.coef.shape[1])

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Uncalibrated logits, float64 ``(n, n_outputs)`` (one column for binary)."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(
                f"expected a matrix with {self.n_features} columns, got shape {X.shape}"
            )
        weights = np.ascontiguousarray(self.coef.T, dtype=np.float64)
        logits = np.empty((X.shape[0], weights.shape[1]), dtype=np.float64)
        if X.shape[0] <= _PREDICT_BLOCK_ROWS:
            np.matmul(X.astype(np.float64, copy=False), weights, out=logits)
        else:
            block = np.empty((_PREDICT_BLOCK_ROWS, X.shape[1]), np.float64)
            with single_threaded_blas():
                for start in range(0, X.shape[0], _PREDICT_BLOCK_ROWS):
                    rows = X[start : start + _PREDICT_BLOCK_ROWS]
                    part = block[: rows.shape[0]]
                    part[...] = rows
                    np.matmul(part, weights, out=logits[start : start + rows.shape[0]])
        logits += self.intercept
        return logits

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, float64 ``(n, len(classes))``.

        Rows sum to 1 for binary and multiclass; multilabel columns are independent.
        """
        logits = self.decision_function(X)
        if self.temperature != 1.0:
            logits /= self.temperature
        if self.task_type == "multilabel":
            return _sigmoid(logits)
        if self.task_type == "binary":
            positive = _sigmoid(logits[:, 0])
            return np.stack([1 - positive, positive], axis=1)
        return _softmax(logits)

    def to_bytes(self) -> bytes:
        """The model as an ``.npz`` archive: two float64 arrays and UTF-8 JSON metadata."""
        meta = {
            "format": ARTIFACT_FORMAT,
            "classes": list(self.classes),
            "task_type": self.task_type,
            "algorithm": self.algorithm,
            "temperature": float(self.temperature),
            "hyperparameters": self.hyperparameters,
        }
        buffer = io.BytesIO()
        np.savez(
            buffer,
            coef=np.ascontiguousarray(self.coef, dtype=np.float64),
            intercept=np.ascontiguousarray(self.intercept, dtype=np.float64),
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainedClassifier:
        """Load an artifact written by ``to_bytes``; refuses pickled content and malformed files.

        Raises ``ValueError`` for anything that is not a well-formed Tandem classifier.
        """
        try:
            archive = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
        except Exception as exc:  # zipfile / numpy raise several types for garbage input
            raise ValueError(f"not a Tandem classifier artifact: {exc}") from exc
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("not a Tandem classifier artifact: expected an .npz archive")
        with archive:
            if set(archive.files) != {"coef", "intercept", "meta"}:
                raise ValueError(
                    f"not a Tandem classifier artifact: unexpected arrays {sorted(archive.files)}"
                )
            try:
                coef = archive["coef"]
                intercept = archive["intercept"]
                meta_bytes = archive["meta"]
            except ValueError as exc:  # numpy refuses object (pickled) arrays here
                raise ValueError(f"refusing to load classifier artifact: {exc}") from exc
        try:
            if meta_bytes.dtype != np.uint8 or meta_bytes.ndim != 1:
                raise ValueError("metadata is not a UTF-8 byte string")
            meta = json.loads(meta_bytes.tobytes().decode("utf-8"))
            model = cls(
                classes=[str(name) for name in meta["classes"]],
                task_type=str(meta["task_type"]),
                algorithm=str(meta["algorithm"]),
                coef=coef,
                intercept=intercept,
                temperature=float(meta["temperature"]),
                hyperparameters=dict(meta["hyperparameters"]),
            )
            if meta.get("format") != ARTIFACT_FORMAT:
                raise ValueError(f"unsupported format {meta.get('format')!r}")
        except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"not a Tandem classifier artifact: {exc}") from exc
        model._validate()
        return model

    def _validate(self) -> None:
        problem = None
        outputs = 1 if self.task_type == "binary" else len(self.classes)
        if self.task_type not in TASK_TYPES:
            problem = f"unknown task type {self.task_type!r}"
        elif len(set(self.classes)) != len(self.classes) or len(self.classes) < 2:
            problem = "classes must be at least two distinct names"
        elif self.task_type == "binary" and len(self.classes) != 2:
            problem = "a binary classifier has exactly two classes"
        elif self.coef.dtype != np.float64 or self.intercept.dtype != np.float64:
            problem = "coef and intercept must be float64"
        elif self.coef.ndim != 2 or self.coef.shape[0] != outputs:
            problem = f"coef must have shape ({outputs}, n_features), not {self.coef.shape}"
        elif self.intercept.shape != (outputs,):
            problem = f"intercept must have shape ({outputs},), not {self.intercept.shape}"
        elif not (math.isfinite(self.temperature) and self.temperature > 0):
            problem = f"temperature must be a positive number, not {self.temperature}"
        elif not (np.isfinite(self.coef).all() and np.isfinite(self.intercept).all()):
            problem = "coef and intercept must be finite"
        if problem:
            raise ValueError(f"not a Tandem classifier artifact: {problem}")


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(logits)
