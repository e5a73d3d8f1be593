"""GET moderation/contents/{id}/similar/: the contents nearest one by embedding (the project's
nearest-neighbour index), only those the caller may moderate. Every role's answer is in
tests/labeling/api/test_permissions.py."""

import numpy as np
import pytest
from rest_framework.test import APIClient

from labeling.selectors.embedders import project_embedder
from models_app.services.embeddings import embedding_store
from models_app.services.neighbours import neighbour_index_build, neighbours_forget_open
from tests.factories import ItemFactory
from tests.factories.moderation import (
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ann_dir(settings, tmp_path):
    settings.TANDEM_ANN_DIR = tmp_path / "ann"
    neighbours_forget_open()
    yield
    neighbours_forget_open()


def url(content_id, query=""):
    return f"/api/v1/moderation/contents/{content_id}/similar/{query}"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _store(project, items, rows):
    rows = np.asarray(rows, dtype=np.float32)
    embedding_store(
        owner=project.owner_key,
        embedder=project_embedder(project=project).key,
        object_ids=[item.pk for item in items],
        vectors=rows / np.linalg.norm(rows, axis=1, keepdims=True),
    )


@pytest.fixture
def world():
    """A policy with four contents (the first asked about), an item of its project that is no
    content, and another policy's content, each with a vector."""
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    asked, near, middle, far = (ContentFactory(policy=policy, platform=platform) for _ in range(4))
    stray = ItemFactory(project=policy.project, text="an imported item, no content")
    _store(
        policy.project,
        [asked.item, near.item, middle.item, far.item, stray],
        [[1, 0, 0], [0.95, 0.05, 0], [0.6, 0.4, 0], [0, 0, 1], [1, 0.01, 0]],
    )
    other = ReviewPolicyFactory()
    elsewhere = ContentFactory(policy=other, platform=platform)
    _store(other.project, [elsewhere.item], [[1, 0, 0]])
    return policy, other, asked, near, middle, far, elsewhere


def test_a_moderator_gets_the_nearest_contents_most_similar_first_with_scores(world):
    policy, _, asked, near, middle, far, elsewhere = world
    client = _client(PolicyMemberFactory(policy=policy))

    response = client.get(url(asked.pk, "?limit=2"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body["contents"]] == [near.pk, middle.pk]
    assert body["contents"][0]["score"] > body["contents"][1]["score"] > 0
    assert body["contents"][0]["excerpt"] == near.item.text
    assert body["contents"][0]["policy"] == policy.pk
    assert body["exact"] is True
    everything = client.get(url(asked.pk)).json()["contents"]
    # Neither the content itself, nor an item that is no content, nor another policy's.
    assert [row["id"] for row in everything] == [near.pk, middle.pk, far.pk]
    assert elsewhere.pk not in [row["id"] for row in everything]


def test_the_approximate_index_answers_once_built(world, settings):
    policy, _, asked, near, middle, far, _ = world
    neighbour_index_build(
        owner=policy.project.owner_key,
        embedder=project_embedder(project=policy.project).key,
        min_rows=1,
    )
    neighbours_forget_open()

    body = _client(PolicyMemberFactory(policy=policy)).get(url(asked.pk)).json()

    assert [row["id"] for row in body["contents"]] == [near.pk, middle.pk, far.pk]


def test_another_policys_moderator_gets_404_and_anonymous_is_refused(world):
    _, other, asked, *_ = world

    outsider = _client(PolicyMemberFactory(policy=other)).get(url(asked.pk))
    anonymous = APIClient().get(url(asked.pk))

    assert outsider.status_code == 404
    assert anonymous.status_code in (401, 403)
    assert "contents" not in outsider.json()


def test_content_without_a_vector_has_no_similar_content(world):
    policy, *_ = world
    fresh = ContentFactory(policy=policy)

    body = _client(PolicyMemberFactory(policy=policy)).get(url(fresh.pk)).json()

    assert body == {"embedder": "", "exact": False, "contents": []}


@pytest.mark.parametrize("limit", ["0", "51", "ten"])
def test_a_limit_out_of_range_is_a_400(world, limit):
    policy, _, asked, *_ = world

    response = _client(PolicyMemberFactory(policy=policy)).get(url(asked.pk, f"?limit={limit}"))

    assert response.status_code == 400
    assert "limit" in response.content.decode()
