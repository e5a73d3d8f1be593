"""Every stored file is private, and attacked as such.

One project holds every kind of file Tandem stores: an imported image (and its thumbnail), the
import's upload, a model artefact, and a moderated image (its blurred thumbnail, its full image,
and the labeling item that holds it). Then:

- anonymous callers, a member of another project, a member without the role and the platform
  that sent the content (its API key) try each file: a JSON 401/403/404 and no byte of the file;
- the old public ``/media/<name>`` of every file answers 404;
- the moderated image cannot be had without a recorded reveal, by any route;
- ``.html`` / ``.svg`` uploads are never served inline, nor as HTML or SVG, and are stored under
  random names;
- deleting the project removes its files from disk, once the deletion commits.
"""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import DataType, ImportStatus, Role
from labeling.models import ImportJob, Item
from labeling.services.imports.jobs import import_job_create
from labeling.services.imports.run import import_job_run
from models_app.services.registry import model_version_register
from moderation.choices import AutomationLevel
from moderation.models import Content
from moderation.services.intake import IntakeInput, intake_submit
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.factories.intake import auth, b64, platform_with_key
from tests.factories.moderation import IntakePolicyFactory

pytestmark = pytest.mark.django_db

ALL = set(Role)
DATA = {Role.ADMIN, Role.ML_ENGINEER}
MODERATE = {Role.ADMIN, Role.MODERATOR, Role.SENIOR_MODERATOR}
# <folder>/<project id or model owner>/<random>.<extension>
RANDOM_NAME = re.compile(r"^[a-z]+/[a-z0-9.-]+/[0-9a-f]{32}\.[a-z0-9]+$")


def png(colour: tuple[int, int, int], size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored_bytes(name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / name).read_bytes()


def files_on_disk() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@dataclass(frozen=True)
class Kind:
    name: str
    url: str
    stored: str  # the name in storage
    allowed: frozenset[str]


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    project = ProjectFactory(name="Secret photos", data_type=DataType.IMAGE)
    owner = UserFactory()
    MembershipFactory(project=project, user=owner, role=Role.ADMIN)
    job = import_job_create(
        project=project,
        created_by=owner,
        uploads=[SimpleUploadedFile("beach.png", png((10, 120, 200)))],
        enqueue=False,
    )
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    imported = Item.objects.get(project=project)
    version = model_version_register(
        owner=project.owner_key,
        algorithm="logreg",
        embedder="pixels@v1",
        snapshot_id="s",
        snapshot_hash="h",
        label_count=3,
        hyperparameters={},
        metrics={},
        artifact=b"ARTEFACT-ONLY-FOR-DATA-ROLES" * 4,
    )
    platform, key = platform_with_key()
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.HUMAN_ONLY, granted_to=platform
    )
    moderated_png = png((200, 20, 60), size=(64, 48))
    result = intake_submit(
        platform=platform,
        entries=[
            IntakeInput(
                index=0,
                policy=policy.pk,
                external_id="post-1",
                author_id="a",
                image=b64(moderated_png),
            )
        ],
    )
    assert not result.errors
    content = Content.objects.select_related("item").get()
    restricted = content.item
    p = project.pk
    kinds = [
        Kind("item image", f"/api/v1/projects/{p}/items/{imported.pk}/image/", imported.image.name,
             frozenset(ALL)),
        Kind("item thumbnail", f"/api/v1/projects/{p}/items/{imported.pk}/thumbnail/",
             imported.thumbnail.name, frozenset(ALL)),
        Kind("import upload", f"/api/v1/projects/{p}/imports/{job.pk}/file/", job.file.name,
             frozenset(DATA)),
        Kind("model artefact", f"/api/v1/projects/{p}/model-versions/{version.pk}/artifact/",
             version.artifact.name, frozenset(DATA)),
        Kind("blurred thumbnail", f"/api/v1/moderation/contents/{content.pk}/blurred/",
             content.blurred_thumbnail.name, frozenset(MODERATE)),
        Kind("full moderation image", f"/api/v1/moderation/contents/{content.pk}/image/",
             restricted.image.name, frozenset(MODERATE)),
        Kind("moderated item image", f"/api/v1/projects/{p}/items/{restricted.pk}/image/",
             restricted.image.name, frozenset(ALL)),
        Kind("moderated item thumbnail", f"/api/v1/projects/{p}/items/{restricted.pk}/thumbnail/",
             restricted.thumbnail.name, frozenset(ALL)),
    ]  # fmt: skip
    return SimpleNamespace(
        project=project,
        owner=owner,
        job=job,
        imported=imported,
        version=version,
        content=content,
        restricted=restricted,
        moderated_png=moderated_png,
        platform_key=key,
        kinds={kind.name: kind for kind in kinds},
    )


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def member(world, role: str) -> APIClient:
    user = UserFactory()
    MembershipFactory(project=world.project, user=user, role=role)
    return client_for(user)


