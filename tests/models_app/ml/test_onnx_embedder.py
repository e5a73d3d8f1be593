"""``minilm-int8``: MiniLM exported to ONNX and int8-quantised offline from the packaged weights,
in a cache directory of its own per test module; compared with sentence-transformers itself on
real SMS messages and Davidson tweets, short and long (past the model's 256 tokens)."""

import csv
import sys
from pathlib import Path

import numpy as np
import pytest

from models_app.ml.embedders import registry
from models_app.ml.embedders.base import EmbedderUnavailable
from models_app.ml.embedders.onnx import OnnxMiniLMEmbedder
from models_app.ml.embedders.registry import EMBEDDER_NAMES, default_embedder_name, get_embedder
from tests.skips import dataset

REPO_ROOT = Path(__file__).resolve().parents[3]
# Bounds for the int8 model against sentence-transformers fp32 on these texts (measured on the
# benchmark's 5,000 short and 1,000 long texts: mean 0.991, min 0.952).
INT8_MEAN_COSINE = 0.98
INT8_MIN_COSINE = 0.93


def real_texts():
    """150 SMS messages, 150 Davidson tweets and 20 long texts of 12-20 SMS messages each."""
    with dataset("sms_spam_collection.tsv").open(encoding="utf-8") as fh:
        next(fh)
        sms = [line.rstrip("\n").split("\t", 1)[1] for line in fh if "\t" in line]
    with dataset("davidson_hate_offensive.csv").open(encoding="utf-8") as fh:
        tweets = [row["tweet"] for row in csv.DictReader(fh)]
    rng = np.random.default_rng(12)
    short = [sms[i] for i in rng.choice(len(sms), 150, replace=False)]
    short += [tweets[i] for i in rng.choice(len(tweets), 150, replace=False)]
    long = [
        " ".join(sms[i] for i in rng.choice(len(sms), rng.integers(12, 21), replace=False))
        for _ in range(20)
    ]
    return short, long


@pytest.fixture(scope="module")
def texts():
    return real_texts()


@pytest.fixture(scope="module")
def reference(minilm, texts):
    """sentence-transformers' own vectors of the short and long texts, computed once."""
    short, long = texts
    return minilm.embed(short + long)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def int8(cache_dir, minilm):
    embedder = OnnxMiniLMEmbedder(cache_dir=cache_dir)
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture(scope="module")
def fp32(cache_dir, minilm):
    embedder = OnnxMiniLMEmbedder(cache_dir=cache_dir, quantized=False)
    embedder.embed(["warm up"])
    return embedder


def cosines(a, b):
    return np.einsum("ij,ij->i", a, b)


def test_the_fp32_export_reproduces_sentence_transformers(fp32, reference, texts):
    short, long = texts
    every = short + long

    cos = cosines(fp32.embed(every), reference)

    assert cos.min() >= 0.999, f"min cosine {cos.min():.5f}"


def test_int8_vectors_stay_close_to_sentence_transformers(int8, reference, texts):
    short, long = texts
    every = short + long

    matrix = int8.embed(every)
    cos = cosines(matrix, reference)

    assert int8.key == "minilm-int8@all-MiniLM-L6-v2+onnx-int8-pc"
    assert matrix.dtype == np.float32
    assert matrix.shape == (len(every), 384)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-5)
    assert cos.mean() >= INT8_MEAN_COSINE, f"mean cosine {cos.mean():.4f}"
    assert cos.min() >= INT8_MIN_COSINE, f"min cosine {cos.min():.4f}"


def test_token_ids_equal_sentence_transformers(int8, minilm, texts):
    short, long = texts
    every = short + long + ["", "   ", "naïve café — ünïcödé 😀 http://x.co/a?b=1"]
    features = minilm._load().tokenize(every)
    expected = [
        ids[mask.bool()].tolist()
        for ids, mask in zip(features["input_ids"], features["attention_mask"], strict=True)
    ]

    ids = int8.token_ids(every)

    assert ids == expected
    assert max(len(row) for row in ids) == 256  # the long texts were cut where ST cuts them


def test_rows_come_back_in_input_order_whatever_the_batching(fp32, texts):
    short, long = texts
    every = short[:40] + long[:5]
    reordered = every[::-1]

    forward = fp32.embed(every, batch_size=8)
    backward = fp32.embed(reordered, batch_size=8)

    assert np.allclose(forward, backward[::-1], atol=1e-5)


def test_a_huge_text_is_clipped_like_minilm_does(int8, texts):
    short, _ = texts
    words = " ".join(short)
    huge = (words + " ") * (20_000 // len(words) + 1)

    clipped, whole = int8.embed([huge[:8_000], huge])

    assert len(huge) > 20_000
    assert float(clipped @ whole) > 0.999


def test_a_second_instance_loads_the_cached_file_without_rebuilding(int8, cache_dir):
    built = int8.model_file
    stamp = built.stat().st_mtime_ns

    again = OnnxMiniLMEmbedder(cache_dir=cache_dir)
    vectors = again.embed(["Are we still meeting for lunch tomorrow?"])

    assert again.model_file == built
    assert built.stat().st_mtime_ns == stamp
    assert np.allclose(vectors, int8.embed(["Are we still meeting for lunch tomorrow?"]))


PROBE = ["Free entry in 2 a wkly comp to win FA Cup final tkts", "see you at lunch"]


def damaged_copy(int8, folder, damage):
    """The cached int8 file, copied to ``folder``'s layout and damaged."""
    good = int8.model_file.read_bytes()
    target = folder / int8.model_file.relative_to(int8.model_file.parents[1])
    target.parent.mkdir(parents=True)
    if damage == "truncated":  # as a copy cut short would leave it
        target.write_bytes(good[: len(good) // 2])
    else:
        target.write_bytes(b"\0" * len(good))
    return target, len(good)


# Two processes meeting a damaged file rebuild it once: tests/models_app/ml/test_embedder_cache.py.
@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_cache_file_that_cannot_load_is_rebuilt(int8, tmp_path, damage):
    target, size = damaged_copy(int8, tmp_path, damage)

    embedder = OnnxMiniLMEmbedder(cache_dir=tmp_path)
    vectors = embedder.embed(PROBE)

    assert embedder.model_file == target
    assert target.stat().st_size == size
    assert np.allclose(vectors, int8.embed(PROBE), atol=1e-5)


def test_the_default_text_embedder_is_minilm_int8_where_onnx_runtime_imports():
    assert "minilm-int8" in EMBEDDER_NAMES
    assert default_embedder_name("text") == "minilm-int8"
    assert get_embedder("minilm-int8").data_type == "text"


def test_without_onnx_runtime_the_default_falls_back_to_minilm(monkeypatch):
    # A None entry in sys.modules is how Python marks a module that cannot be imported.
    monkeypatch.setitem(sys.modules, "onnxruntime", None)

    assert not registry.onnx_runtime_available()
    assert default_embedder_name("text") == "minilm"
    assert default_embedder_name("image") == "pixels"
    with pytest.raises(EmbedderUnavailable, match="needs onnxruntime"):
        OnnxMiniLMEmbedder()
