"""Direct annotation (``POST …/items/{id}/annotations/``) with a client key: a retry, or the same
request sent twice at once, stores one label, as the queue's submit does."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from labeling.choices import Role
from labeling.models import Annotation, Item, QueueAssignment
from tests.factories import ItemFactory, MembershipFactory, ProjectFactory, UserFactory


def annotate(client, item, labels, **fields):
    return client.post(
        f"/api/v1/projects/{item.project_id}/items/{item.pk}/annotations/",
        {"labels": labels, **fields},
        format="json",
    )


def annotator_client(project) -> tuple[object, APIClient]:
    user = UserFactory()
    MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    client = APIClient()
    client.force_authenticate(user)
    return user, client


@pytest.fixture
def project(db):
    return ProjectFactory(retrain_every=0)


@pytest.mark.django_db
def test_the_same_client_key_again_returns_the_stored_annotation(project):
    item = ItemFactory(project=project)
    _, client = annotator_client(project)

    first = annotate(client, item, ["spam"], client_key="label-1")
    retry = annotate(client, item, ["spam"], client_key="label-1")

    assert first.status_code == 201, first.json()
    assert retry.status_code == 200, retry.json()
    assert retry.json() == first.json()
    assert Annotation.objects.filter(item=item).count() == 1
    item.refresh_from_db()
    assert (item.queue_annotations, item.queue_done) == (1, True)


@pytest.mark.django_db
def test_a_retry_with_other_labels_does_not_change_the_stored_one(project):
    item = ItemFactory(project=project)
    _, client = annotator_client(project)
    annotate(client, item, ["spam"], client_key="label-1")

    retry = annotate(client, item, ["ham"], client_key="label-1")

    assert retry.status_code == 200
    assert retry.json()["labels"] == ["spam"]
    assert list(Annotation.objects.filter(item=item).values_list("labels", flat=True)) == [["spam"]]


@pytest.mark.django_db
def test_a_client_key_used_for_another_item_is_a_conflict_and_stores_nothing(project):
    first, second = ItemFactory(project=project), ItemFactory(project=project)
    _, client = annotator_client(project)
    annotate(client, first, ["spam"], client_key="label-1")

    response = annotate(client, second, ["ham"], client_key="label-1")

    assert response.status_code == 409
    assert set(response.json()) == {"message", "extra"}
    assert "client_key" in response.json()["message"]
    assert not Annotation.objects.filter(item=second).exists()
    assert not QueueAssignment.objects.filter(item=second).exists()


@pytest.mark.django_db
def test_client_keys_belong_to_each_person(project):
    item = ItemFactory(project=project)
    project.annotations_per_item = 2
    project.save(update_fields=["annotations_per_item"])
    _, alice = annotator_client(project)
    _, bob = annotator_client(project)

    answers = [annotate(c, item, ["spam"], client_key="same").status_code for c in (alice, bob)]

    assert answers == [201, 201]
    assert Annotation.objects.filter(item=item).count() == 2


@pytest.mark.django_db
def test_an_overlong_client_key_is_refused_and_nothing_is_stored(project):
    item = ItemFactory(project=project)
    _, client = annotator_client(project)

    response = annotate(client, item, ["spam"], client_key="k" * 65)

    assert response.status_code == 400
    assert "client_key" in response.json()["extra"]["fields"]
    assert not Annotation.objects.filter(item=item).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_annotation_sent_twice_at_once_is_stored_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL): SQLite runs one write transaction at a time, so "
            "the two requests cannot overlap there"
        )
    project = ProjectFactory(retrain_every=0)
    items = [ItemFactory(project=project) for _ in range(10)]
    user, _ = annotator_client(project)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    for round_, item in enumerate(items):
        start = threading.Barrier(2)

        def send(item=item, key=f"twice-{round_}", start=start) -> None:
            twin = APIClient()
            twin.force_authenticate(user)
            try:
                start.wait()
                response = annotate(twin, item, ["spam"], client_key=key)
                with lock:
                    results.append((response.status_code, response.json()["id"]))
            except BaseException as exc:
                with lock:
                    errors.append(exc)
            finally:
                connection.close()

        twins = [threading.Thread(target=send) for _ in range(2)]
        for thread in twins:
            thread.start()
        for thread in twins:
            thread.join(timeout=30)

    assert errors == []
    assert sorted(status for status, _ in results) == [200] * 10 + [201] * 10
    assert len({annotation_id for _, annotation_id in results}) == 10
    assert Annotation.objects.filter(item__project=project).count() == 10
    assert QueueAssignment.objects.filter(project=project).count() == 10
    counters = set(
        Item.objects.filter(project=project).values_list("queue_annotations", "queue_done")
    )
    assert counters == {(1, True)}
