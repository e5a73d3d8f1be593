"""PostgreSQL restarted under traffic: annotators take and submit items, a platform sends
intake. While the database is away every answer is a 503 with the JSON error body (or the
request succeeds), never an HTML error page; afterwards the same gunicorn processes answer
again, and no annotation or content is lost or stored twice."""

import threading
import time
import uuid
from dataclasses import dataclass, field

import psutil
import pytest

from benchmarks.stack import Answer, Api, Stack, expect, moderation_create, people, project_create
from tests.faults.helpers import IMPORT_DONE, csv_file, get_json, message, poll

pytestmark = [pytest.mark.faults, pytest.mark.worker]

ITEMS = 3_000
ANNOTATORS = 3
# Seconds the database stays away in the second outage (the first is a plain fast restart).
OUTAGE_SECONDS = 3


@dataclass
class Traffic:
    """What the clients saw: every answer (or connection error) and what was acknowledged."""

    answers: list[tuple[str, Answer | Exception]] = field(default_factory=list)
    annotations: dict[str, int] = field(default_factory=dict)  # client key → annotation id
    contents: dict[str, int] = field(default_factory=dict)  # external id → content id
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, what: str, answer: Answer | Exception) -> None:
        with self.lock:
            self.answers.append((what, answer))


def _call(traffic: Traffic, what: str, api: Api, path: str, body=None) -> Answer | None:
    """One POST; None when the caller should try again (503, or no connection)."""
    try:
        answer = api.post(path, body)
    except OSError as exc:
        traffic.record(what, exc)
        time.sleep(0.2)
        return None
    traffic.record(what, answer)
    if answer.status == 503:
        time.sleep(0.2)
        return None
    return answer


def _annotate(traffic: Traffic, api: Api, project_id: int) -> None:
    """next → submit (with a client key, the same key on every retry), until told to stop."""
    base = f"/api/v1/projects/{project_id}"
    while not traffic.stop.is_set():
        answer = _call(traffic, "next", api, f"{base}/queue/next/")
        if answer is None or answer.status != 200:
            if answer is not None:
                return  # an unexpected answer: recorded, and the test fails on it
            continue
        assignment = answer.data["assignment"]
        if assignment is None:
            return
        item = assignment["item"]["id"]
        key = uuid.uuid4().hex
        body = {"labels": ["ham"], "client_key": key, "time_on_item_ms": 700}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = _call(traffic, "submit", api, f"{base}/queue/items/{item}/submit/", body)
            if answer is None:
                continue
            if answer.status in (200, 201):
                with traffic.lock:
                    traffic.annotations[key] = answer.data["id"]
            break
        else:
            return


def _intake(traffic: Traffic, platform: Api, policy_id: int) -> None:
    """Content after content, each sent again with its external id until it is accepted."""
    n = 0
    while not traffic.stop.is_set():
        external_id = f"comment-{n}"
        body = {
            "policy": policy_id,
            "external_id": external_id,
            "author_id": f"user-{n % 7}",
            "text": message(n),
        }
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = _call(traffic, "intake", platform, "/api/v1/platform/intake/", body)
            if answer is None:
                continue
            if answer.status in (200, 201):
                with traffic.lock:
                    traffic.contents[external_id] = answer.data["content_id"]
            break
        else:
            return
        n += 1
        time.sleep(0.05)


def _web_processes(stack: Stack) -> tuple[int, set[int]]:
    master = psutil.Process(stack.web.pid)
    return master.pid, {child.pid for child in master.children()}


