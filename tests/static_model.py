"""The ``static`` embedder distilled from the packaged MiniLM in a process with the network cut
off, once per test session (about 50 CPU-seconds): ``tests/models_app/ml/test_static_embedder.py``
checks what that build produced, and the tests that load ``static`` from the model cache folder
find the same file there instead of distilling it a second time."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]

TEXTS = [
    "WINNER!! Claim your free prize now, text WIN to 80086",
    "Are we still meeting for lunch tomorrow?",
    "",
    "   \n\t",
    "日本語のテキスト",
]

# Embeds TEXTS with a StaticEmbedder on the cache folder argv[1], in a process where any
# attempt to open a network connection fails, and prints what happened as JSON.
OFFLINE_EMBED = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise OSError("network access attempted while distilling the static embedder")

socket.socket.connect = refuse
socket.create_connection = refuse

from models_app.ml.embedders.static import StaticEmbedder

embedder = StaticEmbedder(cache_dir=sys.argv[1])
matrix = embedder.embed(json.loads(sys.argv[2]))
print(json.dumps({
    "key": embedder.key,
    "build_seconds": embedder.build_seconds,
    "matrix": matrix.tobytes().hex(),
}))
"""


def embed_offline(cache_dir, texts=TEXTS, **popen):
    """Start a process that embeds ``texts`` with the cache folder ``cache_dir`` (no network)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HF_")}
    env["HF_HOME"] = str(Path(cache_dir).parent / "empty-hf-home")  # no hub cache to fall on
    return subprocess.Popen(
        [sys.executable, "-c", OFFLINE_EMBED, str(cache_dir), json.dumps(texts)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def result_of(process):
    from models_app.ml.embedders.static import StaticEmbedder

    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    shape = (-1, StaticEmbedder.dim)
    result["matrix"] = np.frombuffer(bytes.fromhex(result["matrix"]), np.float32).reshape(shape)
    return result


def share_with_the_model_cache(built_file: Path, cache_dir: Path) -> None:
    """Put ``built_file`` into ``cache_dir`` unless a file of that name is there already,
    renamed into place as ``cache.build_once`` does, so no reader sees half a file."""
    target = cache_dir / built_file.name
    if target.exists():
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.copy")
    shutil.copyfile(built_file, partial)
    partial.replace(target)
