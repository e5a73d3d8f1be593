"""Zip imports are held to an entry count and a total of uncompressed bytes: checked from the
central directory at upload (413 naming the limit, nothing stored, no job) and again, in bytes
actually decompressed, while the import reads; a zip whose headers lie stops its import."""

import zipfile
from pathlib import Path

import pytest

from labeling.choices import DataType, ImportStatus, Role, TaskType
from labeling.models import ImportJob, Item
from tests.factories import ProjectFactory
from tests.labeling.api.test_imports import Importer, image_bytes, upload_file
from tests.labeling.zip_crafting import entry_of, write_zip, zeros_entry

pytestmark = pytest.mark.django_db
GIB = 1024**3
MIB = 1024**2


def stored_uploads(settings) -> list[Path]:
    """Every file under MEDIA_ROOT (each test has its own): an upload refused stores none."""
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def image_importer(api, make_member, django_capture_on_commit_callbacks):
    project = ProjectFactory(
        data_type=DataType.IMAGE, task_type=TaskType.MULTICLASS, label_classes=["cat", "dog"]
    )
    user = make_member(Role.ML_ENGINEER, proj=project)
    return Importer(api.as_user(user), project, django_capture_on_commit_callbacks)


@pytest.fixture
def tiny_png() -> bytes:
    return image_bytes(size=(2, 2))


def many_entries_zip(path: Path, count: int, png: bytes) -> bytes:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"img-{n:05d}.png", png)
    return path.read_bytes()


def test_a_zip_with_more_entries_than_the_cap_is_refused_at_upload(
    image_importer, settings, tmp_path, tiny_png
):
    settings.TANDEM_ZIP_MAX_ENTRIES = 5_000
    data = many_entries_zip(tmp_path / "many.zip", 10_000, tiny_png)

    response = image_importer.post(upload_file("many.zip", data))

    assert response.status_code == 413, response.json()
    body = response.json()
    assert body["extra"]["limit_entries"] == 5_000
    assert body["extra"]["entries"] == 10_000
    assert "10,000 entries; the limit is 5,000" in body["message"]
    assert not ImportJob.objects.exists()
    assert stored_uploads(settings) == []


def test_a_zip_with_exactly_the_cap_of_entries_is_accepted(
    image_importer, settings, tmp_path, tiny_png, django_capture_on_commit_callbacks
):
    settings.TANDEM_ZIP_MAX_ENTRIES = 10_000
    data = many_entries_zip(tmp_path / "many.zip", 10_000, tiny_png)

    # Only the upload: the 10,000 imports themselves are not what this test is about.
    with django_capture_on_commit_callbacks(execute=False):
        response = image_importer.client.post(
            image_importer.url, {"file": upload_file("many.zip", data)}, format="multipart"
        )

    assert response.status_code == 202, response.json()


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """Three GiB of zeros in two entries, about 3 MB on disk."""
    path = tmp_path_factory.mktemp("bomb") / "holiday-photos.zip"
    half = zeros_entry("photos/beach.bmp", 3 * GIB // 2)
    return write_zip(path, [half, zeros_entry("photos/sunset.bmp", 3 * GIB // 2)])


def test_a_zip_bomb_is_refused_at_upload_from_its_central_directory(
    image_importer, settings, zip_bomb
):
    assert zip_bomb.stat().st_size < 5 * MIB
    limit = settings.TANDEM_ZIP_MAX_TOTAL_BYTES

    response = image_importer.post(upload_file(zip_bomb.name, zip_bomb.read_bytes()))

    assert response.status_code == 413, response.json()
    body = response.json()
    assert body["extra"]["limit_bytes"] == limit
    assert body["extra"]["uncompressed_bytes"] == 3 * GIB
    assert f"the limit is {limit:,} bytes" in body["message"]
    assert not ImportJob.objects.exists()
    assert stored_uploads(settings) == []


def test_uncompressed_bytes_are_counted_while_reading_and_stop_the_import(
    image_importer, settings, tmp_path
):
    """Headers that pass the upload check do not decide: the reader counts what it inflates
    (here the limit is lowered after the upload, as an archive could be swapped or lie)."""
    entries = [zeros_entry(f"scan-{n}.bmp", 16 * MIB) for n in range(8)]
    archive = write_zip(tmp_path / "scans.zip", entries)
    with image_importer._capture(execute=False):
        response = image_importer.client.post(
            image_importer.url,
            {"file": upload_file("scans.zip", archive.read_bytes())},
            format="multipart",
        )
    assert response.status_code == 202, response.json()
    settings.TANDEM_ZIP_MAX_TOTAL_BYTES = 40 * MIB

    from labeling.services.imports.run import import_job_run

    job = import_job_run(job_id=response.json()["id"])

    assert job.status == ImportStatus.FAILED
    assert f"the limit is {40 * MIB:,} bytes" in job.error_message


@pytest.mark.parametrize(
    ("actual", "declared", "says"),
    [(30_000, 100, "holds more than 20,000"), (10_000, 15_000, "holds 10,000")],
    ids=["claims-smaller", "claims-larger"],
)
def test_a_zip_whose_headers_lie_about_sizes_stops_the_import_with_a_clear_error(
    image_importer, settings, tmp_path, actual, declared, says
):
    settings.TANDEM_IMAGE_MAX_BYTES = 20_000
    honest = entry_of("a/first.png", image_bytes())
    liar = entry_of("a/second.png", bytes(actual), declared_size=declared)
    archive = write_zip(tmp_path / "lying.zip", [honest, liar])

    job = image_importer.run(upload_file("lying.zip", archive.read_bytes()))

    assert job["status"] == ImportStatus.FAILED
    assert f"a/second.png: the zip's header says {declared:,} bytes" in job["error_message"]
    assert says in job["error_message"]
    assert "headers lie" in job["error_message"]
    assert not Item.objects.filter(project=image_importer.project).exists()
