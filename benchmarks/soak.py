"""Soak: people and a platform use Tandem for a while, and the worker is killed once.

A Tandem of its own (``stack``: private PostgreSQL and Redis, gunicorn, one Celery worker with
beat) serves, for ``--seconds`` (default 120):

- 16 annotators (``--annotators``), each looping ``queue/next`` → ``submit`` with a client key
  (sent again with the same key after an error) on a project of real texts that retrains every
  500 labels on the worker;
- a platform sending intake at a steady rate (``--intake-rate``, default 8 per second, over 4
  connections), one in five texts a hash-bank match that the policy removes by itself (a
  decision and a webhook);
- 2 moderators taking and deciding the rest (each decision a webhook);
- a webhook receiver on 127.0.0.1 that records every delivery.

At a third of the run the worker is killed (``kill -9`` of its process group) and started again
after ``--down`` seconds. When the clients stop, the webhook backlog and the training jobs are
given time to settle; then the database is compared with what the clients were told. Printed
as a table and written to ``benchmarks/results/soak.json``:

- ``requests``, ``server_errors`` (answers ≥ 500; target 0), ``connection_errors``;
- ``duplicates``: items handed to two annotators, annotations / contents / final decisions /
  deliveries stored twice, decisions that reached the receiver under two delivery ids (target 0);
- ``lost``: acknowledged annotations, contents or decisions missing from the database, final
  decisions without a delivered webhook or never seen by the receiver (target 0);
- ``jobs_not_ended``: training jobs still queued or running at the end (target 0);
- ``p95_next_ms``, ``p95_submit_ms``, ``p95_intake_ms``, ``p95_decide_ms``: per phase
  (``before`` the kill, ``during``: until the new worker is ready, ``after``).

    python benchmarks/soak.py [--seconds 120] [--annotators 16] [--intake-rate 8] [--down 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from bench_common import real_texts
from stack import (
    Api,
    PrivatePostgres,
    PrivateRedis,
    Stack,
    WebhookReceiver,
    expect,
    moderation_create,
    people,
    project_create,
    template_database,
    wait_until,
)

RESULTS = Path(__file__).resolve().parent / "results"
SECRET = "whsec-soak"  # noqa: S105 - the test receiver's signing secret
ITEMS = 20_000
BANNED = 20  # hash-bank texts
MODERATORS = 2
# Platform connections sending intake (each waits for its answers).
INTAKE_SENDERS = 4
PHASES = ("before", "during", "after")


@dataclass
class Record:
    at: float  # seconds since the start of the run
    kind: str
    status: int  # 0: no answer (connection error)
    ms: float


@dataclass
class Ledger:
    """Everything the clients saw and were told."""

    started: float = field(default_factory=time.monotonic)
    records: list[Record] = field(default_factory=list)
    handed: list[tuple[int, str]] = field(default_factory=list)  # (item, annotator)
    annotations: dict[str, int] = field(default_factory=dict)  # client key -> annotation id
    contents: dict[str, int] = field(default_factory=dict)  # external id -> content id
    decisions: dict[int, int] = field(default_factory=dict)  # content id -> decision id
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def call(self, kind: str, api: Api, path: str, body=None):
        """POST; the answer, or None after a connection error (recorded either way)."""
        at = time.monotonic() - self.started
        try:
            answer = api.post(path, body)
        except OSError:
            with self.lock:
                self.records.append(Record(at, kind, 0, 0.0))
            time.sleep(0.2)
            return None
        with self.lock:
            self.records.append(Record(at, kind, answer.status, answer.ms))
        if answer.status >= 500:
            time.sleep(0.2)
            return None
        return answer

    def note(self, what: str) -> None:
        with self.lock:
            if len(self.unexpected) < 50:
                self.unexpected.append(what)


def annotator(ledger: Ledger, api: Api, name: str, project_id: int, classes: list[str]) -> None:
    base = f"/api/v1/projects/{project_id}"
    rng = np.random.default_rng(int(name.lstrip("a")))
    while not ledger.stop.is_set():
        answer = ledger.call("next", api, f"{base}/queue/next/")
        if answer is None:
            continue
        if answer.status != 200:
            ledger.note(f"next {answer!r}")
            time.sleep(1)
            continue
        assignment = answer.data["assignment"]
        if assignment is None:
            time.sleep(0.5)
            continue
        item = assignment["item"]["id"]
        with ledger.lock:
            ledger.handed.append((item, name))
        suggestion = assignment.get("suggestion") or {}
        labels = suggestion.get("labels") or [classes[int(rng.integers(len(classes)))]]
        body = {"labels": labels, "client_key": uuid.uuid4().hex, "time_on_item_ms": 800}
        # Sent until it is acknowledged, with the same key: a retry never stores twice.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            answer = ledger.call("submit", api, f"{base}/queue/items/{item}/submit/", body)
            if answer is None:
                continue
            if answer.status in (200, 201):
                with ledger.lock:
                    ledger.annotations[body["client_key"]] = answer.data["id"]
            else:
                ledger.note(f"submit {answer!r}")
            break


def platform(
    ledger: Ledger,
    api: Api,
    policy_id: int,
    texts: list[str],
    banned: list[str],
    rate: float,
    *,
    sender: int,
    senders: int,
) -> None:
    """Content number ``sender``, ``sender + senders``, … at its due time (``n / rate`` s
    after the start): together the senders keep the rate while answers take longer than
    ``1 / rate``. A content is sent again with its external id until it is accepted."""
    n = sender
    while not ledger.stop.is_set():
        due = ledger.started + n / rate
        time.sleep(max(0.0, due - time.monotonic()))
        text = banned[n % len(banned)] if n % 5 == 0 else texts[n % len(texts)]
        body = {
            "policy": policy_id,
            "external_id": f"soak-{n}",
            "author_id": f"member-{n % 97}",
            "text": text,
        }
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            answer = ledger.call("intake", api, "/api/v1/platform/intake/", body)
            if answer is None:
                continue
            if answer.status in (200, 201):
                with ledger.lock:
                    ledger.contents[body["external_id"]] = answer.data["content_id"]
            else:
                ledger.note(f"intake {answer!r}")
            break
        n += senders


def moderator(ledger: Ledger, api: Api) -> None:
    turn = 0
    while not ledger.stop.is_set():
        answer = ledger.call(
            "review_next", api, "/api/v1/moderation/queue/next/", {"tier": "standard"}
        )
        if answer is None:
            continue
        if answer.status != 200:
            ledger.note(f"review next {answer!r}")
            time.sleep(1)
            continue
        content = answer.data["content"]
        if content is None:
            time.sleep(0.5)
            continue
        turn += 1
        action, code = ("remove", "SPAM-1") if turn % 2 else ("approve", "OK-1")
        path = f"/api/v1/moderation/contents/{content['id']}/decide/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            answer = ledger.call("decide", api, path, {"action": action, "reason_code": code})
            if answer is None:
                continue
            if answer.status == 201:
                with ledger.lock:
                    ledger.decisions[content["id"]] = answer.data["id"]
            elif answer.status != 409:  # 409: our earlier attempt was stored after all
                ledger.note(f"decide {answer!r}")
            break
        time.sleep(0.3)


# --- checks ----------------------------------------------------------------------------------


def check(
    stack: Stack,
    ledger: Ledger,
    receiver: WebhookReceiver,
    *,
    project_id: int,
    platform_id: int,
    endpoint_id: int,
) -> tuple[dict, dict, dict]:
    """Duplicates, losses and the end state of the worker's jobs, from the database."""
    handed = {}
    for item, _name in ledger.handed:
        handed[item] = handed.get(item, 0) + 1
    stored = dict(
        stack.query(
            "SELECT a.client_key, a.id FROM labeling_annotation a JOIN labeling_item i "
            "ON i.id = a.item_id WHERE i.project_id = %s AND a.source = 'human'",
            [project_id],
        )
    )
    labeled_twice = stack.scalar(
        "SELECT COUNT(*) FROM (SELECT a.item_id FROM labeling_annotation a JOIN labeling_item i "
        "ON i.id = a.item_id WHERE i.project_id = %s AND a.source = 'human' "
        "GROUP BY a.item_id HAVING COUNT(*) > 1) AS twice",
        [project_id],
    )
    contents = stack.query(
        "SELECT external_id, id FROM moderation_content WHERE platform_id = %s", [platform_id]
    )
    decisions = stack.query(
        "SELECT d.id, d.content_id, d.automated FROM moderation_decision d "
        "JOIN moderation_content c ON c.id = d.content_id "
        "WHERE c.platform_id = %s AND d.is_final AND NOT d.superseded",
        [platform_id],
    )
    deliveries = stack.query(
        "SELECT id, status, payload FROM moderation_webhookdelivery WHERE endpoint_id = %s",
        [endpoint_id],
    )
    per_decision: dict[int, list[str]] = {}
    for _id, status, payload in deliveries:
        per_decision.setdefault((payload.get("decision") or {}).get("id"), []).append(status)
    received = receiver.delivery_ids_by_decision()
    decision_ids = {d[0] for d in decisions}
    content_ids = [c[1] for c in contents]
    stored_decisions = {content_id: decision_id for decision_id, content_id, _ in decisions}

    duplicates = {
        "assignments": sum(1 for count in handed.values() if count > 1),
        "annotations": labeled_twice,
        "contents": len(content_ids) - len(set(content_ids)),
        "decisions": len(decisions) - len({d[1] for d in decisions}),
        "deliveries": sum(len(statuses) - 1 for statuses in per_decision.values()),
        "delivery_ids": sum(1 for ids in received.values() if len(ids) > 1),
    }
    lost = {
        "annotations": sum(1 for key, pk in ledger.annotations.items() if stored.get(key) != pk),
        "contents": sum(
            1
            for external_id, pk in ledger.contents.items()
            if dict(contents).get(external_id) != pk
        ),
        "decisions": sum(
            1
            for content_id, pk in ledger.decisions.items()
            if stored_decisions.get(content_id) != pk
        ),
        "deliveries": sum(1 for d in decision_ids if "delivered" not in per_decision.get(d, [])),
        "received": len(decision_ids - set(received)),
    }
    jobs = dict(
        stack.query(
            "SELECT status, COUNT(*) FROM models_app_trainingjob GROUP BY status ORDER BY status"
        )
    )
    totals = {
        "items_handed": len(ledger.handed),
        "annotations_acknowledged": len(ledger.annotations),
        "annotations_stored": len(stored),
        "contents_acknowledged": len(ledger.contents),
        "decisions_by_moderators": len(ledger.decisions),
        "final_decisions": len(decisions),
        "automatic_decisions": sum(1 for d in decisions if d[2]),
        "deliveries": len(deliveries),
        "webhook_requests_received": len(receiver.snapshot()),
        "training_jobs": jobs,
        "undelivered": [
            {
                "delivery": pk,
                "status": status,
                "created_at": created.isoformat(),
                "attempts": attempts,
                "decision": (payload.get("decision") or {}).get("id"),
            }
            for pk, status, created, attempts, payload in stack.query(
                "SELECT id, status, created_at, attempts, payload FROM moderation_webhookdelivery "
                "WHERE endpoint_id = %s AND status <> 'delivered' ORDER BY id",
                [endpoint_id],
            )
        ],
    }
    return duplicates, lost, totals


