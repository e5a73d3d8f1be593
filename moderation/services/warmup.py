"""Intake's models, loaded before a web process says it is ready (``/readyz``).

Intake scores content synchronously with the production model of the policy's project (and the
canary and shadow versions beside it). Loading them is slow (MiniLM: seconds), so a process
that took intake traffic cold would answer its first requests slowly or time out. ``/readyz``
therefore answers 503 "loading" until they are in this process's scoring caches; it never
loads them inside the probe: the first probe that finds one missing starts a background
warm-up (one at a time per process), later probes report on it.

Under gunicorn each worker also warms them as it starts, before it takes its first request
(``intake_models_warm_at_start`` from ``config/gunicorn.py``'s ``post_worker_init``): a load
balancer's probe reaches one worker at a time, so without it the other workers would load the
models inside a platform's first intake request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection

from core.observability.health import CheckResult
from labeling.selectors.projects import project_owner_keys
from models_app.choices import ModelVersionStatus, Stage
from models_app.models import ModelVersion
from moderation.choices import AutomationLevel
from moderation.models import Policy
from moderation.services import model_serving

logger = logging.getLogger(__name__)

# After a failed warm-up, the next probe starts another only this much later (seconds).
RETRY_AFTER_FAILURE_SECONDS = 30.0
# How long a starting worker waits for the warm-up before it takes requests anyway (seconds);
# the warm-up goes on in the background and /readyz reports it.
WARM_AT_START_MAX_SECONDS = 300.0

_lock = threading.Lock()
_thread: threading.Thread | None = None
_failed_at: float | None = None


def intake_models_required() -> list[ModelVersion]:
    """The versions intake scores with: of each project that has a production model and a
    policy that scores intake (every level but human-only; shadow logs the scores), its
    production, canary and shadow versions. Two queries."""
    scoring_levels = [level for level in AutomationLevel if level != AutomationLevel.HUMAN_ONLY]
    owners = project_owner_keys(
        project_ids=Policy.objects.filter(automation_level__in=scoring_levels).values_list(
            "project_id", flat=True
        )
    )
    versions = list(
        ModelVersion.objects.filter(
            owner__in=owners, stage__in=[Stage.PRODUCTION, Stage.CANARY, Stage.SHADOW]
        )
        .exclude(status=ModelVersionStatus.BROKEN)
        .order_by("owner", "-version")
    )
    with_production = {v.owner for v in versions if v.stage == Stage.PRODUCTION}
    return [v for v in versions if v.owner in with_production]


def _warm(versions: list[ModelVersion]) -> None:
    global _failed_at
    try:
        started = time.monotonic()
        for version in versions:
            model_serving.version_warm(version)
        logger.info(
            "intake models loaded: %s in %.1f s",
            ", ".join(f"{v.owner} v{v.version}" for v in versions),
            time.monotonic() - started,
        )
        _failed_at = None
    except Exception:
        logger.exception("intake models could not be loaded; /readyz retries")
        _failed_at = time.monotonic()
    finally:
        connection.close()  # this thread's own connection


def _warm_up_thread(missing: list[ModelVersion]) -> threading.Thread:
    """The running warm-up, or a new one of ``missing``; the caller holds ``_lock``."""
    global _thread
    if _thread is None or not _thread.is_alive():
        _thread = threading.Thread(
            target=_warm, args=(missing,), name="tandem-intake-warm-up", daemon=True
        )
        _thread.start()
    return _thread


def intake_models_readiness() -> CheckResult:
    """Ready when every version intake scores with is loaded here (``TANDEM_READYZ_MODELS``);
    otherwise starts the warm-up if none is running and answers "loading" (or "failed" until
    the next attempt after a failure)."""
    if not settings.TANDEM_READYZ_MODELS:
        return CheckResult(True, "not checked")
    versions = intake_models_required()
    missing = [version for version in versions if not model_serving.version_loaded(version)]
    if not missing:
        return CheckResult(True, detail={"models": len(versions)})
    detail = {"models": len(versions), "loading": len(missing)}
    with _lock:
        if _thread is not None and _thread.is_alive():
            return CheckResult(False, "loading", detail)
        if _failed_at is not None and time.monotonic() - _failed_at < RETRY_AFTER_FAILURE_SECONDS:
            return CheckResult(False, "failed", detail)
        _warm_up_thread(missing)
    return CheckResult(False, "loading", detail)


def intake_models_warm_at_start(
    *,
    heartbeat: Callable[[], object] | None = None,
    max_seconds: float = WARM_AT_START_MAX_SECONDS,
) -> bool:
    """Load intake's models in this process before it takes requests (a gunicorn worker, from
    ``post_worker_init``), unless ``TANDEM_WARM_INTAKE_MODELS_AT_START`` is off.

    Starts the warm-up ``/readyz`` uses and waits for it, calling ``heartbeat`` about once a
    second (gunicorn's ``worker.notify``: a worker that is silent past its timeout is killed).
    Returns whether every model is loaded. Never raises: after a failure, or ``max_seconds``,
    the worker takes requests anyway and ``/readyz`` reports (and retries) the warm-up.
    """
    if not settings.TANDEM_WARM_INTAKE_MODELS_AT_START:
        return False
    try:
        versions = intake_models_required()
        missing = [v for v in versions if not model_serving.version_loaded(v)]
        if missing:
            with _lock:
                thread = _warm_up_thread(missing)
            deadline = time.monotonic() + max_seconds
            while thread.is_alive() and time.monotonic() < deadline:
                if heartbeat is not None:
                    heartbeat()
                thread.join(timeout=1.0)
        return all(model_serving.version_loaded(v) for v in versions)
    except Exception:
        logger.exception("intake models could not be loaded at start; /readyz retries")
        return False
    finally:
        if not connection.in_atomic_block:
            connection.close()  # the worker's main thread takes no requests with it
