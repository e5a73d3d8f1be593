import pytest

from models_app.ml.embedders.base import EmbedderUnavailable
from models_app.ml.embedders.registry import get_embedder
from tests.skips import require_data


@pytest.fixture(scope="module")
def minilm():
    """The ``minilm`` embedder (sentence-transformers), loaded; a skip without the model."""
    try:
        embedder = get_embedder("minilm")
        embedder.embed(["warm up"])
    except EmbedderUnavailable as exc:
        require_data(False, f"MiniLM is not installed here: {exc}")
    return embedder
