"""Imports: files of texts or images streamed into a project's items, with a per-row report.

- ``jobs``: create an import job from an upload (checked, stored, queued) and retry one.
- ``run``: run a job (the Celery task calls it): read the file, write batches, finish.
- ``batches``: one pass's state: rows accepted into batches by rows and bytes, each batch
  written in one transaction, progress counted under a lock (writer threads on PostgreSQL).
- ``item_rows``: the item columns and the stable train/dev/test split, shared with the items
  made for other apps' content.
- ``readers/``: one pure reader per format (CSV, JSON Lines, plain text, images and zips).
"""
