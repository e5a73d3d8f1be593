"""``kill -9`` of the Celery worker in the middle of an import, an embedding job, a training
job and a webhook delivery; then a new worker. Every job must end in a clear state (succeeded,
or failed with a reason the user sees), with nothing lost or stored twice."""

import time

import pytest

from benchmarks.stack import (
    Stack,
    WebhookReceiver,
    expect,
    moderation_create,
    people,
    project_create,
)
from tests.faults.helpers import (
    IMPORT_DONE,
    JOB_DONE,
    csv_file,
    get_json,
    message,
    poll,
)

pytestmark = [pytest.mark.faults, pytest.mark.worker]

# Large enough that the import, at tens of thousands of rows a second, is still running when
# the test sees its first batches land (batches of 100 rows commit one by one).
IMPORT_ROWS = 60_000
IMPORT_REPEATED = 2_000
# Long enough to be stopped half-way (the hashing embedder: ~10k items a second, in batches of
# 256), short enough to stay far below the visibility timeout.
EMBED_ITEMS = 12_000
# The training scenarios' project: a run (embed, fit on 3,000 labels, score) long enough to be
# stopped half-way, short enough to stay far below the visibility timeout.
TRAIN_ITEMS = 10_000
# How long a killed job may take to end: Redis hands the task to the new worker after the
# visibility timeout (25 s here) plus its restore scan (every 2 s).
RECOVERY_SECONDS = 120


def _import(stack: Stack, admin, project_id: int, content: bytes) -> int:
    answer = admin.upload(
        f"/api/v1/projects/{project_id}/imports/", filename="messages.csv", content=content
    )
    return expect(answer, 202)["id"]


def _finish_import(admin, path: str, stack: Stack) -> dict:
    """Wait for the import to end; if it ends failed (a product that leaves retrying to the
    user), retry it once, as the user would, and wait again."""
    job = poll(
        lambda: get_json(admin, path),
        until=lambda job: job["status"] in IMPORT_DONE,
        timeout=RECOVERY_SECONDS,
        what="the interrupted import to end",
    )
    if job["status"] == "failed":
        assert job["error_message"], "a failed import must say why"
        expect(admin.post(f"{path}retry/"), 202)
        job = poll(
            lambda: get_json(admin, path),
            until=lambda job: job["status"] in IMPORT_DONE,
            timeout=RECOVERY_SECONDS,
            what="the retried import to end",
        )
    return job


def test_import_interrupted_by_worker_kill_completes_without_duplicates(stack: Stack):
    stack.env_overrides["TANDEM_IMPORT_BATCH_SIZE"] = "100"
    stack.start_web_and_worker()
    admin = stack.admin()
    project_id = project_create(admin, name="Inbox import", embedder="hashing", retrain_every=0)
    content = csv_file(IMPORT_ROWS, repeated=IMPORT_REPEATED)
    job_id = _import(stack, admin, project_id, content)
    path = f"/api/v1/projects/{project_id}/imports/{job_id}/"

    at_kill = poll(
        lambda: get_json(admin, path),
        until=lambda job: job["status"] in IMPORT_DONE or job["items_created"] >= 5_000,
        timeout=60,
        what="the import's first batches",
        interval=0.05,
    )
    stack.kill_worker()
    assert at_kill["status"] == "running", f"the import was not mid-way at the kill: {at_kill}"
    items_at_kill = stack.scalar(
        "SELECT COUNT(*) FROM labeling_item WHERE project_id = %s", [project_id]
    )
    assert 0 < items_at_kill < IMPORT_ROWS, items_at_kill

    stack.start_worker()
    job = _finish_import(admin, path, stack)

    assert job["status"] == "succeeded", job
    counts = stack.query(
        "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM labeling_item WHERE project_id = %s",
        [project_id],
    )[0]
    assert counts == (IMPORT_ROWS, IMPORT_ROWS)
    assert get_json(admin, f"/api/v1/projects/{project_id}/")["item_count"] == IMPORT_ROWS
    assert job["rows_seen"] == IMPORT_ROWS + IMPORT_REPEATED
    # The repeated rows are reported (duplicate ids), not stored.
    assert job["error_count"] == IMPORT_REPEATED


