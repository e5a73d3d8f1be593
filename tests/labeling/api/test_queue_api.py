"""The annotation queue API as a client sees it: next, submit, skip, release, renew, undo,
progress and flags, and what bad input gets back (a clear 4xx, nothing stored twice or lost)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from labeling.choices import AnnotationSource, AssignmentState, Role
from labeling.models import Annotation, Item, QueueAssignment
from models_app.choices import Stage
from models_app.services.registry import model_version_register, model_version_set_stage
from tests.factories import AnnotationFactory, ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ITEM_KEYS = {
    "id",
    "external_id",
    "text",
    "image_url",
    "thumbnail_url",
    "media_restricted",
    "metadata",
}
ANNOTATION_KEYS = {
    "id",
    "item",
    "labels",
    "outcome",
    "suggested_labels",
    "suggested_by_version",
    "time_on_item_ms",
    "client",
    "client_key",
    "created_at",
    "updated_at",
}


@pytest.fixture
def project():
    return ProjectFactory(retrain_every=0)


@pytest.fixture
def ann(make_member, project):
    return make_member(Role.ANNOTATOR, proj=project)


@pytest.fixture
def client(api, ann):
    return api.as_user(ann)


def member_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(project, path=""):
    return f"/api/v1/projects/{project.pk}/{path}"


def model_version(project, roc_auc=0.8):
    return model_version_register(
        owner=project.owner_key,
        algorithm="logreg",
        embedder="hashing@v1",
        snapshot_id="s",
        snapshot_hash="h",
        label_count=10,
        hyperparameters={},
        metrics={"roc_auc": roc_auc},
        artifact=b"npz",
    )


def take_next(client, project) -> dict:
    response = client.post(url(project, "queue/next/"), {}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def submit(api_client, project, item_id, labels, key="k1", **fields):
    return api_client.post(
        url(project, f"queue/items/{item_id}/submit/"),
        {"labels": labels, "client_key": key, **fields},
        format="json",
    )


def assert_refused(response, status: int, text: str = ""):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert text in body["message"]


# --- next and submit ---------------------------------------------------------------------------


def test_next_returns_the_item_with_the_models_proposal(client, project):
    version = model_version(project)
    item = ItemFactory(
        project=project, predicted_label="spam", confidence=0.75, scored_by=version, priority=1
    )

    body = take_next(client, project)

    assignment = body["assignment"]
    assert set(assignment) == {"item", "suggestion", "leased_at", "expires_at"}
    assert set(assignment["item"]) == ITEM_KEYS
    assert assignment["item"]["id"] == item.pk
    assert assignment["item"]["text"] == item.text
    assert assignment["suggestion"] == {
        "labels": ["spam"],
        "confidence": 0.75,
        "model_version": version.version,
        "source": "model",
    }
    assert body["message"] == ""


def test_next_says_so_when_nothing_is_left(client, project):
    body = take_next(client, project)

    assert body["assignment"] is None
    assert "Nothing left" in body["message"]


def test_the_queue_never_shows_other_annotators_labels(client, project, make_member):
    project.annotations_per_item = 2
    project.save()
    item = ItemFactory(project=project)
    other = member_client(make_member(Role.ANNOTATOR, proj=project))
    other_item = take_next(other, project)["assignment"]["item"]["id"]
    assert submit(other, project, other_item, ["spam"], key="o1").status_code == 201

    assignment = take_next(client, project)["assignment"]

    assert assignment["item"]["id"] == item.pk
    assert "spam" not in str(assignment)
    assert set(assignment["item"]) == ITEM_KEYS


def test_accepting_the_proposal_is_stored_with_its_outcome(client, project):
    version = model_version(project)
    item = ItemFactory(project=project, predicted_label="spam", scored_by=version)
    take_next(client, project)

    response = submit(
        client, project, item.pk, ["spam"], key="a-1", time_on_item_ms=900, client="web"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    # ``next`` is null unless the submit asked for the next item (test_queue_round_trip.py).
    assert set(body) == ANNOTATION_KEYS | {"next"}
    assert body["next"] is None
    assert {k: body[k] for k in ("item", "labels", "outcome", "suggested_labels")} == {
        "item": item.pk,
        "labels": ["spam"],
        "outcome": "accepted",
        "suggested_labels": ["spam"],
    }
    assert (body["suggested_by_version"], body["time_on_item_ms"]) == (version.version, 900)
    assert (body["client"], body["client_key"]) == ("web", "a-1")


def test_double_submit_with_the_same_key_stores_one_annotation(client, project):
    item = ItemFactory(project=project)
    take_next(client, project)

    first = submit(client, project, item.pk, ["ham"], key="same")
    second = submit(client, project, item.pk, ["ham"], key="same")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Annotation.objects.count() == 1
    item.refresh_from_db()
    assert (item.queue_annotations, item.queue_leases) == (1, 0)


def test_a_new_key_on_an_answered_item_is_refused(client, project):
    item = ItemFactory(project=project)
    take_next(client, project)
    submit(client, project, item.pk, ["ham"], key="one")

    response = submit(client, project, item.pk, ["spam"], key="two")

    assert_refused(response, 409, "already labeled")
    assert list(Annotation.objects.values_list("labels", flat=True)) == [["ham"]]


# --- bad input ---------------------------------------------------------------------------------


def test_submit_without_a_lease_is_refused(client, project):
    item = ItemFactory(project=project)

    assert_refused(submit(client, project, item.pk, ["ham"]), 409, "do not hold a lease")
    assert Annotation.objects.count() == 0


def test_submit_for_an_item_of_another_project_is_not_found(client, project, make_member):
    other = ProjectFactory()
    foreign = ItemFactory(project=other)

    response = submit(client, project, foreign.pk, ["ham"])

    assert_refused(response, 404)
    assert Annotation.objects.count() == 0


def test_submit_with_a_label_not_in_the_project_is_refused(client, project):
    item = ItemFactory(project=project)
    take_next(client, project)

    response = submit(client, project, item.pk, ["eggs"])

    assert_refused(response, 400, "Not a label class")
    assert response.json()["extra"]["unknown"] == ["eggs"]
    assert Annotation.objects.count() == 0
    # The lease still runs: the client can fix the label and submit again.
    assert submit(client, project, item.pk, ["ham"]).status_code == 201


def test_submit_on_an_expired_lease_is_refused(client, project):
    item = ItemFactory(project=project)
    take_next(client, project)
    QueueAssignment.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_refused(submit(client, project, item.pk, ["ham"]), 409, "expired")
    assert Annotation.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"labels": "ham", "client_key": "k"}, "labels"),
        ({"labels": ["ham"]}, "client_key"),
        ({"labels": ["ham"], "client_key": ""}, "client_key"),
        ({"labels": ["ham"], "client_key": "k" * 65}, "client_key"),
        ({"labels": ["ham"], "client_key": "k", "time_on_item_ms": -1}, "time_on_item_ms"),
        ({"labels": ["ham"], "client_key": "k", "time_on_item_ms": "soon"}, "time_on_item_ms"),
        ({"labels": ["ham"], "client_key": "k", "client": "telegraph"}, "client"),
        ({"labels": [["ham"]], "client_key": "k"}, "labels"),
    ],
)
def test_malformed_submissions_are_refused_naming_the_field(client, project, body, field):
    item = ItemFactory(project=project)
    take_next(client, project)

    response = client.post(url(project, f"queue/items/{item.pk}/submit/"), body, format="json")

    assert_refused(response, 400, field)
    assert Annotation.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(client, project):
    item = ItemFactory(project=project)
    take_next(client, project)

    response = client.post(
        url(project, f"queue/items/{item.pk}/submit/"),
        data=b"{labels: ham",
        content_type="application/json",
    )
    as_list = client.post(url(project, f"queue/items/{item.pk}/submit/"), ["ham"], format="json")

    assert_refused(response, 400)
    assert_refused(as_list, 400)
    assert Annotation.objects.count() == 0


def test_more_than_five_open_leases_are_refused(client, project):
    for _ in range(7):
        ItemFactory(project=project)
    for _ in range(5):
        take_next(client, project)

    response = client.post(url(project, "queue/next/"), {}, format="json")

    assert_refused(response, 409, "submit, skip or release")


# --- leases ------------------------------------------------------------------------------------


def test_open_assignments_list_the_callers_leases_oldest_first(client, project, make_member):
    first, second, _third = (ItemFactory(project=project, priority=p) for p in (3, 2, 1))
    take_next(client, project)
    take_next(client, project)
    other = member_client(make_member(Role.ANNOTATOR, proj=project))
    take_next(other, project)

    response = client.get(url(project, "queue/assignments/"))

    assert response.status_code == 200
    assert [a["item"]["id"] for a in response.json()["results"]] == [first.pk, second.pk]
    assert response.json()["count"] == 2


def test_renew_extends_the_lease_and_refuses_when_none_is_held(client, project):
    item, other = ItemFactory(project=project, priority=1), ItemFactory(project=project)
    leased = take_next(client, project)["assignment"]

    renewed = client.post(url(project, f"queue/items/{item.pk}/renew/"))
    not_held = client.post(url(project, f"queue/items/{other.pk}/renew/"))
    QueueAssignment.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post(url(project, f"queue/items/{item.pk}/renew/"))

    assert renewed.status_code == 200
    assert renewed.json()["expires_at"] >= leased["expires_at"]
    assert_refused(not_held, 409, "do not hold a lease")
    assert_refused(expired, 409, "expired")


def test_skip_and_release_answer_no_content_and_free_the_item(client, project):
    first, second = ItemFactory(project=project, priority=2), ItemFactory(project=project)
    take_next(client, project)
    take_next(client, project)

    skipped = client.post(
        url(project, f"queue/items/{first.pk}/skip/"), {"reason": "unreadable"}, format="json"
    )
    released = client.post(url(project, f"queue/items/{second.pk}/release/"))

    assert (skipped.status_code, released.status_code) == (204, 204)
    states = dict(QueueAssignment.objects.values_list("item_id", "state"))
    assert states == {first.pk: AssignmentState.SKIPPED, second.pk: AssignmentState.RELEASED}
    assert QueueAssignment.objects.get(item=first).skip_reason == "unreadable"
    assert list(Item.objects.values_list("queue_leases", flat=True)) == [0, 0]


def test_a_skip_reason_longer_than_500_characters_is_refused(client, project):
    item = ItemFactory(project=project)
    take_next(client, project)

    response = client.post(
        url(project, f"queue/items/{item.pk}/skip/"), {"reason": "x" * 501}, format="json"
    )

    assert_refused(response, 400, "reason")
    assert QueueAssignment.objects.get().state == AssignmentState.LEASED


# --- progress, history, undo -------------------------------------------------------------------


def test_stats_show_the_callers_progress_and_the_production_model(client, project):
    older = model_version(project, roc_auc=0.7)
    model_version_set_stage(version=older, stage=Stage.PRODUCTION)
    newer = model_version(project, roc_auc=0.8)
    model_version_set_stage(version=newer, stage=Stage.PRODUCTION)
    items = [
        ItemFactory(project=project, predicted_label="spam", scored_by=newer, priority=3 - n)
        for n in range(3)
    ]
    take_next(client, project)
    take_next(client, project)
    submit(client, project, items[0].pk, ["spam"], key="1")
    submit(client, project, items[1].pk, ["ham"], key="2")
    take_next(client, project)

    body = client.get(url(project, "queue/stats/")).json()

    assert {k: body[k] for k in ("done_today", "done_total", "acceptance_rate")} == {
        "done_today": 2,
        "done_total": 2,
        "acceptance_rate": 0.5,
    }
    assert (body["queue_size"], body["open_leases"]) == (0, 1)
    assert body["rate_per_hour"] > 0
    assert {k: body["model"][k] for k in ("version", "roc_auc", "previous_roc_auc")} == {
        "version": newer.version,
        "roc_auc": 0.8,
        "previous_roc_auc": 0.7,
    }


def test_stats_of_a_newcomer_are_zero_and_null(client, project):
    ItemFactory(project=project)

    body = client.get(url(project, "queue/stats/")).json()

    assert body == {
        "done_today": 0,
        "done_total": 0,
        "rate_per_hour": None,
        "acceptance_rate": None,
        "queue_size": 1,
        "open_leases": 0,
        "model": None,
    }


def test_history_lists_only_the_callers_own_labels_newest_first(client, project, make_member):
    project.annotations_per_item = 2
    project.save()
    first, second = ItemFactory(project=project, priority=1), ItemFactory(project=project)
    take_next(client, project)
    take_next(client, project)
    submit(client, project, first.pk, ["ham"], key="1")
    submit(client, project, second.pk, ["spam"], key="2")
    AnnotationFactory(item=first, source=AnnotationSource.IMPORT, labels=["spam"])
    other = member_client(make_member(Role.ANNOTATOR, proj=project))
    take_next(other, project)
    submit(other, project, first.pk, ["spam"], key="1")

    results = client.get(url(project, "queue/history/")).json()["results"]

    assert [(r["item"], r["labels"]) for r in results] == [
        (second.pk, ["spam"]),
        (first.pk, ["ham"]),
    ]


def test_undo_changes_the_stored_label(client, project):
    item = ItemFactory(project=project, predicted_label="spam")
    take_next(client, project)
    annotation_id = submit(client, project, item.pk, ["spam"]).json()["id"]

    response = client.patch(
        url(project, f"annotations/{annotation_id}/"), {"labels": ["ham"]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["labels"], response.json()["outcome"]) == (["ham"], "corrected")
    assert Annotation.objects.get().labels == ["ham"]


def test_undo_is_refused_for_someone_elses_label_and_after_a_day(client, project, make_member):
    item = ItemFactory(project=project)
    take_next(client, project)
    annotation_id = submit(client, project, item.pk, ["spam"]).json()["id"]
    other = member_client(make_member(Role.ANNOTATOR, proj=project))

    theirs = other.patch(
        url(project, f"annotations/{annotation_id}/"), {"labels": ["ham"]}, format="json"
    )
    Annotation.objects.update(created_at=timezone.now() - timedelta(hours=25))
    late = client.patch(
        url(project, f"annotations/{annotation_id}/"), {"labels": ["ham"]}, format="json"
    )
    unknown = client.patch(
        url(project, f"annotations/{annotation_id}/"), {"labels": ["eggs"]}, format="json"
    )

    assert_refused(theirs, 403, "your own")
    assert_refused(late, 409, "24 hours")
    assert unknown.status_code == 409  # the window is checked first: nothing about it changes
    assert Annotation.objects.get().labels == ["spam"]


# --- the direct label endpoint -----------------------------------------------------------------


def test_labeling_an_item_directly_takes_it_out_of_the_queue(client, project):
    item = ItemFactory(project=project)

    response = client.post(
        url(project, f"items/{item.pk}/annotations/"), {"labels": ["ham"]}, format="json"
    )

    assert response.status_code == 201
    item.refresh_from_db()
    assert (item.queue_annotations, item.queue_done) == (1, True)
    assert take_next(client, project)["assignment"] is None


# --- flags -------------------------------------------------------------------------------------


def test_flagging_is_idempotent_and_data_people_resolve_flags(client, project, make_member):
    item = ItemFactory(project=project, external_id="m-7")
    engineer = member_client(make_member(Role.ML_ENGINEER, proj=project))

    first = client.post(url(project, f"items/{item.pk}/flags/"), {"reason": "?"}, format="json")
    second = client.post(url(project, f"items/{item.pk}/flags/"), {}, format="json")
    open_flags = engineer.get(url(project, "flags/"), {"resolved": "false"}).json()["results"]
    resolved = engineer.post(url(project, f"flags/{first.json()['id']}/resolve/"))
    still_open = engineer.get(url(project, "flags/"), {"resolved": "false"}).json()["results"]
    done = engineer.get(url(project, "flags/"), {"resolved": "true"}).json()["results"]

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert [(f["item"], f["item_external_id"], f["reason"]) for f in open_flags] == [
        (item.pk, "m-7", "?")
    ]
    assert resolved.status_code == 200
    assert resolved.json()["resolved_by"] is not None
    assert resolved.json()["resolved_at"] is not None
    assert (still_open, [f["id"] for f in done]) == ([], [first.json()["id"]])


def test_list_endpoints_keep_their_query_count_flat(client, project, django_assert_max_num_queries):
    for n in range(5):
        ItemFactory(project=project, priority=10 - n)
    for n in range(4):
        assignment = take_next(client, project)["assignment"]
        submit(client, project, assignment["item"]["id"], ["ham"], key=str(n))
    take_next(client, project)

    with django_assert_max_num_queries(6):
        client.get(url(project, "queue/assignments/"))
    with django_assert_max_num_queries(6):
        client.get(url(project, "queue/history/"))
    with django_assert_max_num_queries(12):
        take_next(client, project)
