"""Learning tasks go to their own queues, and the hourly retraining check is scheduled."""

import pytest

from config.celery import app
from labeling import tasks
from labeling.services.learning_jobs import project_embedding_request, project_training_request
from models_app.choices import JobStatus, JobTrigger
from tests.factories import ItemFactory, ProjectFactory


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("labeling.tasks.embed_project_task", "embeddings"),
        ("labeling.tasks.train_project_task", "training"),
        ("labeling.tasks.retrain_scheduled", "default"),
        ("labeling.tasks.import_job_run_task", "default"),
    ],
)
def test_learning_tasks_are_routed_to_their_queues(task, queue):
    route = app.amqp.router.route({}, task)

    assert route["queue"].name == queue


def test_retraining_check_is_on_the_beat_schedule():
    entry = next(
        e
        for e in app.conf.beat_schedule.values()
        if e["task"] == "labeling.tasks.retrain_scheduled"
    )

    schedule = entry["schedule"]  # a crontab: once an hour, at a fixed minute
    assert len(schedule.minute) == 1
    assert schedule.hour == set(range(24))
    assert tasks.retrain_scheduled.name in app.tasks


@pytest.mark.django_db
def test_tasks_run_their_job_and_report_its_status():
    project = ProjectFactory(embedder="hashing")
    ItemFactory.create_batch(3, project=project)

    embedded = tasks.embed_project_task(
        project_embedding_request(project=project, trigger=JobTrigger.MANUAL).pk
    )
    trained = tasks.train_project_task(
        project_training_request(project=project, trigger=JobTrigger.MANUAL).pk
    )

    assert embedded["status"] == JobStatus.SUCCEEDED
    assert trained["status"] == JobStatus.WAITING
    assert tasks.train_project_task(trained["job"])["status"] == "skipped"  # a late duplicate


@pytest.mark.django_db
def test_scheduled_task_returns_the_jobs_it_requested():
    assert tasks.retrain_scheduled() == []
