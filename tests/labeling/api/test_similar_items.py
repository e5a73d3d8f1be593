"""GET items/{id}/similar/: the project's nearest items, from the project's embedder's vectors
or the fast pass's while the item has no exact vector yet, with the same access as the item.
Every role's answer is in tests/labeling/api/test_permissions.py."""

import numpy as np
import pytest

from labeling.choices import Role
from models_app.ml.embedders.registry import get_embedder
from models_app.services.embeddings import embedding_store
from models_app.services.neighbours import neighbours_forget_open
from tests.factories import AnnotationFactory, ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ann_dir(settings, tmp_path):
    settings.TANDEM_ANN_DIR = tmp_path / "ann"
    neighbours_forget_open()
    yield
    neighbours_forget_open()


def url(project_id, item_id, query=""):
    return f"/api/v1/projects/{project_id}/items/{item_id}/similar/{query}"


def unit(rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def texts_project(db):
    """A hashing-embedder project of five texts, each embedded."""
    project = ProjectFactory(embedder="hashing")
    texts = [
        "Free entry to win a prize, text WIN now",
        "Win a free prize: text WIN to claim",
        "Are we still meeting for lunch tomorrow?",
        "Lunch tomorrow at noon works for me",
        "Call me when you get home",
    ]
    items = [ItemFactory(project=project, text=text) for text in texts]
    embedder = get_embedder("hashing")
    embedding_store(
        owner=project.owner_key,
        embedder=embedder.key,
        object_ids=[item.pk for item in items],
        vectors=embedder.embed(texts),
    )
    return project, items


def test_a_member_gets_the_nearest_items_with_labels_and_similarity(
    api, make_member, texts_project
):
    project, items = texts_project
    AnnotationFactory(item=items[1], labels=["spam"])
    user = make_member(Role.ANNOTATOR, proj=project)

    response = api.as_user(user).get(url(project.pk, items[0].pk, "?limit=2"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["embedder"] == get_embedder("hashing").key
    assert body["exact"] is True
    assert body["labels_hidden"] is False
    assert body["items"][0]["id"] == items[1].pk
    first = body["items"][0]
    assert first["excerpt"] == items[1].text
    assert first["labels"] == ["spam"]
    assert first["thumbnail"] is None
    assert 0 < first["similarity"] <= 1
    assert len(body["items"]) == 2
    assert items[0].pk not in [entry["id"] for entry in body["items"]]


def test_annotators_of_a_project_with_overlap_see_no_labels_of_others(
    api, make_member, texts_project
):
    """With several annotations per item people label blind; admins still see the labels."""
    project, items = texts_project
    project.annotations_per_item = 2
    project.save(update_fields=["annotations_per_item"])
    AnnotationFactory(item=items[1], labels=["spam"])

    annotator = api.as_user(make_member(Role.ANNOTATOR, proj=project))
    body = annotator.get(url(project.pk, items[0].pk, "?limit=2")).json()
    assert body["labels_hidden"] is True
    assert body["items"][0]["id"] == items[1].pk
    assert all(entry["labels"] == [] for entry in body["items"])

    reviewer = api.as_user(make_member(Role.ADMIN, proj=project))
    body = reviewer.get(url(project.pk, items[0].pk, "?limit=2")).json()
    assert body["labels_hidden"] is False
    assert body["items"][0]["labels"] == ["spam"]


def test_long_texts_come_as_an_excerpt(api, make_member):
    project = ProjectFactory(embedder="hashing")
    short, long = (
        ItemFactory(project=project, text="short"),
        ItemFactory(project=project, text="word " * 1000),
    )
    key = get_embedder("hashing").key
    embedding_store(
        owner=project.owner_key,
        embedder=key,
        object_ids=[short.pk, long.pk],
        vectors=unit([[1, 0], [1, 1]]),
    )

    body = api.as_user(make_member(Role.ADMIN, proj=project)).get(url(project.pk, short.pk)).json()

    assert body["items"][0]["excerpt"].endswith("…")
    assert len(body["items"][0]["excerpt"]) <= 281


def test_an_item_without_its_exact_vector_is_answered_from_the_static_vectors(api, make_member):
    project = ProjectFactory(embedder="minilm-int8")
    items = [ItemFactory(project=project) for _ in range(4)]
    static_key = get_embedder("static").key
    exact_key = get_embedder("minilm-int8").key
    ids = [item.pk for item in items]
    # Static vectors for every item: item 0's nearest is item 3.
    embedding_store(
        owner=project.owner_key,
        embedder=static_key,
        object_ids=ids,
        vectors=unit([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0.1, 0]]),
    )
    # Exact vectors for the others only (the job has not reached item 0).
    embedding_store(
        owner=project.owner_key,
        embedder=exact_key,
        object_ids=ids[1:],
        vectors=unit([[1, 0], [0, 1], [1, 1]]),
    )
    client = api.as_user(make_member(Role.ANNOTATOR, proj=project))

    body = client.get(url(project.pk, ids[0])).json()
    assert body["embedder"] == static_key
    assert body["exact"] is False
    assert [entry["id"] for entry in body["items"]] == [ids[3], ids[1], ids[2]]

    # Item 1 has its exact vector: the exact vectors answer.
    body = client.get(url(project.pk, ids[1])).json()
    assert body["embedder"] == exact_key
    assert body["exact"] is True
    assert [entry["id"] for entry in body["items"]] == [ids[3], ids[2]]


def test_an_item_without_any_vector_yet_has_no_similar_items(api, make_member):
    project = ProjectFactory(embedder="hashing")
    item = ItemFactory(project=project)

    body = (
        api.as_user(make_member(Role.ANNOTATOR, proj=project)).get(url(project.pk, item.pk)).json()
    )

    assert body == {"embedder": "", "exact": False, "labels_hidden": False, "items": []}


def test_deleted_items_are_not_offered(api, make_member, texts_project):
    project, items = texts_project
    gone = items[1].pk
    items[1].delete()

    body = (
        api.as_user(make_member(Role.ADMIN, proj=project)).get(url(project.pk, items[0].pk)).json()
    )

    assert gone not in [entry["id"] for entry in body["items"]]
    assert len(body["items"]) == 3


@pytest.mark.parametrize(
    "limit", ["0", "-1", "51", "abc", "1e3", "99999999999999999999999999", "2.5", "NaN"]
)
def test_a_bad_limit_is_refused_with_400(api, make_member, texts_project, limit):
    project, items = texts_project

    response = api.as_user(make_member(Role.ADMIN, proj=project)).get(
        url(project.pk, items[0].pk, f"?limit={limit}")
    )

    assert response.status_code == 400, response.content
    assert "limit" in response.json()["message"]


def test_outsiders_and_items_of_other_projects_get_404(api, make_member, texts_project):
    project, items = texts_project
    other = ProjectFactory()
    foreign_item = ItemFactory(project=other)
    member = make_member(Role.ADMIN, proj=project)
    other_member = make_member(Role.ADMIN, proj=other)

    assert api.as_user(other_member).get(url(project.pk, items[0].pk)).status_code == 404
    assert api.as_user(make_member(None)).get(url(project.pk, items[0].pk)).status_code == 404
    assert api.as_user(member).get(url(project.pk, foreign_item.pk)).status_code == 404
    assert api.as_user(member).get(url(project.pk, 10**12)).status_code == 404


def test_anonymous_callers_are_refused(api, texts_project):
    project, items = texts_project

    assert api.get(url(project.pk, items[0].pk)).status_code in {401, 403}
