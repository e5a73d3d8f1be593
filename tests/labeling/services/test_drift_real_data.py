"""Drift monitoring on real data: a model trained on SMS messages (the ``static`` embedder, as
the project's own) watches new items arrive. Held-out SMS messages, imported in 20 windows,
raise no alarm; tweets (Davidson et al.) sent through moderation intake raise one in the first
window, with its audit event and the training run the project asked for."""

import csv

import numpy as np
import pytest

from core.models import AuditEvent
from labeling.choices import AnnotationSource
from labeling.models import DriftSettings, DriftWindow, Item
from labeling.selectors.drift import drift_state
from labeling.services.drift import drift_windows_close
from labeling.services.learning_jobs import project_training_request
from labeling.services.training import training_job_run
from models_app.choices import JobKind, JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion, TrainingJob
from models_app.services.registry import model_version_set_stage
from moderation.choices import AutomationLevel
from moderation.services.intake import intake_submit
from moderation.services.intake_prepare import IntakeInput
from tests.factories import ItemFactory, ProjectFactory
from tests.factories.intake import platform_with_key, sms_rows
from tests.factories.learning import give_labels
from tests.factories.moderation import IntakePolicyFactory
from tests.skips import loaded_embedder

pytestmark = pytest.mark.django_db

TRAIN = 1_000
WINDOW = 200
CALM_WINDOWS = 20


@pytest.fixture
def static(static_distilled):
    return loaded_embedder("static")


def tweets(path, n):
    with path.open(encoding="utf-8") as fh:
        texts = [row["tweet"].strip() for row in csv.DictReader(fh)]
    return list(dict.fromkeys(t for t in texts if t))[:n]


def sms_model(dataset_path):
    """A project on the static embedder with a production model trained on TRAIN SMS
    messages; the other messages, shuffled (seeded), for later."""
    by_text = {text: label for label, text in sms_rows(dataset_path("sms_spam_collection.tsv"))}
    rows = list(by_text.items())
    np.random.default_rng(3).shuffle(rows)
    project = ProjectFactory(embedder="static", retrain_every=0)
    labels = {}
    for text, label in rows[:TRAIN]:
        labels[ItemFactory(project=project, text=text).pk] = label
    human = list(Item.objects.filter(project=project, split="train").values_list("id", flat=True))
    give_labels(human, labels)
    held = list(
        Item.objects.filter(project=project).exclude(split="train").values_list("id", flat=True)
    )
    give_labels(held, labels, source=AnnotationSource.IMPORT)
    job = training_job_run(
        job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk
    )
    assert job is not None
    assert job.status == JobStatus.SUCCEEDED, job.message
    version = ModelVersion.objects.get(owner=project.owner_key)
    if version.stage != Stage.PRODUCTION:
        model_version_set_stage(version=version, stage=Stage.PRODUCTION)
    return project, [text for text, _ in rows[TRAIN:]]


def test_sms_windows_stay_calm_and_tweets_raise_an_alarm_in_the_first_window(dataset_path, static):
    project, rest = sms_model(dataset_path)
    DriftSettings.objects.create(
        project=project, window_max_items=WINDOW, min_window_items=100, retrain_on_alarm=True
    )
    assert len(rest) >= CALM_WINDOWS * WINDOW

    # Imports of held-out SMS messages, a window's worth at a time.
    for w in range(CALM_WINDOWS):
        batch = rest[w * WINDOW : (w + 1) * WINDOW]
        Item.objects.bulk_create(
            [ItemFactory.build(project=project, text=t, external_id=f"sms-{w}-{i}")
             for i, t in enumerate(batch)]
        )  # fmt: skip
        closed = drift_windows_close(project_id=project.pk)
        assert [w.items for w in closed] == [WINDOW]

    windows = list(DriftWindow.objects.filter(project=project).order_by("number"))
    assert len(windows) == CALM_WINDOWS
    assert all(w.closed_by == "size" for w in windows)
    false_alarms = [(w.number, w.alarms) for w in windows if w.alarms]
    assert false_alarms == []
    assert max(w.domain_auc for w in windows) < 0.65
    assert max(w.score_psi for w in windows) < 0.25
    assert not drift_state(project=project).alarm
    assert not AuditEvent.objects.filter(action="drift.alarm").exists()

    # Tweets through moderation intake: one content, one item each.
    platform, _ = platform_with_key()
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.ASSIST, granted_to=platform
    )
    texts = tweets(dataset_path("davidson_hate_offensive.csv"), WINDOW)
    result = intake_submit(
        platform=platform,
        entries=[
            IntakeInput(index=i, policy=policy.pk, external_id=f"tweet-{i}", author_id="a", text=t)
            for i, t in enumerate(texts)
        ],
    )
    assert not result.errors
    closed = drift_windows_close(project_id=project.pk)

    assert len(closed) == 1
    shifted = closed[0]
    assert shifted.items == WINDOW
    assert "domain_auc" in shifted.alarms
    assert shifted.domain_auc > 0.9
    state = drift_state(project=project)
    assert state.alarm
    assert state.alarm_since == shifted
    event = AuditEvent.objects.get(action="drift.alarm")
    assert event.object_id == str(shifted.pk)
    assert event.after["alarms"] == shifted.alarms
    assert TrainingJob.objects.filter(
        owner=project.owner_key, kind=JobKind.TRAIN, trigger=JobTrigger.DRIFT
    ).exists()
