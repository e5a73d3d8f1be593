"""Many annotators draining one queue at once, through the HTTP API, on PostgreSQL.

Each process is one annotator with its own client and its own database connection, looping
next -> submit until the queue has nothing left for them. Afterwards: nobody was handed an item
someone else held (or, with overlap, more people than the overlap allows), every item has exactly
the configured number of annotations from different people, and every accepted submission is
stored once. SQLite serialises every write, so there is no concurrency to test there.
"""

import multiprocessing
import random
import threading
import time
import traceback
from collections import Counter, defaultdict

import pytest
from django.db import connection, connections
from django.db.models import F
from rest_framework.test import APIClient

from labeling.choices import AnnotationSource, AssignmentState, Role
from labeling.models import Annotation, Item, QueueAssignment
from labeling.services.imports.readers.rows import text_hash
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ANNOTATORS = 16
# Enough for every annotator to collide many times over (each holds up to 5 items at once); more
# items lengthen the run without making a collision likelier per request.
ITEMS = 800


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL): SQLite runs one write transaction at a time, so "
            "concurrent annotators cannot collide there"
        )


def make_queue(*, annotations_per_item: int, items: int = ITEMS):
    project = ProjectFactory(annotations_per_item=annotations_per_item, retrain_every=0)
    rng = random.Random(7)
    Item.objects.bulk_create(
        [
            Item(
                project=project,
                external_id=f"c{n}",
                text=f"message {n}",
                content_hash=text_hash(f"message {n}"),
                priority=rng.random(),
            )
            for n in range(items)
        ],
        batch_size=1_000,
    )
    users = [UserFactory() for _ in range(ANNOTATORS)]
    for user in users:
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    return project, users


def work_left_for(project, user) -> bool:
    """Whether an item still needs this user (the next-item query without SKIP LOCKED)."""
    return (
        Item.objects.filter(project=project, queue_done=False)
        .exclude(assignments__user=user)
        .alias(taken=F("queue_annotations") + F("queue_leases"))
        .filter(taken__lt=project.annotations_per_item)
        .exists()
    )


def annotate_until_empty(project, user, seed: int) -> list[tuple]:
    """One annotator: next -> submit until nothing is left for them. Returns what they did:
    ``(item id, user id, leased at, submitted at, submit status, annotation id)``."""
    rng = random.Random(seed)
    client = APIClient()
    client.force_authenticate(user)
    base = f"/api/v1/projects/{project.pk}/queue/"
    done: list[tuple] = []
    while True:
        response = client.post(f"{base}next/", {}, format="json")
        assert response.status_code == 200, response.content
        assignment = response.json()["assignment"]
        if assignment is None:
            # Another annotator may have been locking the last open item at that instant
            # (SKIP LOCKED passes it by): ask again while work is left.
            if not work_left_for(project, user):
                return done
            time.sleep(0.01)
            continue
        leased_at = time.monotonic()
        item_id = assignment["item"]["id"]
        submitted = client.post(
            f"{base}items/{item_id}/submit/",
            {"labels": [rng.choice(["ham", "spam"])], "client_key": f"{user.pk}-{len(done)}"},
            format="json",
        )
        done.append(
            (item_id, user.pk, leased_at, time.monotonic(), submitted.status_code,
             submitted.json().get("id"))
        )  # fmt: skip