KIND_NAMES = [
    "item image",
    "item thumbnail",
    "import upload",
    "model artefact",
    "blurred thumbnail",
    "full moderation image",
    "moderated item image",
    "moderated item thumbnail",
]


def assert_refused(response, kind: Kind, statuses: set[int]) -> None:
    assert response.status_code in statuses, (kind.name, response.status_code)
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"message", "extra"}
    data = stored_bytes(kind.stored)
    assert data not in body(response)


# --- who may not fetch what --------------------------------------------------------------------


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_anonymous_callers_get_no_file(world, kind_name):
    kind = world.kinds[kind_name]

    assert_refused(APIClient().get(kind.url), kind, {401, 403})


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_a_member_of_another_project_gets_404_and_no_file(world, kind_name):
    kind = world.kinds[kind_name]
    outsider = UserFactory()
    MembershipFactory(project=ProjectFactory(), user=outsider, role=Role.ADMIN)

    response = client_for(outsider).get(kind.url)

    assert_refused(response, kind, {404})
    assert response.json() == {"message": "Not found.", "extra": {}}


ROLE_CASES = [
    (name, role)
    for name, allowed in [
        ("import upload", DATA),
        ("model artefact", DATA),
        ("blurred thumbnail", MODERATE),
        ("full moderation image", MODERATE),
    ]
    for role in sorted(set(Role) - allowed)
]


@pytest.mark.parametrize(("kind_name", "role"), ROLE_CASES)
def test_a_member_without_the_role_gets_403_and_no_file(world, kind_name, role):
    kind = world.kinds[kind_name]
    audits = AuditEvent.objects.count()

    assert_refused(member(world, role).get(kind.url), kind, {403})
    assert AuditEvent.objects.count() == audits  # a refused reveal is no reveal


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_the_platform_that_sent_the_content_gets_no_file_with_its_api_key(world, kind_name):
    kind = world.kinds[kind_name]

    response = APIClient().get(kind.url, **auth(world.platform_key))

    assert_refused(response, kind, {401, 403})


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_the_old_public_media_path_of_every_file_answers_404(world, kind_name):
    kind = world.kinds[kind_name]
    owner = client_for(world.owner)

    for client in (APIClient(), owner):
        response = client.get(f"/media/{kind.stored}")
        assert response.status_code == 404
        assert stored_bytes(kind.stored) not in response.content
    assert RANDOM_NAME.match(kind.stored), kind.stored


@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_the_roles_allowed_get_the_file_with_a_type_the_server_chose(world, kind_name):
    kind = world.kinds[kind_name]
    role = sorted(kind.allowed)[0]

    response = member(world, role).get(kind.url)

    assert response.status_code == 200
    assert body(response) == stored_bytes(kind.stored)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    if kind_name in {"import upload", "model artefact"}:
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
    else:
        assert response["Content-Type"] in {"image/png", "image/jpeg"}


def test_a_platform_key_cannot_reach_the_files_through_the_platform_routes_either(world):
    client = APIClient()
    status = client.get(
        "/api/v1/platform/contents/post-1/", **auth(world.platform_key)
    )  # the content's status: its answer, never a file or a storage name

    assert status.status_code == 200
    text = status.content.decode()
    assert world.content.blurred_thumbnail.name not in text
    assert world.restricted.image.name not in text
    assert "/media/" not in text


# --- the reveal cannot be bypassed -------------------------------------------------------------


