"""The data migrations that give files stored before random names a random name.

Each migration's function is run directly on rows and files laid out as older versions of
Tandem stored them: content-addressed images (two items sharing one file), an import under the
uploader's own name, a model artefact named by version, a moderated image whose blurred
thumbnail was shared by hash, and a row whose file is missing.
"""

import hashlib
import importlib
import io
import itertools
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from labeling.choices import DataType, ImportFormat
from labeling.models import ImportJob, Item
from models_app.models import ModelVersion
from moderation.models import Content, Platform, Policy
from tests.factories import ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db

labeling_0006 = importlib.import_module(
    "labeling.migrations.0006_item_media_restricted_random_file_names"
)
models_app_0002 = importlib.import_module("models_app.migrations.0002_artifact_random_names")
moderation_0004 = importlib.import_module(
    "moderation.migrations.0004_blurred_random_names_restricted_items"
)


def image(fmt: str, colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), colour).save(out, format=fmt)
    return out.getvalue()


_ids = itertools.count()


def next_id() -> str:
    return f"old-item-{next(_ids)}"


def put(name: str, data: bytes) -> str:
    (Path(settings.MEDIA_ROOT) / name).parent.mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / name).write_bytes(data)
    return name


def read(name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / name).read_bytes()


def on_disk() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def run_migrations(capture) -> None:
    with capture(execute=True):
        labeling_0006.files_to_random_names(apps, None)
        models_app_0002.artifacts_to_random_names(apps, None)
        moderation_0004.blurred_and_restricted(apps, None)


def random(folder: str, extension: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(folder)}/[0-9a-f]{{32}}\.{extension}$")


def test_the_migrations_do_nothing_on_an_empty_database(django_capture_on_commit_callbacks):
    run_migrations(django_capture_on_commit_callbacks)

    assert on_disk() == set()


def test_existing_files_move_to_random_names_and_rows_follow(django_capture_on_commit_callbacks):
    project = ProjectFactory(data_type=DataType.IMAGE)
    p = project.pk
    photo = image("PNG", (10, 120, 200))
    sha = hashlib.sha256(photo).hexdigest()
    old_image = put(f"items/{p}/{sha[:2]}/{sha}.png", photo)
    thumb = image("JPEG", (10, 120, 200))
    old_thumb = put(f"thumbnails/{p}/{sha[:2]}/{sha}.jpg", thumb)
    twins = [
        ItemFactory(
            project=project, text="", external_id=next_id(), image=old_image, thumbnail=old_thumb
        )
        for _ in range(2)
    ]
    missing = ItemFactory(
        project=project, text="", external_id=next_id(), image=f"items/{p}/00/{'0' * 64}.png"
    )
    # An SVG that an old version stored as .png: Pillow cannot read it, so it becomes .bin.
    disguised = ItemFactory(
        project=project, text="", image=put(f"items/{p}/ee/{'e' * 64}.png", b"<svg/>")
    )
    upload = b"text\nhello\n"
    old_upload = put(f"imports/{p}/My Customer Data.csv", upload)
    job = ImportJob.objects.create(
        project=project, file=old_upload, original_name="My Customer Data.csv",
        format=ImportFormat.CSV,
    )  # fmt: skip
    owner_folder = f"labeling.project-{p}"
    old_artifact = put(f"models/{owner_folder}/v1-classifier.npz", b"npz-bytes")
    version = ModelVersion.objects.create(
        owner=project.owner_key, version=1, algorithm="logreg", embedder="pixels@v1",
        snapshot_id="s", snapshot_hash="h", artifact=old_artifact,
    )  # fmt: skip

    # A moderated image: its item still has the unblurred thumbnail, its blurred one was
    # stored once per hash.
    posted = image("PNG", (200, 20, 60))
    posted_sha = hashlib.sha256(posted).hexdigest()
    posted_thumb = image("JPEG", (200, 20, 60))
    blurred = image("JPEG", (128, 128, 128))
    moderated = ItemFactory(
        project=project,
        text="",
        external_id=next_id(),
        image=put(f"items/{p}/{posted_sha[:2]}/{posted_sha}.png", posted),
        thumbnail=put(f"thumbnails/{p}/{posted_sha[:2]}/{posted_sha}.jpg", posted_thumb),
    )
    old_blurred = put(f"blurred/{posted_sha[:2]}/{posted_sha}.jpg", blurred)
    content = Content.objects.create(
        platform=Platform.objects.create(name="Old platform"),
        policy=Policy.objects.create(name="Old policy", project=project),
        external_id="c-1",
        item=moderated,
        blurred_thumbnail=old_blurred,
    )

    run_migrations(django_capture_on_commit_callbacks)

    for item in twins:
        item.refresh_from_db()
    # The shared file is shared still, under one random name in the project's folder.
    assert twins[0].image.name == twins[1].image.name
    assert random(f"items/{p}", "png").match(twins[0].image.name)
    assert random(f"thumbnails/{p}", "jpg").match(twins[0].thumbnail.name)
    assert read(twins[0].image.name) == photo
    assert read(twins[0].thumbnail.name) == thumb
    assert sha not in twins[0].image.name
    missing_name = missing.image.name
    missing.refresh_from_db()
    assert missing.image.name == missing_name
    disguised.refresh_from_db()
    assert random(f"items/{p}", "bin").match(disguised.image.name)

    job.refresh_from_db()
    assert random(f"imports/{p}", "csv").match(job.file.name)
    assert read(job.file.name) == upload
    assert job.original_name == "My Customer Data.csv"

    version.refresh_from_db()
    assert random(f"models/{owner_folder}", "npz").match(version.artifact.name)
    assert read(version.artifact.name) == b"npz-bytes"

    content.refresh_from_db()
    moderated.refresh_from_db()
    assert random(f"thumbnails/{p}", "jpg").match(content.blurred_thumbnail.name)
    assert read(content.blurred_thumbnail.name) == blurred
    assert moderated.media_restricted
    assert random(f"items/{p}", "png").match(moderated.image.name)
    assert read(moderated.image.name) == posted
    # The item's thumbnail is now its own copy of the blurred one; the unblurred one is gone.
    assert moderated.thumbnail.name != content.blurred_thumbnail.name
    assert read(moderated.thumbnail.name) == blurred
    assert posted_thumb not in {read(name) for name in on_disk()}

    old_names = {old_image, old_thumb, old_upload, old_artifact, old_blurred}
    assert not (old_names & on_disk())
    assert all(re.search(r"/[0-9a-f]{32}\.[a-z]+$", name) for name in on_disk()), on_disk()
    assert not [name for name in on_disk() if name.startswith("blurred/")]