def test_embedding_job_interrupted_by_worker_kill_ends_clearly(stack: Stack):
    stack.start_web_and_worker()
    admin = stack.admin()
    project_id = project_create(admin, name="Inbox vectors", embedder="hashing", retrain_every=0)
    imported = _import(stack, admin, project_id, csv_file(EMBED_ITEMS))
    poll(
        lambda: get_json(admin, f"/api/v1/projects/{project_id}/imports/{imported}/"),
        until=lambda job: job["status"] == "succeeded",
        timeout=60,
        what="the import",
    )
    job_id = expect(
        admin.post(f"/api/v1/projects/{project_id}/training-jobs/", {"kind": "embed"}), 202
    )["id"]
    path = f"/api/v1/projects/{project_id}/training-jobs/{job_id}/"
    at_kill = poll(
        lambda: get_json(admin, path),
        until=lambda job: job["status"] in JOB_DONE or job["progress"] >= 0.1,
        timeout=60,
        what="the embedding job to be under way",
        interval=0.05,
    )
    stack.kill_worker()
    assert at_kill["status"] == "running", f"the job was not mid-way at the kill: {at_kill}"

    stack.start_worker()
    job = poll(
        lambda: get_json(admin, path),
        until=lambda job: job["status"] in JOB_DONE,
        timeout=RECOVERY_SECONDS,
        what="the interrupted embedding job to end",
    )

    vectors = stack.query(
        "SELECT COUNT(*), COUNT(DISTINCT object_id) FROM models_app_embedding WHERE owner = %s",
        [f"labeling.project:{project_id}"],
    )[0]
    assert vectors[0] == vectors[1], "an item has two vectors"
    if job["status"] == "failed":
        assert job["error"], "a failed job must say why"
        # Asking again embeds what is missing.
        again = expect(
            admin.post(f"/api/v1/projects/{project_id}/training-jobs/", {"kind": "embed"}), 202
        )
        job = poll(
            lambda: get_json(admin, f"/api/v1/projects/{project_id}/training-jobs/{again['id']}/"),
            until=lambda job: job["status"] in JOB_DONE,
            timeout=RECOVERY_SECONDS,
            what="the embedding job asked for again",
        )
    assert job["status"] == "succeeded", job
    assert (
        stack.scalar(
            "SELECT COUNT(*) FROM models_app_embedding WHERE owner = %s",
            [f"labeling.project:{project_id}"],
        )
        == EMBED_ITEMS
    )


def _trained_project(stack: Stack, admin) -> tuple[int, dict]:
    """A project whose first model is in production: 3,000 labeled of 10,000 items."""
    project_id = project_create(admin, name="Inbox model", embedder="hashing", retrain_every=0)
    imported = _import(stack, admin, project_id, csv_file(TRAIN_ITEMS, labeled=3_000))
    poll(
        lambda: get_json(admin, f"/api/v1/projects/{project_id}/imports/{imported}/"),
        until=lambda job: job["status"] == "succeeded",
        timeout=60,
        what="the import",
    )
    first = expect(
        admin.post(f"/api/v1/projects/{project_id}/training-jobs/", {"kind": "train"}), 202
    )
    first = poll(
        lambda: get_json(admin, f"/api/v1/projects/{project_id}/training-jobs/{first['id']}/"),
        until=lambda job: job["status"] in JOB_DONE,
        timeout=180,
        what="the first training job",
    )
    assert first["status"] == "succeeded", first
    return project_id, _production(stack, project_id)


def _production(stack: Stack, project_id: int) -> dict | None:
    rows = stack.query(
        "SELECT id, version, artifact FROM models_app_modelversion "
        "WHERE owner = %s AND stage = 'production'",
        [f"labeling.project:{project_id}"],
    )
    assert len(rows) <= 1, f"two production versions: {rows}"
    return dict(zip(("id", "version", "artifact"), rows[0], strict=True)) if rows else None


# Steps after the snapshot and before the promotion at the very end of a run.
MIDWAY_STEPS = {"embed", "fit", "evaluate", "register", "score"}


def test_training_job_interrupted_by_worker_kill_ends_clearly(stack: Stack):
    stack.start_web_and_worker()
    admin = stack.admin()
    project_id, production = _trained_project(stack, admin)

    job_id = expect(
        admin.post(f"/api/v1/projects/{project_id}/training-jobs/", {"kind": "train"}), 202
    )["id"]
    path = f"/api/v1/projects/{project_id}/training-jobs/{job_id}/"
    at_kill = poll(
        lambda: get_json(admin, path),
        until=lambda job: job["status"] in JOB_DONE or job["step"] in MIDWAY_STEPS,
        timeout=60,
        what="the second training job to be under way",
        interval=0.05,
    )
    stack.kill_worker()
    assert at_kill["status"] == "running", f"the job was not mid-way at the kill: {at_kill}"
    assert _production(stack, project_id) == production

    stack.start_worker()
    job = poll(
        lambda: get_json(admin, path),
        until=lambda job: job["status"] in JOB_DONE,
        timeout=RECOVERY_SECONDS,
        what="the interrupted training job to end",
    )
    now = _production(stack, project_id)
    if job["status"] == "failed":
        assert job["error"], "a failed job must say why"
        assert now == production, "a failed training job changed the production model"
    else:
        assert job["status"] == "succeeded", job
        assert now is not None
        assert now["id"] in (production["id"], job["model_version"])
    assert (
        stack.scalar(
            "SELECT COUNT(*) FROM models_app_trainingjob WHERE owner = %s "
            "AND status IN ('queued', 'running')",
            [f"labeling.project:{project_id}"],
        )
        == 0
    )