def reveals() -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(action__in=["content.reveal", "item.reveal"])
        .order_by("id")
        .values_list("action", "actor_name", "object_id")
    )


def test_a_moderator_gets_the_moderated_image_only_with_a_recorded_reveal(world):
    user = UserFactory(username="mod")
    MembershipFactory(project=world.project, user=user, role=Role.MODERATOR)
    client = client_for(user)
    content, item = world.content, world.restricted
    p = world.project.pk
    original = world.moderated_png

    # What the moderator is shown without revealing: blurred, from every route.
    listed = client.get(f"/api/v1/projects/{p}/items/", {"page_size": 50}).json()["results"]
    [row] = [r for r in listed if r["id"] == item.pk]
    assert row["media_restricted"] is True
    thumbnail = body(client.get(row["thumbnail"]))
    blurred = body(client.get(f"/api/v1/moderation/contents/{content.pk}/blurred/"))
    assert thumbnail == blurred == stored_bytes(content.blurred_thumbnail.name)
    assert original not in thumbnail
    assert client.get(f"/media/{item.image.name}").status_code == 404
    assert reveals() == []

    # Every route to the full image records who saw it before a byte is sent, every time.
    through_labeling = client.get(row["image"])
    through_moderation = client.get(f"/api/v1/moderation/contents/{content.pk}/image/")
    again = client.get(row["image"])

    for response in (through_labeling, through_moderation, again):
        assert response.status_code == 200
        assert body(response) == original
        assert "no-store" in response["Cache-Control"]
    assert reveals() == [
        ("item.reveal", "mod", str(item.pk)),
        ("content.reveal", "mod", str(content.pk)),
        ("item.reveal", "mod", str(item.pk)),
    ]


def test_when_the_reveal_cannot_be_recorded_the_image_is_not_sent(world, monkeypatch):
    user = UserFactory()
    MembershipFactory(project=world.project, user=user, role=Role.MODERATOR)
    client = client_for(user)
    client.raise_request_exception = False

    def audit_log_down(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("labeling.services.files.audit_record", audit_log_down)
    monkeypatch.setattr("moderation.services.review.audit_record", audit_log_down)
    # The content reveal is recorded (and counted as exposure) by the wellness service.
    monkeypatch.setattr("moderation.services.wellness.audit_record", audit_log_down)

    responses = [
        client.get(f"/api/v1/projects/{world.project.pk}/items/{world.restricted.pk}/image/"),
        client.get(f"/api/v1/moderation/contents/{world.content.pk}/image/"),
    ]

    for response in responses:
        assert response.status_code == 500
        assert world.moderated_png not in body(response)
    assert reveals() == []


def test_an_export_names_the_image_endpoint_not_a_storage_path(world):
    response = client_for(world.owner).get(
        f"/api/v1/projects/{world.project.pk}/export/", {"format": "jsonl"}
    )
    exported = b"".join(response.streaming_content).decode()

    p = world.project.pk
    assert f'"image":"/api/v1/projects/{p}/items/{world.restricted.pk}/image/"' in exported
    assert f'"image":"/api/v1/projects/{p}/items/{world.imported.pk}/image/"' in exported
    assert world.restricted.image.name not in exported
    assert "/media/" not in exported


# --- hostile uploads ---------------------------------------------------------------------------

SCRIPT_HTML = b"<!doctype html><script>fetch('/api/v1/auth/token/',{method:'POST'})</script>"
SCRIPT_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
    b"<script>alert(1)</script></svg>"
)


def importer(project, role=Role.ML_ENGINEER) -> APIClient:
    user = UserFactory()
    MembershipFactory(project=project, user=user, role=role)
    return client_for(user)


def assert_never_inline_markup(response) -> None:
    content_type = response["Content-Type"]
    assert "html" not in content_type
    assert "svg" not in content_type
    assert "xml" not in content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")