def p95(records: list[Record], kind: str, window: tuple[float, float]) -> float | None:
    values = [
        r.ms for r in records if r.kind == kind and r.status and window[0] <= r.at < window[1]
    ]
    return round(float(np.percentile(values, 95)), 1) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--annotators", type=int, default=16)
    parser.add_argument("--intake-rate", type=float, default=8.0, help="contents per second")
    parser.add_argument("--down", type=float, default=5.0, help="seconds without a worker")
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.json")
    args = parser.parse_args()

    texts = real_texts()
    banned, texts = texts[:BANNED], texts[BANNED:]
    postgres, redis = PrivatePostgres(), PrivateRedis()
    work = Path(tempfile.mkdtemp(prefix="tandem-soak-"))
    stack = None
    try:
        postgres.start()
        redis.start()
        template = template_database(postgres)
        postgres.create_database("soak", template=template)
        stack = Stack(
            postgres=postgres,
            redis=redis,
            dbname="soak",
            work_dir=work,
            env_overrides={
                "CELERY_BROKER_VISIBILITY_TIMEOUT": "60",
                "TANDEM_WEBHOOK_BACKOFF_SECONDS": "1,2,5,10,20",
                "TANDEM_EMBED_AFTER_IMPORT": "true",
            },
        )
        with WebhookReceiver(SECRET) as receiver:
            result = run(stack, receiver, args, texts, banned)
    finally:
        if stack is not None:
            stack.close()
        redis.destroy()
        postgres.destroy()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}; logs in {work}")


