import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from labeling.choices import Role
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.skips import dataset, require_data


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def dataset_path():
    """``dataset_path(name)``: the file ``name`` of the shared datasets (``tests.skips``)."""
    return dataset


@pytest.fixture(scope="session")
def static_distilled(tmp_path_factory):
    """(cache folder, what the building process reported): the ``static`` embedder distilled
    once this session from the packaged MiniLM, in a process without network, into a temporary
    cache folder. The file is also put into the model cache folder, where the app and its
    workers look, unless one is there already: the tests that load ``static`` from there (use
    this fixture first) do not distill it again."""
    from models_app.ml.embedders.base import EmbedderUnavailable
    from models_app.ml.embedders.cache import model_cache_dir
    from models_app.ml.embedders.static import StaticEmbedder
    from tests.static_model import embed_offline, result_of, share_with_the_model_cache

    try:
        StaticEmbedder()
    except EmbedderUnavailable as exc:
        require_data(False, f"the packaged MiniLM is not installed here: {exc}")
    cache_dir = tmp_path_factory.mktemp("static") / "models"
    result = result_of(embed_offline(cache_dir))
    (built,) = cache_dir.glob("*.npz")
    share_with_the_model_cache(built, model_cache_dir())
    return cache_dir, result


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def make_member(db, project):
    """A user with ``role`` in ``project`` (or a non-member when role is None)."""

    def make(role: str | None = Role.ADMIN, *, proj=None, **user_kwargs):
        user = UserFactory(**user_kwargs)
        if role is not None:
            MembershipFactory(project=proj or project, user=user, role=role)
        return user

    return make


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` logs it in through the session."""
    client = APIClient()

    def as_user(user):
        client.force_authenticate(user=None)
        client.force_login(user)
        return client

    client.as_user = as_user
    return client


_SERIAL_MARKERS = ("browser", "worker", "faults")
_SERIAL_FOLDERS = ("e2e", "faults", "integration")


def pytest_collection_modifyitems(config, items):
    """Mark what must run alone ``serial``: tests that start Celery workers, browsers, live
    servers or private PostgreSQL/Redis servers, or purge the shared broker. ``make test``
    runs the rest in two processes (``-m "not serial" -n 2``), then these one at a time in each
    of two groups side by side (``tests/serial_groups.py``)."""
    tests_dir = Path(__file__).parent
    for item in items:
        folder = Path(str(item.path)).relative_to(tests_dir).parts[0]
        if folder in _SERIAL_FOLDERS or any(item.get_closest_marker(m) for m in _SERIAL_MARKERS):
            item.add_marker(pytest.mark.serial)


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return f"tandem: database={db['ENGINE'].rsplit('.', 1)[-1]} broker={settings.CELERY_BROKER_URL.split('://')[0]}"


def pytest_sessionfinish(session, exitstatus):
    """This session's metrics directory (``config.settings.test`` makes one per run) goes with
    it; the processes the tests started have stopped by now."""
    path = Path(settings.PROMETHEUS_MULTIPROC_DIR)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    own = f"{os.getpid()}-{worker}" if worker else str(os.getpid())
    if path.parent.name == "test-metrics" and path.name == own:
        shutil.rmtree(path, ignore_errors=True)
