"""Data built once per test module, as Django's ``TestCase.setUpTestData`` does: the build runs
inside a transaction that stays open for the module and is rolled back when it ends; each test
runs in a savepoint of it (pytest-django's ``db``), so what one test changes is gone for the
next. The files the build writes go to a folder of their own, copied into each test's media
folder by ``module_media``.

Only for modules whose tests are not transactional (no ``transaction=True``, no live server or
worker process: they would not see the uncommitted rows)."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings


def built_once(build: Callable[[], Any]):
    """A module-scoped fixture giving ``(what build() returned, its media folder)``."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[tuple[Any, Path]]:
        media = tmp_path_factory.mktemp("module-media")
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                with override_settings(MEDIA_ROOT=str(media)):
                    built = build()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        try:
            yield built, media
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)

    return fixture


def module_media(media: Path, settings) -> None:
    """Copy the module's files into this test's media folder."""
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
