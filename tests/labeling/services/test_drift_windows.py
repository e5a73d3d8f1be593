"""How drift windows close (a day, or a full window first), what they measure against the
production model's training snapshot, and what an alarm does: the audit event, the retraining
run and the signed webhook, each only when the project asks for it. A real model trained on
SMS messages (hashing embedder, fast); tweets are the shifted content."""

import csv
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from labeling.choices import AnnotationSource
from labeling.models import Annotation, DriftSettings, DriftWindow, Item
from labeling.services.drift import drift_projects_due, drift_windows_close
from models_app.choices import JobTrigger
from models_app.models import TrainingJob
from moderation.models import WebhookDelivery
from tests.factories import ItemFactory, ProjectFactory
from tests.factories.intake import sms_rows, trained_project
from tests.factories.moderation import IntakePolicyFactory, PlatformFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(dataset_path):
    return trained_project(dataset_path("sms_spam_collection.tsv"), n=800)


def add(project, texts, prefix):
    Item.objects.bulk_create(
        [ItemFactory.build(project=project, text=t, external_id=f"{prefix}-{i}")
         for i, t in enumerate(texts)]
    )  # fmt: skip


def sms_after(dataset_path, start, n):
    return [text for _, text in sms_rows(dataset_path("sms_spam_collection.tsv"))][
        start : start + n
    ]


def tweets(dataset_path, n):
    with dataset_path("davidson_hate_offensive.csv").open(encoding="utf-8") as fh:
        return [row["tweet"] for row in csv.DictReader(fh)][:n]


def test_nothing_is_measured_without_a_production_model():
    project = ProjectFactory()
    ItemFactory.create_batch(3, project=project)
    assert drift_windows_close(project_id=project.pk) == []
    assert drift_projects_due() == []


def test_a_window_closes_when_full_or_when_its_day_is_over(served, dataset_path):
    project, version = served
    DriftSettings.objects.create(project=project, window_max_items=100, min_window_items=50)
    add(project, sms_after(dataset_path, 1000, 150), "a")
    # Items the model could have been trained on are not in any window.
    assert drift_projects_due() == [project.pk]

    first = drift_windows_close(project_id=project.pk)

    assert [(w.number, w.items, w.closed_by) for w in first] == [(1, 100, "size")]
    assert first[0].model_version == version
    trained = Item.objects.filter(project=project, created_at__lte=version.created_at)
    assert first[0].after_item_id == max(trained.values_list("id", flat=True))
    assert not Item.objects.filter(
        id__lte=first[0].after_item_id, external_id__startswith="a-"
    ).exists()
    # 50 items wait: not full, and the day is not over.
    assert drift_windows_close(project_id=project.pk) == []
    assert drift_projects_due() == []
    later = timezone.now() + timedelta(hours=25)
    assert drift_projects_due(now=later) == [project.pk]
    second = drift_windows_close(project_id=project.pk, now=later)
    assert [(w.number, w.items, w.closed_by) for w in second] == [(2, 50, "time")]
    assert second[0].started_at == first[0].ended_at
    # A quiet week is one empty window, not seven.
    quiet = drift_windows_close(project_id=project.pk, now=later + timedelta(days=7))
    assert [(w.items, w.closed_by) for w in quiet] == [(0, "time")]
    assert quiet[0].ended_at - quiet[0].started_at >= timedelta(days=7)
    assert not any(w.alarms for w in DriftWindow.objects.all())
    sms = DriftWindow.objects.get(number=1)
    assert sms.domain_auc < 0.65
    assert sms.score_psi < 0.25
    assert set(sms.label_mix) == {"ham", "spam"}
    assert sum(sms.label_mix.values()) == pytest.approx(1.0)


def test_an_alarm_is_audited_and_retrains_and_webhooks_only_when_asked(served, dataset_path):
    project, _ = served
    settings = DriftSettings.objects.create(
        project=project, window_max_items=100, min_window_items=50
    )
    platform = PlatformFactory()
    policy = IntakePolicyFactory(project=project, granted_to=platform)
    WebhookEndpointFactory(platform=platform)
    WebhookEndpointFactory()  # another platform's: told nothing
    add(project, tweets(dataset_path, 100), "t1")

    [quiet_alarm] = drift_windows_close(project_id=project.pk)

    assert "domain_auc" in quiet_alarm.alarms
    assert AuditEvent.objects.filter(action="drift.alarm").count() == 1
    assert not TrainingJob.objects.filter(trigger=JobTrigger.DRIFT).exists()
    assert not WebhookDelivery.objects.exists()

    settings.retrain_on_alarm = settings.webhook_on_alarm = True
    settings.save()
    add(project, tweets(dataset_path, 200)[100:], "t2")
    [loud] = drift_windows_close(project_id=project.pk)

    assert loud.alarms
    assert TrainingJob.objects.filter(owner=project.owner_key, trigger=JobTrigger.DRIFT).exists()
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint.platform == platform
    assert delivery.event == "drift.alarm"
    assert delivery.payload["policy"] == {"id": policy.pk}
    assert delivery.payload["drift"]["window"] == loud.number
    assert delivery.payload["drift"]["alarms"] == loud.alarms


def test_overturn_share_counts_moderators_decisions_against_the_proposal(served, dataset_path):
    project, _ = served
    DriftSettings.objects.create(
        project=project, window_max_items=60, min_window_items=50, min_decisions=4,
        overturn_share_threshold=0.3,
    )  # fmt: skip
    add(project, sms_after(dataset_path, 1000, 30), "d")
    items = list(Item.objects.filter(project=project).order_by("-id")[:6])
    # 5 decisions with a proposal (2 overturned), 1 without: 2 / 5 = 0.4.
    for item, (labels, proposal) in zip(items, [
        (["spam"], ["spam"]), (["ham"], ["ham"]), (["ham"], ["ham"]), (["ham"], ["spam"]),
        (["spam"], ["ham"]), (["spam"], []),
    ], strict=True):  # fmt: skip
        Annotation.objects.create(
            item=item, labels=labels, suggested_labels=proposal,
            source=AnnotationSource.MODERATION,
        )  # fmt: skip

    # Decisions count in the window they were made in: before its last item arrived.
    add(project, sms_after(dataset_path, 1030, 30), "e")
    [window] = drift_windows_close(project_id=project.pk)

    assert window.decisions == 5
    assert window.overturn_share == pytest.approx(0.4)
    assert "overturn_share" in window.alarms
