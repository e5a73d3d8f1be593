import pytest

from tests.skips import loaded_embedder


@pytest.fixture(scope="module")
def minilm():
    """The ``minilm`` embedder (sentence-transformers), loaded; a skip without the model."""
    return loaded_embedder("minilm")
