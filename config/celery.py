"""The Celery application: queues default, embeddings, training and webhooks; JSON only."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "embeddings", "training", "webhooks")]
app.conf.task_routes = {
    "models_app.tasks.embed_*": {"queue": "embeddings"},
    "models_app.tasks.train_*": {"queue": "training"},
    "moderation.tasks.webhook_*": {"queue": "webhooks"},
}
app.autodiscover_tasks()