def run(stack: Stack, receiver: WebhookReceiver, args, texts: list[str], banned: list[str]) -> dict:
    stack.start_web(workers=2, threads=8)
    stack.start_worker(beat=True)
    admin = stack.admin()
    print("setting up: project, import, annotators, policy, platform …", flush=True)
    classes = ["ham", "spam"]
    project_id = project_create(
        admin, name="Soak", classes=tuple(classes), embedder="hashing", retrain_every=500
    )
    rows = ["id,text"] + [
        f't-{n},"{texts[n % len(texts)].replace(chr(34), chr(39))}"' for n in range(ITEMS)
    ]
    job = expect(
        admin.upload(
            f"/api/v1/projects/{project_id}/imports/",
            filename="soak.csv",
            content=("\n".join(rows) + "\n").encode(),
        ),
        202,
    )
    wait_until(
        lambda: (
            admin.get(f"/api/v1/projects/{project_id}/imports/{job['id']}/").data["status"]
            in ("succeeded", "failed")
        ),
        timeout=300,
        what="the import",
    )
    annotators = people(
        stack,
        admin,
        project_id=project_id,
        role="annotator",
        names=[f"annotator-{n}" for n in range(args.annotators)],
    )
    setup = moderation_create(
        stack,
        admin,
        name="Soak community",
        automation_level="partial",
        webhook_url=receiver.url,
        webhook_secret=SECRET,
        banned_texts=tuple(banned),
    )
    moderators = people(
        stack,
        admin,
        project_id=setup.project_id,
        role="moderator",
        names=[f"moderator-{n}" for n in range(MODERATORS)],
    )

    print(
        f"running {args.seconds:.0f} s: {args.annotators} annotators, intake "
        f"{args.intake_rate:g}/s, {MODERATORS} moderators …",
        flush=True,
    )
    load_start = [round(x, 2) for x in os.getloadavg()]
    ledger = Ledger()
    threads = [
        threading.Thread(target=annotator, args=(ledger, api, f"a{n}", project_id, classes))
        for n, api in enumerate(annotators)
    ]
    threads += [
        threading.Thread(
            target=platform,
            args=(
                ledger,
                stack.api(bearer=setup.platform.auth.split()[1]),
                setup.policy_id,
                texts,
                banned,
                args.intake_rate,
            ),
            kwargs={"sender": sender, "senders": INTAKE_SENDERS},
        )
        for sender in range(INTAKE_SENDERS)
    ]
    threads += [threading.Thread(target=moderator, args=(ledger, api)) for api in moderators]
    for thread in threads:
        thread.daemon = True
        thread.start()

    kill_at = args.seconds / 3
    time.sleep(max(0.0, ledger.started + kill_at - time.monotonic()))
    stack.kill_worker()
    killed = time.monotonic() - ledger.started
    time.sleep(args.down)
    stack.start_worker(beat=True)
    back = time.monotonic() - ledger.started
    print(f"worker killed at {killed:.1f} s, a new one ready at {back:.1f} s", flush=True)
    time.sleep(max(0.0, ledger.started + args.seconds - time.monotonic()))
    ledger.stop.set()
    for thread in threads:
        thread.join(timeout=150)
    ended = time.monotonic() - ledger.started

    # The webhook backlog drains (retries, and anything the killed worker held) and the jobs
    # the labels started end.
    drain_started = time.monotonic()
    with contextlib.suppress(TimeoutError):
        wait_until(
            lambda: (
                not stack.scalar(
                    "SELECT (SELECT COUNT(*) FROM moderation_webhookdelivery"
                    " WHERE status = 'pending') + (SELECT COUNT(*) FROM models_app_trainingjob"
                    " WHERE status IN ('queued', 'running'))"
                )
            ),
            timeout=240,
            what="the webhook backlog and the training jobs",
            interval=1,
        )
    drained_s = round(time.monotonic() - drain_started, 1)

    duplicates, lost, totals = check(
        stack,
        ledger,
        receiver,
        project_id=project_id,
        platform_id=setup.platform_id,
        endpoint_id=setup.endpoint_id,
    )
    print(f"clients stopped at {ended:.1f} s", flush=True)
    windows = {"before": (0, killed), "during": (killed, back), "after": (back, ended + 1)}
    records = ledger.records
    phases = {}
    for phase, window in windows.items():
        in_phase = [r for r in records if window[0] <= r.at < window[1]]
        phases[phase] = {
            "seconds": round(window[1] - window[0], 1),
            "requests": len(in_phase),
            "server_errors": sum(1 for r in in_phase if r.status >= 500),
            "connection_errors": sum(1 for r in in_phase if r.status == 0),
            **{
                f"p95_{kind}_ms": p95(records, kind, window)
                for kind in ("next", "submit", "intake", "decide")
            },
        }
    result = {
        "seconds": round(ended, 1),
        "annotators": args.annotators,
        "moderators": MODERATORS,
        "intake_rate_per_s": args.intake_rate,
        "worker_killed_at_s": round(killed, 1),
        "worker_back_at_s": round(back, 1),
        "drained_s": drained_s,
        "jobs_not_ended": sum(
            count
            for status, count in totals["training_jobs"].items()
            if status in ("queued", "running")
        ),
        "intake_per_s": round(len(ledger.contents) / ended, 2),
        "load_average": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()]},
        "requests": len(records),
        "server_errors": sum(1 for r in records if r.status >= 500),
        "connection_errors": sum(1 for r in records if r.status == 0),
        "unexpected_answers": ledger.unexpected[:10],
        "duplicates": sum(duplicates.values()),
        "duplicates_by_kind": duplicates,
        "lost": sum(lost.values()),
        "lost_by_kind": lost,
        "p95_next_ms": {p: phases[p]["p95_next_ms"] for p in PHASES},
        "p95_submit_ms": {p: phases[p]["p95_submit_ms"] for p in PHASES},
        "p95_intake_ms": {p: phases[p]["p95_intake_ms"] for p in PHASES},
        "p95_decide_ms": {p: phases[p]["p95_decide_ms"] for p in PHASES},
        "phases": phases,
        "totals": totals,
        "targets": "0 server errors, 0 duplicates, 0 lost",
    }
    print_table(result)
    return result


