"""Tandem's Prometheus metrics.

Two kinds:

- **counted by processes** (request latency, intake verdicts, Celery task outcomes): each
  process adds to its own files in the multiprocess directory; a scrape sums every process's
  files, so one scrape of any web worker sees the whole host (web workers and, when they share
  the directory, the Celery worker).
- **read from the database at scrape time** (queue depths, SLA at risk, webhook and embedding
  backlogs): the apps register gauge sources; ``DatabaseCollector`` runs each with a statement
  timeout, so a slow query costs one scrape a missing family, never a hung endpoint.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import Error as DatabaseError
from django.db import connection, transaction

from core.observability.multiprocess import metrics_dir_prepare

logger = logging.getLogger(__name__)

# Seconds. Wide at the top: imports and exports stream for a while before their first byte.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Methods outside this set are counted as "other" (a client may send any token).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A gauge source's queries may run this long before PostgreSQL cancels them.
SOURCE_STATEMENT_TIMEOUT_MS = 2000


# --- counted by processes ---------------------------------------------------------------------


@dataclass(frozen=True)
class _ProcessMetrics:
    request_seconds: Any
    intake_verdicts: Any
    celery_tasks: Any


_process_metrics: _ProcessMetrics | None = None
_process_metrics_lock = threading.Lock()


def _metrics() -> _ProcessMetrics:
    """The process's metric objects, built on first use (after the multiprocess directory is
    set, see ``multiprocess``); never registered in prometheus-client's global registry, since
    a scrape reads the files of every process instead."""
    global _process_metrics
    if _process_metrics is not None:
        return _process_metrics
    with _process_metrics_lock:
        if _process_metrics is None:
            metrics_dir_prepare()
            from prometheus_client import Counter, Histogram

            _process_metrics = _ProcessMetrics(
                request_seconds=Histogram(
                    "tandem_http_request_duration_seconds",
                    "Time to answer an HTTP request (until the response starts), by URL "
                    "pattern, method and status class.",
                    ["route", "method", "status"],
                    buckets=LATENCY_BUCKETS,
                    registry=None,
                ),
                intake_verdicts=Counter(
                    "tandem_intake_verdicts",
                    "New contents taken in by moderation intake, by policy and verdict "
                    "(allow, remove, pending_review).",
                    ["policy", "verdict"],
                    registry=None,
                ),
                celery_tasks=Counter(
                    "tandem_celery_tasks",
                    "Celery task runs that ended, by task name and outcome (success, failure, "
                    "timeout, retry, revoked).",
                    ["task", "outcome"],
                    registry=None,
                ),
            )
    return _process_metrics


def request_observe(*, route: str, method: str, status_code: int, seconds: float) -> None:
    _metrics().request_seconds.labels(
        route=route,
        method=method if method in METHODS else "other",
        status=f"{status_code // 100}xx",
    ).observe(seconds)


def intake_verdicts_count(*, policy_id: int, verdict: str, count: int = 1) -> None:
    _metrics().intake_verdicts.labels(policy=str(policy_id), verdict=verdict).inc(count)


def celery_task_count(*, task: str, outcome: str) -> None:
    _metrics().celery_tasks.labels(task=task, outcome=outcome).inc()


# --- read from the database at scrape time ----------------------------------------------------


@dataclass
class GaugeFamily:
    """One gauge and its samples, as a gauge source returns it (no prometheus-client types)."""

    name: str
    documentation: str
    labels: tuple[str, ...] = ()
    samples: list[tuple[tuple[str, ...], float]] = field(default_factory=list)

    def add(self, value: float, *label_values: object) -> None:
        if len(label_values) != len(self.labels):
            raise ValueError(f"{self.name} takes labels {self.labels}, got {label_values}")
        self.samples.append((tuple(str(v) for v in label_values), float(value)))


GaugeSource = Callable[[], Iterable[GaugeFamily]]
_gauge_sources: dict[str, GaugeSource] = {}


def gauge_source_register(name: str, source: GaugeSource) -> None:
    """Add gauges computed at scrape time. ``source`` must use bounded, indexed queries: it runs
    on every scrape, with a statement timeout on PostgreSQL."""
    _gauge_sources[name] = source


def _families_of(source: GaugeSource) -> list[GaugeFamily]:
    if connection.vendor != "postgresql":
        return list(source())
    # On SQLite an atomic block would take the write lock (transaction_mode IMMEDIATE): a
    # scrape must not queue behind imports, so the timeout is PostgreSQL's only.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [SOURCE_STATEMENT_TIMEOUT_MS])
        return list(source())


class DatabaseCollector:
    """Runs the registered gauge sources; ``tandem_metrics_source_up`` says which answered."""

    def describe(self) -> list:
        # Registering must not query the database (prometheus-client would call collect()).
        return []

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily(
            "tandem_metrics_source_up",
            "1 when the gauges of a source were read from the database in this scrape, 0 when "
            "its queries failed or timed out (see the web log).",
            labels=["source"],
        )
        for name, source in sorted(_gauge_sources.items()):
            try:
                families = _families_of(source)
            except DatabaseError as exc:
                # The database is down or the query timed out: one line, not a traceback per
                # family and scrape.
                logger.warning("metrics: the %s gauges could not be read: %s", name, exc)
                up.add_metric([name], 0)
                continue
            except Exception:
                logger.exception("metrics: the %s gauges could not be read", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            for family in families:
                gauge = GaugeMetricFamily(
                    family.name, family.documentation, labels=list(family.labels)
                )
                for label_values, value in family.samples:
                    gauge.add_metric(list(label_values), value)
                yield gauge
        yield up


def metrics_exposition(*, accept: str = "", include_database: bool = True) -> tuple[bytes, str]:
    """The scrape body and its content type: every process's counters from the multiprocess
    directory, plus (for the web's ``/metrics``) the gauges read from the database."""
    path = metrics_dir_prepare()
    from prometheus_client import CollectorRegistry, multiprocess
    from prometheus_client.exposition import choose_encoder

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(path))
    if include_database:
        registry.register(DatabaseCollector())
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
