"""One round trip per label: a submit or skip that asks for ``next`` answers with the next leased
item, in the queue's order, and the skip reasons it stores are listed for the project's data
people."""

import json

import pytest
from django.db import connection
from rest_framework.test import APIClient

from labeling.api.queue_serializers import QueueAnnotationSerializer, QueueAssignmentSerializer
from labeling.choices import AssignmentState, Role
from labeling.models import Annotation, QueueAssignment
from labeling.services.queue import MAX_OPEN_LEASES
from tests.factories import ItemFactory, ProjectFactory
from tests.factories.learning import production_model_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(retrain_every=0)


@pytest.fixture
def ann(make_member, project):
    return make_member(Role.ANNOTATOR, proj=project)


@pytest.fixture
def client(ann):
    client = APIClient()
    client.force_authenticate(ann)
    return client


def url(project, path=""):
    return f"/api/v1/projects/{project.pk}/{path}"


def lease(client, project) -> int:
    response = client.post(url(project, "queue/next/"), {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["assignment"]["item"]["id"]


def submit(client, project, item_id, key, **fields):
    return client.post(
        url(project, f"queue/items/{item_id}/submit/"),
        {"labels": ["ham"], "client_key": key, **fields},
        format="json",
    )


def skip(client, project, item_id, **fields):
    return client.post(url(project, f"queue/items/{item_id}/skip/"), fields, format="json")


# --- submit and skip with next ------------------------------------------------------------------


def test_submit_with_next_answers_with_the_next_item_in_queue_order(client, project):
    first, second, third = (ItemFactory(project=project, priority=p) for p in (3, 2, 1))
    assert lease(client, project) == first.pk

    response = submit(client, project, first.pk, "a", next=True)

    assert response.status_code == 201
    body = response.json()
    assert body["labels"] == ["ham"]
    assert body["next"]["message"] == ""
    assert body["next"]["assignment"]["item"]["id"] == second.pk
    assert set(body["next"]["assignment"]) == {"item", "suggestion", "leased_at", "expires_at"}
    held = QueueAssignment.objects.get(item=second)
    assert held.state == AssignmentState.LEASED
    again = submit(client, project, second.pk, "b", next=True).json()
    assert again["next"]["assignment"]["item"]["id"] == third.pk


def test_submit_without_next_answers_as_before(client, project):
    first, second = ItemFactory(project=project, priority=2), ItemFactory(project=project)
    lease(client, project)

    response = submit(client, project, first.pk, "a")

    assert response.status_code == 201
    assert response.json()["next"] is None
    assert not QueueAssignment.objects.filter(item=second).exists()


def test_submit_with_next_says_so_when_nothing_is_left(client, project):
    item = ItemFactory(project=project)
    lease(client, project)

    body = submit(client, project, item.pk, "a", next=True).json()

    assert body["next"]["assignment"] is None
    assert "Nothing left" in body["next"]["message"]


def test_submit_with_next_at_the_lease_limit_answers_and_says_why_no_item(client, project):
    for _ in range(MAX_OPEN_LEASES + 2):
        ItemFactory(project=project)
    answered = lease(client, project)
    submit(client, project, answered, "a")
    for _ in range(MAX_OPEN_LEASES):
        lease(client, project)

    # A retry of an answer that was already stored ends no lease: the hand stays full.
    replayed = submit(client, project, answered, "a", next=True)

    assert replayed.status_code == 200
    assert replayed.json()["next"]["assignment"] is None
    assert "submit, skip or release" in replayed.json()["next"]["message"]
    assert Annotation.objects.count() == 1


def test_a_replayed_submit_with_next_stores_nothing_twice(client, project):
    first, _second, _third = (ItemFactory(project=project, priority=p) for p in (3, 2, 1))
    lease(client, project)

    stored = submit(client, project, first.pk, "same", next=True)
    replayed = submit(client, project, first.pk, "same", next=False)

    assert (stored.status_code, replayed.status_code) == (201, 200)
    assert replayed.json()["id"] == stored.json()["id"]
    assert replayed.json()["next"] is None
    assert Annotation.objects.count() == 1


def test_a_refused_submit_with_next_leases_nothing(client, project):
    first, second = ItemFactory(project=project, priority=2), ItemFactory(project=project)
    lease(client, project)

    response = client.post(
        url(project, f"queue/items/{first.pk}/submit/"),
        {"labels": ["not-a-class"], "client_key": "a", "next": True},
        format="json",
    )

    assert response.status_code == 400
    assert not QueueAssignment.objects.filter(item=second).exists()
    assert Annotation.objects.count() == 0


def test_skip_with_next_stores_the_reason_and_answers_with_the_next_item(client, project):
    first, second = ItemFactory(project=project, priority=2), ItemFactory(project=project)
    lease(client, project)

    response = skip(client, project, first.pk, reason="not readable", next=True)

    assert response.status_code == 200
    assert response.json()["assignment"]["item"]["id"] == second.pk
    skipped = QueueAssignment.objects.get(item=first)
    assert (skipped.state, skipped.skip_reason) == (AssignmentState.SKIPPED, "not readable")


def test_skip_without_next_answers_no_content(client, project):
    first, second = ItemFactory(project=project, priority=2), ItemFactory(project=project)
    lease(client, project)

    response = skip(client, project, first.pk)

    assert response.status_code == 204
    assert QueueAssignment.objects.get(item=first).skip_reason == ""
    assert not QueueAssignment.objects.filter(item=second).exists()


def test_an_over_long_skip_reason_is_refused_and_nothing_is_leased(client, project):
    first, second = ItemFactory(project=project, priority=2), ItemFactory(project=project)
    lease(client, project)

    response = skip(client, project, first.pk, reason="x" * 501, next=True)

    assert response.status_code == 400
    assert "reason" in response.json()["message"]
    assert QueueAssignment.objects.get(item=first).state == AssignmentState.LEASED
    assert not QueueAssignment.objects.filter(item=second).exists()


@pytest.mark.parametrize("body", [{"next": "maybe"}, {"next": [1]}, {"reason": {"a": 1}}])
def test_malformed_skip_bodies_are_refused(client, project, body):
    item = ItemFactory(project=project)
    lease(client, project)

    response = skip(client, project, item.pk, **body)

    assert response.status_code == 400
    assert QueueAssignment.objects.get(item=item).state == AssignmentState.LEASED


def test_submit_and_skip_with_next_on_another_projects_item_are_not_found(
    client, project, make_member
):
    other = ProjectFactory()
    outsider_item = ItemFactory(project=other)
    other_client = APIClient()
    other_client.force_authenticate(make_member(Role.ANNOTATOR, proj=other))
    lease(other_client, other)

    submitted = submit(client, project, outsider_item.pk, "a", next=True)
    skipped = skip(client, project, outsider_item.pk, reason="mine now", next=True)

    assert (submitted.status_code, skipped.status_code) == (404, 404)
    assert QueueAssignment.objects.get(item=outsider_item).skip_reason == ""
    assert Annotation.objects.count() == 0


def test_anonymous_callers_cannot_submit_or_skip_with_next(project):
    item = ItemFactory(project=project)
    anonymous = APIClient()

    submitted = submit(anonymous, project, item.pk, "a", next=True)
    skipped = skip(anonymous, project, item.pk, next=True)

    assert submitted.status_code in (401, 403)
    assert skipped.status_code in (401, 403)
    assert not QueueAssignment.objects.exists()


def test_submit_with_next_costs_a_fixed_number_of_queries(
    client, project, django_assert_num_queries
):
    for n in range(6):
        ItemFactory(project=project, priority=10 - n)
    item_id = lease(client, project)
    submit(client, project, item_id, "warm-up", next=True)  # caches warm, as in a session
    item_id = QueueAssignment.objects.get(state=AssignmentState.LEASED).item_id

    # The item with its project, the caller's role and the label classes (one statement); the
    # submit (lock the assignment, mark it submitted, the annotation, the item's counters); the
    # next item (expire leases and count the caller's, pick, the assignment, the counters). Each
    # transaction is a savepoint pair here (the test runs inside one): 9 statements and 4
    # savepoint markers (SQLite expires and counts in two statements). Token authentication adds
    # one lookup in production.
    with django_assert_num_queries(13 if connection.vendor == "postgresql" else 14):
        response = submit(client, project, item_id, "pinned", next=True)

    assert response.status_code == 201
    assert response.json()["next"]["assignment"] is not None


def test_the_answers_item_and_proposal_are_what_the_assignment_serializer_gives(client, project):
    """The hot path builds the next item's answer by hand: it must equal the declared shape
    (the schema's), with and without a proposal (a model's or zero-shot), for texts, images
    and restricted media."""
    version = production_model_version(project, 7)
    ItemFactory(
        project=project,
        priority=5,
        text='<b>"quoted"</b> ünïcode',
        metadata={"lang": "en", "n": [1, 2]},
        predicted_label="spam",
        confidence=0.8125,
        scored_by=version,
    )
    ItemFactory(
        project=project,
        priority=4,
        external_id="photo-1",
        content_hash="0" * 64,
        text=None,
        image="items/x.png",
        thumbnail="t/x.png",
        media_restricted=True,
    )
    ItemFactory(project=project, priority=3, predicted_label="gone", scored_by=version)
    # A zero-shot proposal (before any model: no version scored it).
    ItemFactory(project=project, priority=2, predicted_label="ham", confidence=0.625)
    leased = client.post(url(project, "queue/next/"), {}, format="json").json()
    answers = [leased["assignment"]]
    submitted = []
    for n in range(4):
        response = submit(client, project, answers[-1]["item"]["id"], f"k{n}", next=n < 3)
        assert response.status_code == 201, response.content
        submitted.append(response.json())
        if n < 3:
            answers.append(submitted[-1]["next"]["assignment"])

    for answer in answers:
        assignment = QueueAssignment.objects.select_related("item", "suggested_by").get(
            item_id=answer["item"]["id"]
        )
        assert answer == json.loads(json.dumps(QueueAssignmentSerializer(assignment).data))
    for n, body in enumerate(submitted):
        annotation = Annotation.objects.select_related("suggested_by").get(client_key=f"k{n}")
        declared = json.loads(json.dumps(QueueAnnotationSerializer(annotation).data))
        assert {key: value for key, value in body.items() if key != "next"} == declared
    assert answers[0]["suggestion"]["model_version"] == 7
    assert submitted[0]["suggested_by_version"] == 7
    assert answers[0]["item"]["metadata"] == {"lang": "en", "n": [1, 2]}
    assert answers[1]["item"]["image_url"]
    assert answers[1]["item"]["media_restricted"] is True
    assert answers[2]["suggestion"] is None  # its class is gone
    assert answers[0]["suggestion"]["source"] == "model"
    assert answers[3]["suggestion"] == {
        "labels": ["ham"],
        "confidence": 0.625,
        "model_version": None,
        "source": "zero-shot",
    }
    assert submitted[3]["outcome"] == "accepted"  # k3 labeled it "ham"
    assert submitted[3]["suggested_by_version"] is None
    assert submitted[3]["next"] is None  # not asked for


def test_a_proposal_answer_carries_the_model_version_number(client, project):
    version = production_model_version(project, 7)
    ItemFactory(project=project, priority=5)
    ItemFactory(
        project=project, priority=4, predicted_label="spam", confidence=0.75, scored_by=version
    )
    item_id = lease(client, project)

    answer = submit(client, project, item_id, "k", next=True).json()["next"]["assignment"]

    assert answer["suggestion"] == {
        "labels": ["spam"],
        "confidence": 0.75,
        "model_version": 7,
        "source": "model",
    }
    assignment = QueueAssignment.objects.get(item_id=answer["item"]["id"])
    assert answer == json.loads(json.dumps(QueueAssignmentSerializer(assignment).data))


# --- skips, for review ---------------------------------------------------------------------------


def test_data_people_see_skips_with_their_reasons_newest_first(client, ann, project, make_member):
    first, second, _third = (ItemFactory(project=project, priority=p) for p in (3, 2, 1))
    lease(client, project)
    lease(client, project)
    skip(client, project, first.pk, reason="not in guidelines")
    skip(client, project, second.pk, reason="<script>alert(1)</script>")
    engineer = APIClient()
    engineer.force_authenticate(make_member(Role.ML_ENGINEER, proj=project))

    response = engineer.get(url(project, "skips/"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["item"], r["item_external_id"], r["reason"]) for r in rows] == [
        (second.pk, second.external_id, "<script>alert(1)</script>"),
        (first.pk, first.external_id, "not in guidelines"),
    ]
    assert {r["user"] for r in rows} == {ann.username}


def test_the_skips_list_shows_only_this_projects_skips(client, project, make_member):
    item = ItemFactory(project=project)
    lease(client, project)
    skip(client, project, item.pk, reason="unsure")
    other = ProjectFactory()
    other_admin = APIClient()
    other_admin.force_authenticate(make_member(Role.ADMIN, proj=other))

    theirs = other_admin.get(url(other, "skips/"))
    ours = other_admin.get(url(project, "skips/"))

    assert theirs.json()["results"] == []
    assert ours.status_code == 404


def test_the_skips_list_keeps_its_query_count_flat(
    client, project, make_member, django_assert_max_num_queries
):
    for n in range(5):
        ItemFactory(project=project, priority=10 - n)
    for _ in range(5):
        item_id = lease(client, project)
        skip(client, project, item_id, reason="unsure")
    engineer = APIClient()
    engineer.force_authenticate(make_member(Role.ML_ENGINEER, proj=project))

    with django_assert_max_num_queries(4):
        response = engineer.get(url(project, "skips/"))

    assert response.json()["count"] == 5
