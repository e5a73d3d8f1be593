"""The review queue as moderators use it: order, leases, tiers, filters, SLA, and the review
panel."""

import io
from datetime import timedelta

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from labeling.selectors.embedders import project_embedder_name
from models_app.services.embeddings import embedding_store
from moderation.choices import ContentState
from moderation.models import Content
from tests.factories.moderation import (
    HAM_TEXT,
    AuthorFactory,
    ContentFactory,
    DecisionFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReportFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db
NEXT = "/api/v1/moderation/queue/next/"


@pytest.fixture
def world():
    policy = ReviewPolicyFactory()
    return policy, PlatformFactory()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_next_hands_out_the_highest_priority_content_and_skips_what_others_hold(world):
    policy, platform = world
    low = ContentFactory(policy=policy, platform=platform, priority=1.0)
    high = ContentFactory(policy=policy, platform=platform, priority=9.0)
    first, second = (_client(PolicyMemberFactory(policy=policy)) for _ in range(2))

    got_first = first.post(NEXT, {}, format="json").json()["content"]
    got_second = second.post(NEXT, {}, format="json").json()["content"]
    again_first = first.post(NEXT, {}, format="json").json()["content"]

    assert got_first["id"] == high.pk
    assert got_second["id"] == low.pk
    # Asking again returns what the caller already holds; nobody gets someone else's lease.
    assert again_first["id"] == high.pk
    high.refresh_from_db()
    assert high.lease_expires_at > timezone.now() + timedelta(minutes=4)


def test_expired_lease_goes_back_to_the_queue(world):
    policy, platform = world
    content = ContentFactory(policy=policy, platform=platform)
    gone = PolicyMemberFactory(policy=policy)
    Content.objects.filter(pk=content.pk).update(
        leased_by=gone, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    got = (
        _client(PolicyMemberFactory(policy=policy)).post(NEXT, {}, format="json").json()["content"]
    )

    assert got["id"] == content.pk


def test_next_only_covers_policies_where_the_caller_moderates(world):
    policy, platform = world
    ContentFactory(policy=policy, platform=platform)
    annotator = PolicyMemberFactory(policy=policy, role=Role.ANNOTATOR)
    other_policy_moderator = PolicyMemberFactory(policy=ReviewPolicyFactory())

    assert _client(annotator).post(NEXT, {}, format="json").json()["content"] is None
    assert _client(other_policy_moderator).post(NEXT, {}, format="json").json()["content"] is None
    assert (
        _client(other_policy_moderator).post(NEXT, {"policy": policy.pk}, format="json").status_code
        == 404
    )


def test_renew_and_release(world):
    policy, platform = world
    content = ContentFactory(policy=policy, platform=platform)
    me, other = PolicyMemberFactory(policy=policy), PolicyMemberFactory(policy=policy)
    client = _client(me)
    client.post(NEXT, {}, format="json")

    renewed = client.post(f"/api/v1/moderation/contents/{content.pk}/renew/")
    not_mine = _client(other).post(f"/api/v1/moderation/contents/{content.pk}/renew/")
    released = client.post(f"/api/v1/moderation/contents/{content.pk}/release/")
    taken = _client(other).post(NEXT, {}, format="json").json()["content"]

    assert renewed.status_code == 200
    assert not_mine.status_code == 409
    assert released.status_code == 204
    assert taken["id"] == content.pk


def test_senior_reassigns_to_a_moderator_of_the_project_only(world):
    policy, platform = world
    content = ContentFactory(policy=policy, platform=platform)
    senior = _client(PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR))
    target = PolicyMemberFactory(policy=policy)
    annotator = PolicyMemberFactory(policy=policy, role=Role.ANNOTATOR)
    path = f"/api/v1/moderation/contents/{content.pk}/reassign/"

    refused = senior.post(path, {"user_id": annotator.pk}, format="json")
    by_moderator = _client(PolicyMemberFactory(policy=policy)).post(
        path, {"user_id": target.pk}, format="json"
    )
    done = senior.post(path, {"user_id": target.pk}, format="json")

    assert refused.status_code == 400
    assert "cannot review this content" in refused.json()["message"]
    assert by_moderator.status_code == 403
    assert done.status_code == 200
    assert done.json()["leased_by"] == target.username
    assert AuditEvent.objects.filter(action="content.reassign").count() == 1
    assert _client(target).post(NEXT, {}, format="json").json()["content"]["id"] == content.pk


def test_queue_list_filters_and_shows_overdue_content(world):
    policy, platform = world
    overdue = ContentFactory(
        policy=policy, platform=platform, sla_due_at=timezone.now() - timedelta(hours=1)
    )
    fresh = ContentFactory(
        policy=policy, platform=platform, sla_due_at=timezone.now() + timedelta(hours=3)
    )
    escalated = ContentFactory(policy=policy, platform=platform, state=ContentState.ESCALATED)
    ContentFactory(policy=policy, platform=platform, state=ContentState.ALLOWED)
    ContentFactory(
        policy=ReviewPolicyFactory(), platform=platform
    )  # a policy the caller cannot see
    client = _client(PolicyMemberFactory(policy=policy))

    open_rows = client.get("/api/v1/moderation/queue/").json()["results"]
    senior_rows = client.get("/api/v1/moderation/queue/", {"tier": "senior"}).json()["results"]
    pending = client.get("/api/v1/moderation/queue/", {"state": "pending"}).json()["results"]

    assert {row["id"] for row in open_rows} == {overdue.pk, fresh.pk, escalated.pk}
    assert {row["id"]: row["overdue"] for row in pending} == {overdue.pk: True, fresh.pk: False}
    assert senior_rows == []  # a moderator is not senior


def _png(colour: str) -> bytes:
    image = Image.new("RGB", (64, 48), colour)
    ImageDraw.Draw(image).ellipse((8, 8, 40, 40), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_review_panel_shows_context_history_and_similar_decided_content(world):
    policy, platform = world
    author = AuthorFactory(platform=platform)
    earlier = ContentFactory(policy=policy, platform=platform, author=author, state="removed")
    DecisionFactory(
        content=earlier, action="remove", is_final=True, moderator_name="ana", automated=False
    )
    near = ContentFactory(policy=policy, platform=platform, text=HAM_TEXT, state="allowed")
    far = ContentFactory(policy=policy, platform=platform, state="allowed")
    for done in (near, far):
        Content.objects.filter(pk=done.pk).update(decided_at=timezone.now())
    content = ContentFactory(
        policy=policy, platform=platform, author=author, context={"url": "https://chat.example/p/9"}
    )
    ReportFactory(content=content, source="hash", reporter="entry-4", reason="known bad")
    project = policy.project
    embedding_store(
        owner=project.owner_key,
        embedder=project_embedder_name(project=project),
        object_ids=[content.item_id, near.item_id, far.item_id, earlier.item_id],
        vectors=np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1], [0.5, 0.5, 0]], dtype=np.float32),
    )
    client = _client(PolicyMemberFactory(policy=policy))

    detail = client.get(f"/api/v1/moderation/contents/{content.pk}/").json()

    assert detail["context"] == {"url": "https://chat.example/p/9"}
    assert detail["author"]["external_id"] == author.external_id
    assert detail["author"]["live_points"] == 0  # the decision factory gives no strike
    assert [c["id"] for c in detail["author_history"]] == [earlier.pk]
    assert detail["author_history"][0]["decisions"][0]["action"] == "remove"
    assert [row["content"]["id"] for row in detail["similar"]] == [near.pk, earlier.pk, far.pk]
    assert detail["similar"][0]["similarity"] > 0.99
    assert [m["reporter"] for m in detail["hash_matches"]] == ["entry-4"]
    assert detail["model"]["score"] == 0.8


