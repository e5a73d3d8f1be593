"""Import batches are written when they hold TANDEM_IMPORT_BATCH_MAX_BYTES of images and text,
before TANDEM_IMPORT_BATCH_SIZE rows: memory stays bounded for a zip of large images.

Every row of one batch is inserted with the same ``created_at``, so the batches an import
wrote can be read back from the items."""

import io
import json
import os
import zipfile
from collections import defaultdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from labeling.choices import DataType, ImportStatus
from labeling.models import Item
from labeling.services.imports.jobs import import_job_create
from labeling.services.imports.run import import_job_run
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def noisy_png(seed: int, side: int = 48) -> bytes:
    """A PNG that does not compress away (random pixels): about side * side * 3 bytes."""
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def batches(project) -> list[list[Item]]:
    groups: dict = defaultdict(list)
    for item in Item.objects.filter(project=project).order_by("id"):
        groups[item.created_at].append(item)
    return list(groups.values())


def run_import(project, name: str, data: bytes):
    job = import_job_create(
        project=project,
        created_by=UserFactory(),
        uploads=[SimpleUploadedFile(name, data)],
        enqueue=False,
    )
    return import_job_run(job_id=job.pk)


def test_a_batch_of_images_is_written_at_the_byte_limit_before_the_row_count(settings):
    settings.TANDEM_IMPORT_BATCH_SIZE = 1000
    settings.TANDEM_IMPORT_BATCH_MAX_BYTES = 20_000
    images = {f"img-{n:02d}.png": noisy_png(n) for n in range(12)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in images.items():
            archive.writestr(name, data)
    project = ProjectFactory(data_type=DataType.IMAGE)

    job = run_import(project, "photos.zip", buffer.getvalue())

    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert job.items_created == 12
    written = batches(project)
    assert len(written) > 1, "every row went in one batch although the bytes passed the limit"
    largest = max(len(data) for data in images.values())
    for batch in written:
        held = sum(len(images[item.external_id]) for item in batch)
        # A batch is written once it reaches the limit: it never holds more than the limit
        # plus the one row that crossed it.
        assert held < settings.TANDEM_IMPORT_BATCH_MAX_BYTES + largest
    for batch in written[:-1]:
        assert sum(len(images[item.external_id]) for item in batch) >= 20_000 - largest


def test_a_batch_of_texts_is_written_at_the_byte_limit_before_the_row_count(settings):
    settings.TANDEM_IMPORT_BATCH_SIZE = 1000
    settings.TANDEM_IMPORT_BATCH_MAX_BYTES = 5_000
    # Ten rows of 2,000 characters: three rows pass 5,000 bytes, so batches of 3, 3, 3, 1.
    rows = [{"id": f"r{n}", "text": chr(ord("a") + n) * 2_000} for n in range(10)]
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    project = ProjectFactory()

    job = run_import(project, "long.jsonl", data)

    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert [len(batch) for batch in batches(project)] == [3, 3, 3, 1]


def test_the_row_count_still_bounds_a_batch_of_small_rows(settings):
    settings.TANDEM_IMPORT_BATCH_SIZE = 4
    settings.TANDEM_IMPORT_BATCH_MAX_BYTES = 10_000_000
    data = "".join(f"short message {n}\n" for n in range(10)).encode()
    project = ProjectFactory()

    run_import(project, "short.txt", data)

    assert [len(batch) for batch in batches(project)] == [4, 4, 2]


def _planned_rows(table: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


def test_a_large_import_refreshes_statistics_of_a_table_it_at_least_doubled():
    """The planner knows the rows of a first big import at once (not an empty table); a table
    that grew by less than that is left to autovacuum (its own threshold is a tenth)."""
    from django.db import connection

    from labeling.services.imports.run import _refresh_statistics

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    project = ProjectFactory()
    Item.objects.bulk_create(
        Item(project=project, text=f"row {n}", external_id=f"row-{n}") for n in range(40)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE labeling_item")
    before = _planned_rows("labeling_item")
    assert before >= 40
    Item.objects.bulk_create(
        Item(project=project, text=f"more {n}", external_id=f"more-{n}") for n in range(20)
    )
    _refresh_statistics(items=20, annotations=0)
    assert _planned_rows("labeling_item") == before  # grew by half: autovacuum's to do
    doubling = int(before) + 60
    Item.objects.bulk_create(
        Item(project=project, text=f"most {n}", external_id=f"most-{n}") for n in range(doubling)
    )
    _refresh_statistics(items=doubling, annotations=0)
    assert _planned_rows("labeling_item") == Item.objects.count()
