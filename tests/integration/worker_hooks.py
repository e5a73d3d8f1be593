"""Loaded into a test's Celery worker with ``--include``: runs that kill their own process,
and snapshots slow enough to watch.

An import of a file whose name starts with ``kill-worker`` and a training run of a project
named ``kill-worker`` are SIGKILLed right after they start (their attempt already counted),
as the kernel's out-of-memory killer ends a worker child. A snapshot of a project whose name
starts with ``slow-worker`` is read in pages of ``SLOW_PAGE_ITEMS`` items with a pause of
``SLOW_PAGE_SECONDS`` after each, so a browser sees its progress move. Only tests load this
module.
"""

import os
import signal
import time

from celery.signals import worker_process_init

KILL_NAME = "kill-worker"
SLOW_NAME = "slow-worker"
SLOW_PAGE_ITEMS = 50
SLOW_PAGE_SECONDS = 1.0


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@worker_process_init.connect
def _install(**kwargs) -> None:
    # In each pool child, after Django is set up.
    from labeling.services import training
    from labeling.services.imports.batches import ImportRun

    start_import = ImportRun.__init__

    def import_run_init(self, job, *, first_run):
        if job.original_name.startswith(KILL_NAME):
            _die()
        start_import(self, job, first_run=first_run)

    run_training = training._Run.run

    def training_run(self):
        if self.project.name == KILL_NAME:
            _die()
        return run_training(self)

    ImportRun.__init__ = import_run_init
    training._Run.run = training_run
    _pace_slow_snapshots()


def _pace_slow_snapshots() -> None:
    from labeling.services.datasets import cut
    from labeling.services.datasets.rows import RowReader

    raw_pages = RowReader._raw_pages

    def small_pages(self, **kwargs):
        if self.project.name.startswith(SLOW_NAME):
            kwargs["page_size"] = SLOW_PAGE_ITEMS
        return raw_pages(self, **kwargs)

    rows_write = cut.snapshot_rows_write

    def paced_rows_write(*, project, on_page=None, **kwargs):
        if on_page is not None and project.name.startswith(SLOW_NAME):
            report = on_page

            def on_page(items_read: int) -> None:
                report(items_read)
                time.sleep(SLOW_PAGE_SECONDS)

        return rows_write(project=project, on_page=on_page, **kwargs)

    RowReader._raw_pages = small_pages
    cut.snapshot_rows_write = paced_rows_write
