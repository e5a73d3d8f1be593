"""The hash bank: exact and near-duplicate image matches act before any model; imports by
admins (JSON or image files) are audited."""

import hashlib
import io
import random
import re

import pytest
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import AutomationLevel, ReportSource
from moderation.models import Content, HashEntry
from moderation.services import hashbank
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.factories.intake import auth, b64, platform_with_key, png_bytes
from tests.factories.moderation import IntakePolicyFactory

pytestmark = pytest.mark.django_db


def poster(seed: int) -> Image.Image:
    """A 320x240 picture of shapes and stripes, different for each seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(300), rng.randrange(220)
        box = [x, y, x + rng.randrange(20, 140), y + rng.randrange(20, 120)]
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return image


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


@pytest.fixture
def setup(db):
    project = ProjectFactory()
    admin = UserFactory()
    MembershipFactory(project=project, user=admin, role=Role.ADMIN)
    platform, key = platform_with_key()
    return project, admin, key, platform


def import_images(admin, policy, files: dict[str, bytes], category="spam"):
    client = APIClient()
    client.force_login(admin)
    uploads = [io.BytesIO(data) for data in files.values()]
    for upload, name in zip(uploads, files, strict=True):
        upload.name = name
    return client.post(
        f"/api/v1/moderation/policies/{policy.pk}/hashes/",
        {"files": uploads, "category": category},
        format="multipart",
    )


def submit_image(key, policy, external_id, data):
    return APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": external_id, "author_id": "a", "image": b64(data)},
        format="json",
        **auth(key),
    )


def test_exact_and_near_duplicate_images_match_and_a_different_one_does_not(setup):
    project, admin, key, platform = setup
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.PARTIAL, granted_to=platform
    )
    original = poster(1)
    known = png_bytes(original)
    response = import_images(admin, policy, {"known.png": known})
    assert response.status_code == 201, response.content
    assert response.json() == {"submitted": 2, "added": 2, "existing": 0}

    exact = submit_image(key, policy, "exact", known).json()
    resized = submit_image(key, policy, "resized", png_bytes(original.resize((200, 150)))).json()
    recoded = submit_image(key, policy, "recoded", jpeg(original, quality=35)).json()
    different = submit_image(key, policy, "different", png_bytes(poster(2))).json()

    for answer in (exact, resized, recoded):
        assert answer["hash_match"] is True, answer
        # Acted on before any model: the project has none, yet the content is removed.
        assert answer["state"] == "removed"
        assert answer["category"] == "spam"
    assert different["hash_match"] is False
    assert different["state"] == "pending"
    exact_content = Content.objects.get(external_id="exact")
    assert exact_content.scores["hash"]["kind"] == "sha256"
    assert Content.objects.get(external_id="recoded").scores["hash"]["kind"] == "phash"
    assert exact_content.reports.get().source == ReportSource.HASH
    # Stored with the project's thumbnails under a random name (never the image's hash).
    blurred_name = exact_content.blurred_thumbnail.name
    assert re.fullmatch(rf"thumbnails/{project.pk}/[0-9a-f]{{32}}\.jpg", blurred_name)
    assert hashlib.sha256(known).hexdigest() not in blurred_name


def test_in_shadow_mode_a_match_goes_to_review_flagged(setup):
    project, admin, key, platform = setup
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.SHADOW, granted_to=platform
    )
    known = png_bytes(poster(3))
    import_images(admin, policy, {"known.png": known})

    answer = submit_image(key, policy, "flagged", known).json()

    content = Content.objects.get(pk=answer["content_id"])
    assert answer["state"] == "pending"
    assert answer["hash_match"] is True
    assert content.report_count == 1
    assert not content.decisions.exists()


def test_text_matches_its_sha256(setup):
    project, admin, key, platform = setup
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.FULL, granted_to=platform
    )
    text = "Buy followers cheap at followers dot example"
    client = APIClient()
    client.force_login(admin)
    imported = client.post(
        f"/api/v1/moderation/policies/{policy.pk}/hashes/",
        {"entries": [{"kind": "sha256", "value": hashbank.sha256_hex(text.encode()),
                      "category": "spam"}]},
        format="json",
    )  # fmt: skip

    answer = (
        APIClient()
        .post(
            "/api/v1/platform/intake/",
            {"policy": policy.pk, "external_id": "t", "author_id": "a", "text": text},
            format="json",
            **auth(key),
        )
        .json()
    )

    assert imported.status_code == 201
    assert answer["hash_match"] is True
    assert answer["state"] == "removed"


def test_import_is_audited_and_listed_and_refuses_bad_entries(setup):
    project, admin, _, platform = setup
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.FULL, granted_to=platform
    )
    client = APIClient()
    client.force_login(admin)
    url = f"/api/v1/moderation/policies/{policy.pk}/hashes/"

    good = client.post(
        url,
        {"entries": [{"kind": "phash", "value": "ffd8a0c0e0f0f8fc", "category": "spam"},
                     {"kind": "phash", "value": "FFD8A0C0E0F0F8FC", "category": "spam"}]},
        format="json",
    )  # fmt: skip
    bad_value = client.post(
        url, {"entries": [{"kind": "sha256", "value": "abc", "category": "spam"}]}, format="json"
    )
    bad_category = client.post(
        url,
        {"entries": [{"kind": "phash", "value": "0" * 16, "category": "nudity"}]},
        format="json",
    )
    not_image = import_images(admin, policy, {"notes.png": b"just some text"})
    listed = client.get(url)

    assert good.json() == {"submitted": 2, "added": 1, "existing": 1}
    assert bad_value.status_code == 400
    assert "hex digits" in bad_value.json()["message"]
    assert bad_category.status_code == 400
    assert "nudity" in bad_category.json()["message"]
    assert not_image.status_code == 400
    assert "notes.png" in not_image.json()["message"]
    assert listed.json()["count"] == 1
    assert listed.json()["results"][0]["value"] == "ffd8a0c0e0f0f8fc"
    event = AuditEvent.objects.get(action="hash.import")
    assert event.after["count"] == 1
    assert event.actor == admin


def test_moderators_cannot_import_hashes(setup):
    project, _, _, platform = setup
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.FULL, granted_to=platform
    )
    moderator = UserFactory()
    MembershipFactory(project=project, user=moderator, role=Role.MODERATOR)
    client = APIClient()
    client.force_login(moderator)

    response = client.post(
        f"/api/v1/moderation/policies/{policy.pk}/hashes/",
        {"entries": [{"kind": "phash", "value": "0" * 16, "category": "spam"}]},
        format="json",
    )

    assert response.status_code == 403
    assert not HashEntry.objects.exists()
