"""Adjudication through the API: the open list, resolving an item, and training on the result."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.choices import Role, TaskType
from labeling.models import Adjudication
from labeling.services.snapshots import training_snapshot
from tests.factories import AnnotationFactory, ItemFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotators(project, make_member):
    return [make_member(Role.ANNOTATOR, username=name) for name in ("ana", "ben", "cy")]


@pytest.fixture
def lead(api, make_member):
    return api.as_user(make_member(Role.ML_ENGINEER, username="lead"))


def url(project, path):
    return f"/api/v1/projects/{project.pk}/{path}"


def answer(item, user, *labels):
    return AnnotationFactory(item=item, annotator=user, labels=list(labels))


def open_ids(client, project) -> list[int]:
    response = client.get(url(project, "adjudication/"), {"state": "open"})
    assert response.status_code == 200, response.json()
    return [entry["item"]["id"] for entry in response.json()["results"]]


@pytest.fixture
def disputed(project, annotators):
    """Three items: ana and ben disagree on the first two and agree on the third."""
    ana, ben, _ = annotators
    items = [ItemFactory(project=project, text=f"message {n}") for n in range(3)]
    for item, (first, second) in zip(
        items, [("spam", "ham"), ("ham", "spam"), ("spam", "spam")], strict=True
    ):
        answer(item, ana, first)
        answer(item, ben, second)
    return items


def test_open_list_shows_disagreeing_items_with_each_persons_answer(lead, project, disputed):
    response = lead.get(url(project, "adjudication/"))

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    first = body["results"][0]
    assert first["item"] == {
        "id": disputed[0].pk,
        "external_id": disputed[0].external_id,
        "text": "message 0",
        "image_url": None,
        "thumbnail_url": None,
        "media_restricted": False,
    }
    assert [(a["username"], a["labels"]) for a in first["annotations"]] == [
        ("ana", ["spam"]),
        ("ben", ["ham"]),
    ]
    assert all(a["created_at"] for a in first["annotations"])
    assert first["gold"] is None
    assert [entry["item"]["id"] for entry in body["results"]] == [d.pk for d in disputed[:2]]


def test_resolving_moves_the_item_from_open_to_resolved_and_training_uses_it(
    lead, project, disputed
):
    item = disputed[0]

    response = lead.post(
        url(project, f"adjudication/{item.pk}/"),
        {"labels": ["ham"], "note": "greeting from a colleague"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    gold = response.json()["gold"]
    assert (gold["labels"], gold["resolved_by"], gold["note"]) == (
        ["ham"],
        "lead",
        "greeting from a colleague",
    )
    assert gold["updated_at"]
    assert open_ids(lead, project) == [disputed[1].pk]
    resolved = lead.get(url(project, "adjudication/"), {"state": "resolved"}).json()
    assert [(e["item"]["id"], e["gold"]["labels"]) for e in resolved["results"]] == [
        (item.pk, ["ham"])
    ]
    snapshot = training_snapshot(project=project, classes=["ham", "spam"])
    labels = dict(zip(snapshot.item_ids.tolist(), snapshot.labels, strict=True))
    assert labels[item.pk] == ["ham"]


def test_resolved_list_shows_the_most_recently_resolved_first(lead, project, disputed):
    for item in (disputed[1], disputed[0]):
        lead.post(url(project, f"adjudication/{item.pk}/"), {"labels": ["spam"]}, format="json")

    resolved = lead.get(url(project, "adjudication/"), {"state": "resolved"}).json()["results"]

    assert [entry["item"]["id"] for entry in resolved] == [disputed[0].pk, disputed[1].pk]


def test_resolving_again_changes_the_gold_label(lead, project, disputed):
    path = url(project, f"adjudication/{disputed[0].pk}/")
    lead.post(path, {"labels": ["ham"]}, format="json")

    response = lead.post(path, {"labels": ["spam"], "note": "second look"}, format="json")

    assert response.json()["gold"]["labels"] == ["spam"]
    assert Adjudication.objects.get().labels == ["spam"]


def test_an_item_nobody_disputed_can_still_get_a_gold_label(lead, project, disputed):
    response = lead.post(
        url(project, f"adjudication/{disputed[2].pk}/"), {"labels": ["ham"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["gold"]["labels"] == ["ham"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"labels": ["eggs"]}, "Not a label class of this project: 'eggs'."),
        ({"labels": ["ham", "spam"]}, "A binary project takes one label per item; got 2."),
        ({"labels": []}, "Give at least one label."),
        ({"labels": "spam"}, 'labels: Expected a list of items but got type "str".'),
        ({}, "labels: This field is required."),
        ({"labels": ["ham"], "note": "x" * 5001}, None),
    ],
)
def test_bad_resolutions_are_refused_and_store_nothing(lead, project, disputed, body, message):
    response = lead.post(url(project, f"adjudication/{disputed[0].pk}/"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}
    if message:
        assert response.json()["message"] == message
    assert not Adjudication.objects.exists()
    assert disputed[0].pk in open_ids(lead, project)


def test_an_item_of_another_project_is_not_found(lead, project, disputed):
    other_item = ItemFactory(project=ProjectFactory(), text="from elsewhere")

    response = lead.post(
        url(project, f"adjudication/{other_item.pk}/"), {"labels": ["ham"]}, format="json"
    )

    assert response.status_code == 404
    assert not Adjudication.objects.exists()


def test_annotators_may_neither_see_nor_settle_disputes(api, project, annotators, disputed):
    client = api.as_user(annotators[0])

    listed = client.get(url(project, "adjudication/"))
    resolved = client.post(
        url(project, f"adjudication/{disputed[0].pk}/"), {"labels": ["ham"]}, format="json"
    )

    assert (listed.status_code, resolved.status_code) == (403, 403)
    assert not Adjudication.objects.exists()


def test_unknown_state_is_a_clear_400(lead, project):
    response = lead.get(url(project, "adjudication/"), {"state": "maybe"})

    assert response.status_code == 400
    assert response.json()["message"].startswith("state:")


def test_multilabel_disputes_compare_label_sets(api, make_member):
    project = ProjectFactory(task_type=TaskType.MULTILABEL, label_classes=["a", "b", "c"])
    client = api.as_user(make_member(Role.ADMIN, proj=project))
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    same, partial = ItemFactory.create_batch(2, project=project)
    answer(same, ana, "a", "b")
    answer(same, ben, "b", "a")
    answer(partial, ana, "a")
    answer(partial, ben, "a", "c")

    assert open_ids(client, project) == [partial.pk]
    response = client.post(
        url(project, f"adjudication/{partial.pk}/"), {"labels": ["a", "c"]}, format="json"
    )
    assert response.json()["gold"]["labels"] == ["a", "c"]
    assert open_ids(client, project) == []


def test_the_open_list_costs_the_same_queries_for_few_or_many_items(lead, project, annotators):
    ana, ben, cy = annotators

    def dispute(n):
        for _ in range(n):
            item = ItemFactory(project=project)
            answer(item, ana, "spam")
            answer(item, ben, "ham")
            answer(item, cy, "ham")

    dispute(2)
    with CaptureQueriesContext(connection) as few:
        assert len(open_ids(lead, project)) == 2
    dispute(20)
    with CaptureQueriesContext(connection) as many:
        assert len(open_ids(lead, project)) == 22

    assert len(many) == len(few)


def test_resolving_shows_in_the_projects_audit_log(api, make_member, lead, project, disputed):
    path = url(project, f"adjudication/{disputed[0].pk}/")
    lead.post(path, {"labels": ["ham"]}, format="json")
    lead.post(path, {"labels": ["spam"], "note": "second look"}, format="json")
    admin = api.as_user(make_member(Role.ADMIN))

    response = admin.get("/api/v1/audit/", {"action": "adjudication.resolve"})

    assert response.status_code == 200, response.json()
    events = response.json()["results"]
    assert [(e["actor_name"], e["before"], e["after"]) for e in events] == [
        ("lead", {"labels": ["ham"], "note": ""}, {"labels": ["spam"], "note": "second look"}),
        ("lead", None, {"labels": ["ham"], "note": ""}),
    ]