def print_table(result: dict) -> None:
    print()
    print(
        f"soak: {result['seconds']:.0f} s, {result['annotators']} annotators, "
        f"{result['moderators']} moderators, intake {result['intake_rate_per_s']:g}/s; worker "
        f"killed at {result['worker_killed_at_s']:.0f} s, back at "
        f"{result['worker_back_at_s']:.0f} s"
    )
    header = (
        "phase",
        "seconds",
        "requests",
        "5xx",
        "conn err",
        "next p95",
        "submit p95",
        "intake p95",
        "decide p95",
    )
    print("  ".join(f"{h:>10}" for h in header))

    def cell(value) -> str:
        return "-" if value is None else f"{value:g}"

    for phase in PHASES:
        row = result["phases"][phase]
        values = (
            phase,
            row["seconds"],
            row["requests"],
            row["server_errors"],
            row["connection_errors"],
            row["p95_next_ms"],
            row["p95_submit_ms"],
            row["p95_intake_ms"],
            row["p95_decide_ms"],
        )
        print("  ".join(f"{v:>10}" if isinstance(v, str) else f"{cell(v):>10}" for v in values))
    print(
        f"requests {result['requests']}, server errors {result['server_errors']}, "
        f"connection errors {result['connection_errors']} (target 0)"
    )
    print(
        "duplicates "
        + str(result["duplicates"])
        + " (target 0): "
        + ", ".join(f"{k} {v}" for k, v in result["duplicates_by_kind"].items())
    )
    print(
        "lost "
        + str(result["lost"])
        + " (target 0): "
        + ", ".join(f"{k} {v}" for k, v in result["lost_by_kind"].items())
    )
    totals = result["totals"]
    print(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in totals.items() if k != "undelivered"))
    for row in totals["undelivered"]:
        print(f"  not delivered: {row}")
    print(
        f"jobs not ended (queued / running): {result['jobs_not_ended']} (target 0); webhook "
        f"backlog and jobs settled {result['drained_s']} s after the clients stopped"
    )
    print(f"intake achieved {result['intake_per_s']}/s; load average {result['load_average']}")
    if result["unexpected_answers"]:
        print("unexpected answers (first ones):")
        for line in result["unexpected_answers"]:
            print("  " + line[:300])


if __name__ == "__main__":
    main()