def test_a_moderated_item_whose_blurred_thumbnail_is_missing_keeps_no_thumbnail(
    django_capture_on_commit_callbacks,
):
    project = ProjectFactory(data_type=DataType.IMAGE)
    p = project.pk
    moderated = ItemFactory(
        project=project,
        text="",
        external_id=next_id(),
        image=put(f"items/{p}/ab/{'a' * 64}.png", image("PNG", (1, 2, 3))),
        thumbnail=put(f"thumbnails/{p}/ab/{'a' * 64}.jpg", image("JPEG", (1, 2, 3))),
    )
    content = Content.objects.create(
        platform=Platform.objects.create(name="Old platform"),
        policy=Policy.objects.create(name="Old policy", project=project),
        external_id="c-1",
        item=moderated,
        blurred_thumbnail=f"blurred/ab/{'a' * 64}.jpg",  # not on disk
    )

    run_migrations(django_capture_on_commit_callbacks)

    moderated.refresh_from_db()
    content.refresh_from_db()
    assert moderated.media_restricted
    assert not moderated.thumbnail  # better no thumbnail than an unblurred one
    assert content.blurred_thumbnail.name == f"blurred/ab/{'a' * 64}.jpg"
    assert [name for name in on_disk() if name.startswith("thumbnails/")] == []


def test_a_failed_migration_leaves_every_row_on_a_file_that_exists(
    django_capture_on_commit_callbacks,
):
    project = ProjectFactory(data_type=DataType.IMAGE)
    old = put(f"items/{project.pk}/ab/{'b' * 64}.png", image("PNG", (9, 9, 9)))
    ItemFactory(project=project, text="", external_id=next_id(), image=old)

    def migrate_then_fail() -> None:
        with transaction.atomic():
            labeling_0006.files_to_random_names(apps, None)
            raise RuntimeError("the migration's transaction rolls back")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        migrate_then_fail()

    # The row change rolled back, and the old file was not deleted (that waits for a commit).
    assert callbacks == []
    assert Item.objects.get().image.name == old
    assert default_storage.exists(old)


def test_an_import_of_a_zip_keeps_its_zip_extension(django_capture_on_commit_callbacks):
    project = ProjectFactory(data_type=DataType.IMAGE)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.png", image("PNG", (5, 5, 5)))
    job = ImportJob(project=project, original_name="cats.zip", format=ImportFormat.IMAGES)
    job.file.save(f"{project.pk}/cats.zip", ContentFile(archive.getvalue()), save=True)

    run_migrations(django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert random(f"imports/{project.pk}", "zip").match(job.file.name)