def test_an_html_upload_with_an_explicit_format_is_stored_randomly_and_only_downloaded(
    django_capture_on_commit_callbacks,
):
    project = ProjectFactory()
    client = importer(project)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/projects/{project.pk}/imports/",
            {"file": SimpleUploadedFile("evil.html", SCRIPT_HTML), "format": "text"},
            format="multipart",
        )

    assert response.status_code == 202
    job = ImportJob.objects.get()
    name = job.file.name
    assert RANDOM_NAME.match(name), name
    assert name.endswith(".txt")
    assert "evil" not in name
    assert hashlib.sha256(SCRIPT_HTML).hexdigest() not in name
    assert hashlib.sha256(SCRIPT_HTML).hexdigest()[:16] not in name
    served = client.get(response.json()["file_url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert_never_inline_markup(served)
    assert "filename*=UTF-8''evil.html" in served["Content-Disposition"]
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/imports/{project.pk}/evil.html").status_code == 404


def test_an_svg_upload_into_an_image_project_never_becomes_an_image(
    django_capture_on_commit_callbacks,
):
    project = ProjectFactory(data_type=DataType.IMAGE)
    client = importer(project)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("cat.png", SCRIPT_SVG)  # an SVG wearing a .png name

    with django_capture_on_commit_callbacks(execute=True):
        explicit = client.post(
            f"/api/v1/projects/{project.pk}/imports/",
            {"file": SimpleUploadedFile("evil.svg", SCRIPT_SVG), "format": "images"},
            format="multipart",
        )
        zipped = client.post(
            f"/api/v1/projects/{project.pk}/imports/",
            {"file": SimpleUploadedFile("cats.zip", archive.getvalue())},
            format="multipart",
        )

    assert (explicit.status_code, zipped.status_code) == (202, 202)
    jobs = list(ImportJob.objects.order_by("id"))
    # Pillow cannot read either as an image: each is one row reported as an error.
    assert [(j.status, j.items_created, j.error_count) for j in jobs] == [
        (ImportStatus.SUCCEEDED, 0, 1),
        (ImportStatus.SUCCEEDED, 0, 1),
    ]
    assert not Item.objects.filter(project=project).exists()  # nothing to serve as an image
    stored_names = [j.file.name for j in jobs]
    assert stored_names[0].endswith(".bin")
    assert stored_names[1].endswith(".zip")
    for job_name in stored_names:
        assert RANDOM_NAME.match(job_name)
        assert "evil" not in job_name
        assert "cats" not in job_name
        assert hashlib.sha256(SCRIPT_SVG).hexdigest()[:16] not in job_name
    for response in (explicit, zipped):
        served = client.get(response.json()["file_url"])
        assert served.status_code == 200
        assert_never_inline_markup(served)
    assert not any(name.endswith((".svg", ".html")) for name in files_on_disk())


# --- deleting a project ------------------------------------------------------------------------


def test_deleting_a_project_removes_its_files_from_disk_after_commit(
    world, django_capture_on_commit_callbacks
):
    # Moderation content keeps its project; take it away so the project can go.
    Content.objects.all().delete()
    world.project.policies.all().delete()
    other = ProjectFactory(data_type=DataType.IMAGE)
    other_owner = UserFactory()
    MembershipFactory(project=other, user=other_owner, role=Role.ADMIN)
    other_job = import_job_create(
        project=other,
        created_by=other_owner,
        uploads=[SimpleUploadedFile("kept.png", png((1, 2, 3)))],
        enqueue=False,
    )
    import_job_run(job_id=other_job.pk)
    others = {
        name
        for name in files_on_disk()
        if f"/{other.pk}/" in name and not name.startswith("models/")
    }
    assert len(others) == 3  # upload, image, thumbnail
    mine = files_on_disk() - others
    assert {name.split("/")[0] for name in mine} == {"items", "thumbnails", "imports", "models"}
    # (The blurred thumbnail of the moderation content removed above is among the thumbnails.)
    mine_to_go = mine

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(world.owner).delete(f"/api/v1/projects/{world.project.pk}/")
        assert response.status_code == 204
    assert mine_to_go <= files_on_disk()  # nothing is deleted before the commit

    for callback in callbacks:
        callback()

    assert not (mine_to_go & files_on_disk())
    assert others <= files_on_disk()
    root = Path(settings.MEDIA_ROOT)
    for folder in ("items", "thumbnails", "imports"):
        assert not (root / folder / str(world.project.pk)).exists()
    assert not (root / "models" / f"labeling.project-{world.project.pk}").exists()
