"""Cut a dataset snapshot of a project from the command line."""

import json

import orjson
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.exceptions import ApplicationError
from labeling.choices import JobState
from labeling.models import Project
from labeling.selectors.projects import project_label_class_names
from labeling.services.datasets.cut import snapshot_create, snapshot_run
from labeling.services.datasets.filters import snapshot_filters_parse


class Command(BaseCommand):
    help = (
        "Cut a dataset snapshot of a project (queued for a worker, or here with --sync); "
        "prints its number, counts and file SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, required=True, help="project id")
        parser.add_argument("--name", default="", help="a name for the snapshot")
        parser.add_argument(
            "--filters",
            default="{}",
            help='filters as JSON, e.g. \'{"sources": ["human"], "splits": ["train"]}\'',
        )
        parser.add_argument("--user", help="username recorded as its creator (default: none)")
        parser.add_argument(
            "--sync", action="store_true", help="cut it in this process and wait for it"
        )

    def handle(self, *args, project: int, name: str, filters: str, user: str | None, sync: bool,
               **options):  # fmt: skip
        target = Project.objects.filter(pk=project).first()
        if target is None:
            raise CommandError(f"There is no project {project}.")
        creator = None
        if user:
            creator = get_user_model().objects.filter(username=user).first()
            if creator is None:
                raise CommandError(f"There is no user {user!r}.")
        try:
            raw = json.loads(filters)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--filters is not JSON: {exc}") from exc
        try:
            parsed = snapshot_filters_parse(
                raw=raw, class_names=project_label_class_names(project=target)
            )
            with transaction.atomic():
                snapshot = snapshot_create(
                    project=target, created_by=creator, filters=parsed, name=name,
                    enqueue=not sync,
                )  # fmt: skip
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if not sync:
            self.stdout.write(f"snapshot {snapshot.number}: queued (a worker cuts it)")
            return
        finished = snapshot_run(snapshot_id=snapshot.pk)
        assert finished is not None
        if finished.state != JobState.SUCCEEDED:
            raise CommandError(f"snapshot {finished.number} failed: {finished.error_message}")
        self.stdout.write(f"snapshot {finished.number}: {finished.state}")
        self.stdout.write(f"counts: {orjson.dumps(finished.counts).decode()}")
        self.stdout.write(f"file sha256: {finished.file_sha256}")
        self.stdout.write(f"content hash: {finished.content_hash}")