def drain(project, users) -> tuple[list[tuple], list[str]]:
    """Run each annotator in its own process (forked: the test database and its data come
    along; Python's lock on the interpreter would otherwise run them one at a time) until the
    queue is empty. Returns everything they did, and the errors they met."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = context.Barrier(len(users))

    def annotator(user, seed: int) -> None:
        try:
            start.wait(timeout=60)
            results.put(("done", annotate_until_empty(project, user, seed)))
        except BaseException:
            results.put(("error", traceback.format_exc()))
        finally:
            connection.close()

    # A forked child must not share the parent's database connection.
    connections.close_all()
    processes = [
        context.Process(target=annotator, args=(user, n), name=f"annotator-{n}")
        for n, user in enumerate(users)
    ]
    for process in processes:
        process.start()
    log: list[tuple] = []
    errors: list[str] = []
    try:
        for _ in processes:
            kind, payload = results.get(timeout=600)
            if kind == "done":
                log.extend(payload)
            else:
                errors.append(payload)
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    return log, errors


def max_simultaneous_holders(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    held = peak = 0
    for _, change in events:
        held += change
        peak = max(peak, held)
    return peak


@pytest.mark.parametrize("overlap", [1, 3])
def test_sixteen_annotators_drain_the_queue_without_collisions_or_losses(overlap):
    project, users = make_queue(annotations_per_item=overlap)

    log, errors = drain(project, users)

    assert errors == []
    assert {status for *_, status, _ in log} == {201}
    by_item: dict[int, list[tuple]] = defaultdict(list)
    for entry in log:
        by_item[entry[0]].append(entry)
    # Nobody held an item that more people than the overlap allows were holding at that time.
    assert (
        max(max_simultaneous_holders([(e[2], e[3]) for e in held]) for held in by_item.values())
        <= overlap
    )
    # Every item, exactly ``overlap`` annotations, from as many different people.
    annotations = Annotation.objects.filter(item__project=project, source=AnnotationSource.HUMAN)
    per_item = Counter(annotations.values_list("item_id", flat=True))
    assert len(per_item) == ITEMS
    assert set(per_item.values()) == {overlap}
    pairs = list(annotations.values_list("item_id", "annotator_id"))
    assert len(set(pairs)) == len(pairs)
    # No submission lost or stored twice: what the clients were told is what is stored.
    assert len(log) == annotations.count() == ITEMS * overlap
    assert {e[5] for e in log} == set(annotations.values_list("id", flat=True))
    # The assignment rows agree: one submitted row per annotation, and nothing else happened.
    assert Counter(
        QueueAssignment.objects.filter(project=project).values_list("state", flat=True)
    ) == {AssignmentState.SUBMITTED: ITEMS * overlap}
    counters = set(
        Item.objects.filter(project=project).values_list(
            "queue_annotations", "queue_leases", "queue_done"
        )
    )
    assert counters == {(overlap, 0, True)}
    # Everyone got work.
    assert len({e[1] for e in log}) == ANNOTATORS


def test_the_same_submission_sent_twice_at_once_is_stored_once():
    project, users = make_queue(annotations_per_item=1, items=20)
    client = APIClient()
    client.force_authenticate(users[0])
    base = f"/api/v1/projects/{project.pk}/queue/"
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    for round_ in range(10):
        item_id = client.post(f"{base}next/", {}, format="json").json()["assignment"]["item"]["id"]
        start = threading.Barrier(2)

        def send(item_id=item_id, key=f"twice-{round_}", start=start) -> None:
            twin = APIClient()
            twin.force_authenticate(users[0])
            try:
                start.wait()
                response = twin.post(
                    f"{base}items/{item_id}/submit/",
                    {"labels": ["spam"], "client_key": key},
                    format="json",
                )
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
    assert Annotation.objects.filter(item__project=project).count() == 10
    assert len({annotation_id for _, annotation_id in results}) == 10
    assert Item.objects.filter(project=project, queue_done=True).count() == 10


def round_trip_until_empty(project, user, seed: int, start: threading.Barrier) -> list[tuple]:
    """One annotator labeling with one request per item: a single ``next`` to start, then each
    submit asks for the next item. Returns ``(item id, user id, leased at, submitted at, submit
    status, annotation id)`` per label."""
    rng = random.Random(seed)
    client = APIClient()
    client.force_authenticate(user)
    base = f"/api/v1/projects/{project.pk}/queue/"
    done: list[tuple] = []
    try:
        start.wait(timeout=60)
        offered = client.post(f"{base}next/", {}, format="json").json()
        leased_at = time.monotonic()
        while True:
            assignment = offered["assignment"]
            if assignment is None:
                if not work_left_for(project, user):
                    return done
                time.sleep(0.01)
                offered = client.post(f"{base}next/", {}, format="json").json()
                leased_at = time.monotonic()
                continue
            item_id = assignment["item"]["id"]
            response = client.post(
                f"{base}items/{item_id}/submit/",
                {"labels": [rng.choice(["ham", "spam"])], "client_key": f"{user.pk}-{len(done)}",
                 "next": True},
                format="json",
            )  # fmt: skip
            answered_at = time.monotonic()
            body = response.json()
            done.append(
                (item_id, user.pk, leased_at, answered_at, response.status_code, body["id"])
            )
            offered, leased_at = body["next"], answered_at
    finally:
        connection.close()


def test_sixteen_annotators_with_one_request_per_label_never_share_an_item():
    project, users = make_queue(annotations_per_item=1, items=600)
    start = threading.Barrier(len(users))
    logs: list[list[tuple]] = [[] for _ in users]
    errors: list[BaseException] = []

    def annotator(n: int, user) -> None:
        try:
            logs[n] = round_trip_until_empty(project, user, n, start)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=annotator, args=(n, u)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    log = [entry for entries in logs for entry in entries]
    assert {status for *_, status, _ in log} == {201}
    # Every lease a submit handed out went to one client only: no item was labeled twice, and
    # every item was labeled.
    handed = Counter(entry[0] for entry in log)
    assert set(handed.values()) == {1}
    assert len(handed) == 600
    assert Annotation.objects.filter(item__project=project).count() == 600
    assert Counter(
        QueueAssignment.objects.filter(project=project).values_list("state", flat=True)
    ) == {AssignmentState.SUBMITTED: 600}
    assert set(
        Item.objects.filter(project=project).values_list("queue_annotations", "queue_leases")
    ) == {(1, 0)}
    assert len({e[1] for e in log}) > 1
