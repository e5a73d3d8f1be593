"""Where embedders keep the model files they build on first use, and how they build them once.

The Django side names the folder at start-up (``set_model_cache_dir(DATA_DIR / "models")`` in
``models_app.apps``); a plain Python process that never configured it uses ``$TANDEM_DATA_DIR/
models`` or, without that variable, ``~/.cache/tandem/models``.

``build_once`` makes a derived file safe to share between processes: readers only ever see a
complete file (it is written to a temporary name and renamed into place), an exclusive file lock
lets one process build while the others wait and then load its result, and a file that fails to
load (truncated, corrupted, written by another recipe) is rebuilt rather than used.
"""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)

_configured_dir: Path | None = None
_thread_lock = threading.Lock()


def set_model_cache_dir(path: str | os.PathLike[str] | None) -> None:
    """Use ``path`` for model files built from now on (None: back to the default)."""
    global _configured_dir
    _configured_dir = None if path is None else Path(path)


def model_cache_dir() -> Path:
    """The folder for built model files (see the module docstring for the order of choice)."""
    if _configured_dir is not None:
        return _configured_dir
    data_dir = os.environ.get("TANDEM_DATA_DIR")
    if data_dir:
        return Path(data_dir) / "models"
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "tandem" / "models"


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (``flock`` on ``path``) and threads of this one."""
    with _thread_lock, open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


_MISSING = object()


def _try_load(path: Path, load: Callable[[Path], T]) -> T | object:
    """``load(path)``, or ``_MISSING`` when the file is absent or fails to load."""
    if not path.is_file():
        return _MISSING
    try:
        return load(path)
    except Exception as exc:  # any failure to load means: build it again
        logger.warning("rebuilding %s, which failed to load: %r", path, exc)
        return _MISSING


def build_once(path: Path, *, build: Callable[[Path], None], load: Callable[[Path], T]) -> T:
    """``load(path)``, building the file first with ``build(temporary_path)`` when it is missing
    or ``load`` raises (any exception: the file is then treated as damaged and rebuilt).

    ``build`` writes the complete file at the path it is given, in the same folder as ``path``;
    it is then renamed over ``path`` in one step. Only one process builds at a time (the others
    wait on ``path`` + ``.lock`` and load what it wrote).
    """
    loaded = _try_load(path, load)
    if loaded is not _MISSING:
        return loaded  # type: ignore[return-value]
    path.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(path.with_name(path.name + ".lock")):
        # Another process may have built it while this one waited for the lock.
        loaded = _try_load(path, load)
        if loaded is not _MISSING:
            return loaded  # type: ignore[return-value]
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        os.close(handle)
        temporary_path = Path(temporary)
        try:
            build(temporary_path)
            temporary_path.chmod(0o644)  # mkstemp creates it private
            with open(temporary_path, "rb") as written:
                os.fsync(written.fileno())
            temporary_path.replace(path)
        finally:
            temporary_path.unlink(missing_ok=True)
        return load(path)
