"""The periodic drift check: on the beat schedule, and it runs the drift job of each project
with a full window (Celery runs eagerly in the tests)."""

import pytest

from config.celery import app
from labeling import tasks
from labeling.models import DriftSettings, DriftWindow, Item
from tests.factories import ItemFactory
from tests.factories.intake import sms_rows, trained_project


def test_the_drift_check_runs_every_minute_and_does_not_stack():
    entry = app.conf.beat_schedule["drift-check"]
    assert entry["task"] == tasks.drift_check.name
    assert entry["schedule"] == 60.0
    assert entry["options"]["expires"] < 60
    route = app.amqp.router.route({}, tasks.drift_windows_close_task.name)
    assert route["queue"].name == "default"


@pytest.mark.django_db
def test_the_check_closes_the_windows_of_projects_with_one_due(dataset_path):
    project, _ = trained_project(dataset_path("sms_spam_collection.tsv"), n=400)
    DriftSettings.objects.create(project=project, window_max_items=60, min_window_items=50)
    texts = [text for _, text in sms_rows(dataset_path("sms_spam_collection.tsv"))][600:730]
    Item.objects.bulk_create(
        [ItemFactory.build(project=project, text=t, external_id=f"new-{i}")
         for i, t in enumerate(texts)]
    )  # fmt: skip

    assert tasks.drift_check.delay().get() == [project.pk]

    assert list(DriftWindow.objects.order_by("number").values_list("number", "items")) == [
        (1, 60),
        (2, 60),
    ]
    assert tasks.drift_check.delay().get() == []
