"""The queue's order after a rescoring: what is written, and how held-out items are mixed in."""

import numpy as np
import pytest

from labeling.choices import SamplingStrategy, Split
from labeling.models import Item
from labeling.services.learning_jobs import project_training_request
from labeling.services.pool_scoring import interleave_random, priorities_from_order
from labeling.services.training import training_job_run
from models_app.choices import JobStatus, JobTrigger, Stage
from tests.factories import ProjectFactory
from tests.factories.learning import give_labels, held_out_ids, make_corpus, train_ids


def _train(project):
    job = project_training_request(project=project, trigger=JobTrigger.MANUAL)
    finished = training_job_run(job_id=job.pk)
    assert finished.status == JobStatus.SUCCEEDED, finished.message
    return finished


def _pool(project):
    return Item.objects.filter(project=project, annotations__isnull=True)


# --- without a database ----------------------------------------------------------------------


def test_interleave_spreads_the_sample_evenly_and_keeps_the_others_in_order():
    order = np.arange(100)
    mask = np.zeros(100, dtype=bool)
    mask[80:] = True  # the strategy put the sample last

    mixed = interleave_random(order=order, mask=mask, rate=0.2, seed=0)

    assert sorted(mixed.tolist()) == list(range(100))
    others = [row for row in mixed if not mask[row]]
    assert others == list(range(80))
    positions = np.flatnonzero(mask[mixed])
    assert positions[0] <= 5
    assert np.all(np.diff(positions) <= 5)


def test_priorities_only_for_the_window():
    order = np.array([3, 1, 4, 0, 2])

    priority = priorities_from_order(order, window=2)

    assert priority.tolist() == [0.0, 0.5, 0.0, 1.0, 0.0]


# --- after a training run --------------------------------------------------------------------


@pytest.mark.django_db
def test_held_out_items_come_at_random_not_by_uncertainty():
    project = ProjectFactory(
        embedder="hashing", retrain_every=0, sampling_strategy=SamplingStrategy.UNCERTAINTY
    )
    truth = make_corpus(project, 600, seed=3)
    give_labels(train_ids(project, truth)[:80], truth)

    _train(project)

    queue = list(
        _pool(project).order_by("-priority", "id").values_list("split", "confidence")[:150]
    )
    held_out = [conf for split, conf in queue if split != Split.TRAIN]
    train = [conf for split, conf in queue if split == Split.TRAIN]
    pool_held_out = _pool(project).exclude(split=Split.TRAIN).count() / _pool(project).count()
    # About their share of the pool, spread through the head of the queue ...
    assert abs(len(held_out) / len(queue) - pool_held_out) < 0.05
    # ... and a random sample of the pool, where the train items are the least confident.
    assert train == sorted(train)
    assert np.mean(held_out) > np.mean(train) + 0.05


@pytest.mark.django_db
def test_only_the_head_of_the_queue_is_rewritten(settings):
    settings.TANDEM_QUEUE_WINDOW = 25
    project = ProjectFactory(embedder="hashing", retrain_every=0)
    truth = make_corpus(project, 300, seed=4)
    ids = train_ids(project, truth)
    give_labels(ids[:60], truth)
    # Enough held-out labels that comparing the two models means something (on a handful, one
    # item decides whether the second one serves).
    give_labels(held_out_ids(project, truth)[:40], truth)

    first = _train(project)
    head = set(_pool(project).filter(priority__gt=0).values_list("id", flat=True))
    assert len(head) == 25
    assert not _pool(project).filter(priority=0).exclude(predicted_label="").exists()
    assert (
        set(_pool(project).filter(scored_by=first.model_version).values_list("id", flat=True))
        == head
    )

    # Ten of the head labeled, and enough other labels that the second model is the better one
    # and serves (trained on a few more than the first, either could win on the held-out items).
    labeled = set(sorted(head)[:10]) | set(ids[60:160])
    give_labels(sorted(labeled), truth)
    second = _train(project)
    assert second.model_version.stage == Stage.PRODUCTION, second.model_version.promotion

    now = set(_pool(project).filter(priority__gt=0).values_list("id", flat=True))
    assert len(now) == 25
    # Items of the old head that fell out of the window went back to 0, with the new
    # model's prediction.
    dropped = (head - now) - labeled
    assert dropped
    assert Item.objects.filter(id__in=dropped, priority=0).count() == len(dropped)
    assert not Item.objects.filter(id__in=dropped).exclude(scored_by=second.model_version).exists()