def test_postgres_restart_under_traffic_gives_json_503s_and_loses_nothing(stack: Stack):
    stack.start_web_and_worker()
    admin = stack.admin()
    project_id = project_create(admin, name="Support tickets", embedder="hashing", retrain_every=0)
    imported = expect(
        admin.upload(
            f"/api/v1/projects/{project_id}/imports/",
            filename="tickets.csv",
            content=csv_file(ITEMS),
        ),
        202,
    )["id"]
    poll(
        lambda: get_json(admin, f"/api/v1/projects/{project_id}/imports/{imported}/"),
        until=lambda job: job["status"] in IMPORT_DONE,
        timeout=60,
        what="the import",
    )
    annotators = people(
        stack,
        admin,
        project_id=project_id,
        role="annotator",
        names=[f"annotator-{n}" for n in range(ANNOTATORS)],
    )
    setup = moderation_create(stack, admin, name="Comments")
    before = _web_processes(stack)

    traffic = Traffic()
    threads = [
        threading.Thread(target=_annotate, args=(traffic, api, project_id), daemon=True)
        for api in annotators
    ]
    threads.append(
        threading.Thread(
            target=_intake, args=(traffic, setup.platform, setup.policy_id), daemon=True
        )
    )
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        stack.postgres.restart("fast")
        time.sleep(2)
        stack.postgres.stop("fast")
        time.sleep(OUTAGE_SECONDS)
        stack.postgres.start()
        time.sleep(3)
    finally:
        stack.postgres.ensure_running()
        traffic.stop.set()
        for thread in threads:
            thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a client hung"

    # --- what the clients saw -----------------------------------------------------------------
    unexpected = [
        (what, answer)
        for what, answer in traffic.answers
        if isinstance(answer, Exception) or not (200 <= answer.status < 300 or answer.status == 503)
    ]
    assert not unexpected, f"answers other than 2xx or 503: {unexpected[:5]}"
    unavailable = [answer for _, answer in traffic.answers if answer.status == 503]
    assert unavailable, "no request met the outage: the clients did not test anything"
    assert all(answer.is_json and answer.data.get("message") for answer in unavailable), (
        f"503 without the JSON error body: {unavailable[:3]}"
    )
    assert not [a for _, a in traffic.answers if "html" in a.content_type]
    assert traffic.annotations, "no annotation was acknowledged"
    assert traffic.contents, "no content was acknowledged"

    # --- the same web processes answer again ----------------------------------------------------
    me = poll(
        lambda: annotators[0].get("/api/v1/auth/me/"),
        until=lambda answer: answer.status == 200,
        timeout=30,
        what="the web app to answer again",
    )
    assert me.data["username"] == "annotator-0"
    assert stack.web.alive()
    assert _web_processes(stack) == before, "gunicorn's processes were restarted"
    assignment = expect(annotators[1].post(f"/api/v1/projects/{project_id}/queue/next/"), 200)[
        "assignment"
    ]
    item = assignment["item"]["id"]
    expect(
        annotators[1].post(
            f"/api/v1/projects/{project_id}/queue/items/{item}/submit/",
            {"labels": ["spam"], "client_key": "after-the-restart"},
        ),
        201,
    )

    # --- nothing lost, nothing twice ------------------------------------------------------------
    stored = dict(
        stack.query(
            "SELECT a.client_key, a.id FROM labeling_annotation a "
            "JOIN labeling_item i ON i.id = a.item_id "
            "WHERE i.project_id = %s AND a.source = 'human' AND a.client_key <> %s",
            [project_id, "after-the-restart"],
        )
    )
    assert stored == traffic.annotations, "annotations lost or stored without acknowledgement"
    per_item = stack.query(
        "SELECT a.item_id, COUNT(*) FROM labeling_annotation a "
        "JOIN labeling_item i ON i.id = a.item_id WHERE i.project_id = %s "
        "GROUP BY a.item_id HAVING COUNT(*) > 1",
        [project_id],
    )
    assert per_item == [], "an item was labeled twice (it needs one label)"
    contents = dict(
        stack.query(
            "SELECT external_id, id FROM moderation_content WHERE platform_id = %s",
            [setup.platform_id],
        )
    )
    assert contents == traffic.contents, "intake lost or stored content without an answer"
