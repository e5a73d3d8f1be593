"""``cache.build_once``: the derived model files (``minilm-int8``, ``static``) are built by one
process, never read half-written, and built again when they fail to load."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from models_app.ml.embedders import cache

REPO_ROOT = Path(__file__).resolve().parents[3]


# Two processes call build_once on the file argv[1], damaged: the build takes a second, writes
# the process id twice, and the loader refuses anything else; prints who built and what it read.
BUILD_ONCE = """
import os, sys, time
from pathlib import Path
from models_app.ml.embedders.cache import build_once

built = []

def build(path):
    built.append(True)
    time.sleep(1.0)
    path.write_text(f"{os.getpid()} {os.getpid()}")

def load(path):
    first, second = path.read_text().split()
    assert first == second
    return first

print(build_once(Path(sys.argv[1]), build=build, load=load), bool(built))
"""


def test_a_damaged_file_is_rebuilt_by_one_of_two_processes_and_both_read_it(tmp_path):
    target = tmp_path / "models" / "thing.txt"
    target.parent.mkdir()
    target.write_text("12345")  # half of what a build writes
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", BUILD_ONCE, str(target)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(out.split())

    assert sorted(built for _, built in results) == ["False", "True"]
    assert results[0][0] == results[1][0]  # both read the one rebuilt file
    assert target.read_text() == f"{results[0][0]} {results[0][0]}"


def test_nothing_is_left_in_a_cache_folder_when_the_build_fails(tmp_path):
    """A build that raises leaves no temporary file and no model file behind."""
    target = tmp_path / "models" / "thing.bin"

    def failing_build(path):
        path.write_bytes(b"half")
        raise RuntimeError("out of memory")

    with pytest.raises(RuntimeError, match="out of memory"):
        cache.build_once(target, build=failing_build, load=lambda path: path.read_bytes())

    assert sorted(p.name for p in target.parent.iterdir()) == ["thing.bin.lock"]
    shutil.rmtree(target.parent)
