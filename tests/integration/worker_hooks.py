"""Loaded into a test's Celery worker with ``--include``: runs that kill their own process.

An import of a file whose name starts with ``kill-worker`` and a training run of a project
named ``kill-worker`` are SIGKILLed right after they start (their attempt already counted),
as the kernel's out-of-memory killer ends a worker child. Only tests load this module.
"""

import os
import signal

from celery.signals import worker_process_init

KILL_NAME = "kill-worker"


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