def test_review_panel_has_no_similar_content_without_vectors(world):
    policy, platform = world
    ContentFactory(policy=policy, platform=platform, state="removed")
    content = ContentFactory(policy=policy, platform=platform)

    detail = _client(PolicyMemberFactory(policy=policy)).get(
        f"/api/v1/moderation/contents/{content.pk}/"
    )

    assert detail.json()["similar"] == []


def test_image_stays_blurred_until_revealed_and_each_reveal_is_audited(world):
    policy, platform = world
    content = ContentFactory(policy=policy, platform=platform)
    content.item.image.save("photo.png", ContentFile(_png("red")))
    content.blurred_thumbnail.save("photo-blurred.png", ContentFile(_png("gray")))
    client = _client(PolicyMemberFactory(policy=policy))

    detail = client.get(f"/api/v1/moderation/contents/{content.pk}/").json()
    assert detail["blurred_thumbnail_url"] == f"/api/v1/moderation/contents/{content.pk}/blurred/"
    assert detail["image_url"] == f"/api/v1/moderation/contents/{content.pk}/image/"
    blurred = client.get(detail["blurred_thumbnail_url"])
    assert blurred.status_code == 200
    assert b"".join(blurred.streaming_content) == _png("gray")
    assert not AuditEvent.objects.exists()

    revealed = client.get(detail["image_url"])

    assert revealed.status_code == 200
    assert b"".join(revealed.streaming_content) == _png("red")
    assert "no-store" in revealed["Cache-Control"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["content.reveal"]


def test_outsiders_get_404_for_content(world):
    policy, platform = world
    content = ContentFactory(policy=policy, platform=platform)
    outsider = _client(PolicyMemberFactory(policy=ReviewPolicyFactory()))

    assert outsider.get(f"/api/v1/moderation/contents/{content.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/moderation/contents/{content.pk}/image/").status_code == 404


def test_a_skipped_content_is_passed_over_when_the_caller_excludes_it(world):
    policy, platform = world
    first = ContentFactory(policy=policy, platform=platform, priority=9.0)
    second = ContentFactory(policy=policy, platform=platform, priority=1.0)
    client = _client(PolicyMemberFactory(policy=policy))
    assert client.post(NEXT, {}, format="json").json()["content"]["id"] == first.pk

    skipped = client.post(NEXT, {"exclude": [first.pk]}, format="json").json()["content"]

    assert skipped["id"] == second.pk
    assert (
        client.post(NEXT, {"exclude": [first.pk, second.pk]}, format="json").json()["content"]
        is None
    )
