"""Operability: health probes, Prometheus metrics, JSON log lines, database-outage answers.

``core`` sits below the apps, so the apps plug their parts in from their ``AppConfig.ready``:
gauges read from their tables at scrape time (``metrics.gauge_source_register``) and readiness
checks (``health.readiness_check_register``). Nothing here imports an app.

Importing this package is cheap and has no side effects: gunicorn's master imports the log
classes before Django is set up, and prometheus-client is imported only once the metrics
directory is known (see ``multiprocess``).
"""
