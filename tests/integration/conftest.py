"""Integration tests run a real Celery worker: ``start_worker`` (``tests.workers``)."""

from tests.workers import start_worker

__all__ = ["start_worker"]
