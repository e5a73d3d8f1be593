"""The learning loop end to end, with a real Celery worker on the configured broker (Redis in CI).

A project imports the first 2,000 messages of the SMS spam collection (held-out items with their
gold labels, the rest unlabeled); an annotator labels 200 random items of the train split through
the API; the 200th label triggers training (``retrain_every`` = 200); the worker embeds every item
with MiniLM (int8, the default for new text projects), trains, evaluates on the held-out split,
registers and promotes the model, and rescores the pool. The queue then starts with the items the
model is least sure about.
"""

import random
import time

import numpy as np
import pytest

from labeling.choices import ImportStatus, Role, Split
from labeling.models import Item
from labeling.services.imports.item_rows import split_for
from models_app.choices import JobKind, JobStatus, JobTrigger, Stage
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LABELS_TO_GIVE = 200
# The first messages of the file, not all 5,574, embedded with minilm-int8 rather than fp32
# MiniLM: embedding the whole file with fp32 in the one worker process was most of this test's
# 4 minutes on a busy two-core machine, and the loop is the same at any size and for either
# embedder (a full-size import runs in test_celery_worker.py, fp32 MiniLM in a worker in
# test_fast_pass_worker.py).
SAMPLE = 2_000
FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.WAITING}


def wait_for(check, *, timeout: float, worker, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker process died"
        value = check()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def test_worker_trains_on_annotators_labels_and_reorders_the_queue(
    start_worker, api, dataset_path, tmp_path
):
    source = dataset_path("sms_spam_collection.tsv")
    rows = [line.split("\t", 1) for line in source.read_text(encoding="utf-8").splitlines()[1:]]
    rows = [(label, text) for label, text in rows if text.strip()][:SAMPLE]
    truth = {f"sms-{n}": label for n, (label, _text) in enumerate(rows)}
    # Held-out items come with their gold labels (as an import of already-labeled data would);
    # the train split arrives unlabeled, for the annotator.
    upload = tmp_path / "sms.tsv"
    with upload.open("w", encoding="utf-8") as out:
        out.write("id\ttext\tlabel\n")
        for n, (label, text) in enumerate(rows):
            external_id = f"sms-{n}"
            gold = label if split_for(external_id) != Split.TRAIN else ""
            out.write(f"{external_id}\t{text}\t{gold}\n")

    project = ProjectFactory(name="SMS", embedder="minilm-int8", retrain_every=LABELS_TO_GIVE)
    engineer, annotator = UserFactory(), UserFactory()
    MembershipFactory(project=project, user=engineer, role=Role.ML_ENGINEER)
    MembershipFactory(project=project, user=annotator, role=Role.ANNOTATOR)
    base = f"/api/v1/projects/{project.pk}"

    worker = start_worker(
        ["default", "embeddings", "training"],
        TANDEM_EMBED_AFTER_IMPORT="true",
        TANDEM_FAST_PASS_MIN_ITEMS="0",  # the exact path: training joins the embedding job
    )
    timings: dict[str, float] = {}
    started = time.monotonic()

    # --- import -----------------------------------------------------------------------------
    client = api.as_user(engineer)
    with upload.open("rb") as fh:
        response = client.post(f"{base}/imports/", {"file": fh}, format="multipart")
    assert response.status_code == 202, response.json()
    import_id = response.json()["id"]
    imported = wait_for(
        lambda: (
            (body := client.get(f"{base}/imports/{import_id}/").json())["status"]
            in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)
            and body
        ),
        timeout=180,
        worker=worker,
        what="the import",
    )
    assert imported["status"] == ImportStatus.SUCCEEDED, imported
    assert imported["items_created"] == len(rows)
    timings["import"] = time.monotonic() - started

    # --- an annotator labels 200 random items of the train split -----------------------------
    ids = dict(Item.objects.filter(project=project).values_list("external_id", "id"))
    train_pool = sorted(e for e in ids if split_for(e) == Split.TRAIN)
    chosen = random.Random(42).sample(train_pool, LABELS_TO_GIVE)
    labeler = api.as_user(annotator)
    for external_id in chosen:
        response = labeler.post(
            f"{base}/items/{ids[external_id]}/annotations/",
            {"labels": [truth[external_id]]},
            format="json",
        )
        assert response.status_code == 201, response.json()
    timings["labels"] = time.monotonic() - started

    # --- the 200th label started training; the worker runs it after embedding -----------------
    client = api.as_user(engineer)

    def training_finished():
        jobs = client.get(f"{base}/training-jobs/", {"kind": JobKind.TRAIN}).json()["results"]
        return jobs and jobs[0]["status"] in FINISHED and jobs[0]

    job = wait_for(training_finished, timeout=900, worker=worker, what="the training job")
    timings["trained"] = time.monotonic() - started
    assert job["status"] == JobStatus.SUCCEEDED, (
        f"{job['status']}: {job['error'] or job['message']}"
    )
    assert job["trigger"] == JobTrigger.LABELS

    embed_jobs = client.get(f"{base}/training-jobs/", {"kind": JobKind.EMBED}).json()["results"]
    assert [j["status"] for j in embed_jobs] == [JobStatus.SUCCEEDED]
    assert embed_jobs[0]["result"]["embedded"] == len(rows)
    # Every item was embedded once, by the import's embedding job, not again by training.
    assert job["result"]["embedded"] == 0

    version = client.get(f"{base}/model-versions/{job['model_version']}/").json()
    assert version["stage"] == Stage.PRODUCTION
    assert version["label_count"] == LABELS_TO_GIVE
    assert version["embedder"].startswith("minilm-int8@")
    held_out = sum(split_for(f"sms-{n}") != Split.TRAIN for n in range(len(rows)))
    assert version["metrics"]["n"] == held_out > 300
    assert version["metrics"]["roc_auc"] > 0.95, version["metrics"]

    # --- the queue: every unlabeled item is scored; the least certain come first --------------
    queue = []
    page = 1
    while True:
        body = client.get(
            f"{base}/items/",
            {"labeled": "false", "ordering": "-priority", "page_size": 500, "page": page},
        ).json()
        queue.extend(body["results"])
        if not body["next"]:
            break
        page += 1
    assert len(queue) == len(train_pool) - LABELS_TO_GIVE
    assert all(item["scored_by"] == version["id"] for item in queue)
    assert all(item["priority"] > 0 for item in queue)
    assert [i["priority"] for i in queue] == sorted((i["priority"] for i in queue), reverse=True)
    confidence = np.asarray([item["confidence"] for item in queue])
    top = confidence[:20]
    assert top.max() <= np.quantile(confidence, 0.15), (top, np.quantile(confidence, 0.15))
    assert abs(top - 0.5).mean() < abs(confidence[20:] - 0.5).mean()

    print(
        f"\nSMS active-learning loop: import {timings['import']:.1f} s, 200 labels by "
        f"{timings['labels']:.1f} s, trained by {timings['trained']:.1f} s; "
        f"embedding job {embed_jobs[0]['result']}, training steps {job['result']['timings']}; "
        f"held-out ROC AUC {version['metrics']['roc_auc']:.4f}; "
        f"top-20 mean confidence {top.mean():.3f} vs pool median {np.median(confidence):.3f}"
    )
