"""A Celery worker, once started, holds its jobs' modules and leaves the objects it holds out of
the garbage collector's later passes (``config.celery.worker_process_prepare``)."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc, json, sys
import django
django.setup()
from config.celery import JOB_MODULES, app
from celery.signals import worker_init
before = gc.get_freeze_count()
worker_init.send(sender=None)  # what a starting worker sends its handlers
print(json.dumps({
    "before": before,
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "modules": [name in sys.modules for name in JOB_MODULES],
}))
"""


def test_a_started_worker_holds_its_job_modules_and_freezes_what_it_holds():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0
    assert all(seen["modules"])
    # Django, the apps and their libraries: far more than what is left for the collector.
    assert seen["frozen"] > 50_000
    assert seen["tracked"] < seen["frozen"] / 10
