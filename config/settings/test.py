"""Tests: same stack, fast hashing; tasks run in-process unless a test starts a worker."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR, DATABASES, env

SECRET_KEY = "tandem-test-key"  # noqa: S105 - tests only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# A worker process started by a test sets this to false, so the tasks it queues (an import's
# embedding job) go to their queues instead of running inside the task that queued them.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# Eager tasks would embed every imported item inside the test (MiniLM: ~70 s for the SMS file);
# tests that want the embedding job turn it on.
TANDEM_EMBED_AFTER_IMPORT = env.bool("TANDEM_EMBED_AFTER_IMPORT", default=False)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a Celery worker process started by a test sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-tandem.sqlite3")}

MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default=str(DATA_DIR / "test-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TANDEM_LOGIN_RATE = env.str("TANDEM_LOGIN_RATE", default="5/min")
TANDEM_LOGIN_USERNAME_RATE = env.str("TANDEM_LOGIN_USERNAME_RATE", default="8/hour")

# One metrics directory per test session (processes a test starts inherit it through the
# environment, see core.observability.multiprocess); tests/conftest.py removes it at the end.
# Each pytest-xdist process is a session of its own: it does not take the directory its
# controller put into the environment (one process's requests would count in the other's
# metrics), while the processes its tests start inherit its own.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
PROMETHEUS_MULTIPROC_DIR = env.str(
    "PROMETHEUS_MULTIPROC_DIR", default=str(DATA_DIR / "test-metrics" / str(os.getpid()))
)
if _XDIST_WORKER and not PROMETHEUS_MULTIPROC_DIR.endswith(f"-{_XDIST_WORKER}"):
    PROMETHEUS_MULTIPROC_DIR = str(DATA_DIR / "test-metrics" / f"{os.getpid()}-{_XDIST_WORKER}")