# A task whose worker process dies every time must not be requeued forever.
MAX_KILLS = 6


def test_training_job_that_keeps_killing_its_worker_fails_after_bounded_retries(stack: Stack):
    """The pool process running the job dies each time (as under the kernel's OOM killer):
    after a bounded number of attempts the job is failed with the reason shown, it is not
    run again, and the production model is the one from before."""
    worker = stack.start_web_and_worker()
    admin = stack.admin()
    project_id, production = _trained_project(stack, admin)

    job_id = expect(
        admin.post(f"/api/v1/projects/{project_id}/training-jobs/", {"kind": "train"}), 202
    )["id"]
    path = f"/api/v1/projects/{project_id}/training-jobs/{job_id}/"
    killed_runs: list[str] = []

    def kill_each_run(job: dict) -> bool:
        if job["status"] in {"succeeded", "failed", "waiting"}:
            return True
        if job["status"] == "running" and job["started_at"] not in killed_runs:
            killed_runs.append(job["started_at"])
            worker.kill_pool()
            assert len(killed_runs) <= MAX_KILLS, (
                f"the job was started again after {MAX_KILLS} runs that killed the worker: "
                "it is being requeued endlessly"
            )
        return False

    job = poll(
        lambda: get_json(admin, path),
        until=kill_each_run,
        timeout=RECOVERY_SECONDS + 60,
        what="the job that kills its worker to be given up",
        interval=0.05,
    )
    assert job["status"] == "failed", job
    assert job["error"], "the user must see why the job failed"
    assert _production(stack, project_id) == production
    assert worker.alive(), "the worker's main process should survive its pool processes"
    # Given up means given up: it is not started again.
    time.sleep(5)
    later = get_json(admin, path)
    assert (later["status"], later["started_at"], later["finished_at"]) == (
        "failed",
        job["started_at"],
        job["finished_at"],
    )


def test_webhook_delivery_interrupted_by_worker_kill_is_delivered_once_after_restart(
    stack: Stack,
):
    with WebhookReceiver("whsec-faults-1") as receiver:
        stack.start_web_and_worker(beat=True)
        admin = stack.admin()
        setup = moderation_create(
            stack,
            admin,
            name="Forum",
            webhook_url=receiver.url,
            webhook_secret="whsec-faults-1",
        )
        moderator = people(
            stack, admin, project_id=setup.project_id, role="moderator", names=["mod-kim"]
        )[0]
        expect(
            setup.platform.post(
                "/api/v1/platform/intake/",
                {"policy": setup.policy_id, "external_id": "post-1", "author_id": "u-1",
                 "text": message(1)},
            ),
            201,
        )  # fmt: skip
        content = expect(
            moderator.post("/api/v1/moderation/queue/next/", {"tier": "standard"}), 200
        )["content"]
        assert content is not None

        receiver.hold(1)  # the receiver answers the first request slowly
        decided = moderator.post(
            f"/api/v1/moderation/contents/{content['id']}/decide/",
            {"action": "remove", "reason_code": "SPAM-1"},
        )
        assert decided.status in (200, 201), decided
        assert receiver.arrived.wait(60), "the worker never sent the delivery"
        stack.kill_worker()
        receiver.release()

        stack.start_worker(beat=True)
        deliveries = poll(
            lambda: stack.query(
                "SELECT id, status FROM moderation_webhookdelivery WHERE endpoint_id = %s",
                [setup.endpoint_id],
            ),
            until=lambda rows: rows and all(status == "delivered" for _, status in rows),
            timeout=RECOVERY_SECONDS,
            what="the delivery to be delivered after the restart",
        )
        seen = receiver.snapshot()

    assert len(deliveries) == 1, f"one decision, one delivery: {deliveries}"
    assert len(seen) >= 2, "the held request and the one after the restart"
    assert all(request["signature_ok"] for request in seen)
    # The id a receiver dedupes by is the same in the header and (when sent) in the body.
    assert all(r["body"].get("delivery_id") in (None, r["delivery_id"]) for r in seen)
    by_decision = receiver.delivery_ids_by_decision()
    assert len(by_decision) == 1, by_decision
    (delivery_ids,) = by_decision.values()
    assert len(delivery_ids) == 1, f"two different deliveries for one decision: {delivery_ids}"
    decisions = stack.query(
        "SELECT COUNT(*) FROM moderation_decision WHERE content_id = %s", [content["id"]]
    )
    assert decisions == [(1,)]
