"""Import a file into a project from the command line, in this process, with a report."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from labeling.models import Project
from labeling.services.imports.jobs import import_job_create
from labeling.services.imports.run import import_job_run


class Command(BaseCommand):
    help = "Import a CSV/TSV, JSONL, text, image or zip file into a project."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--project", type=int, required=True, help="project id")
        parser.add_argument("--user", help="username recorded as importer (default: a superuser)")
        parser.add_argument("--text-column")
        parser.add_argument("--label-column")
        parser.add_argument("--id-column")

    def handle(self, *args, path: Path, project: int, user: str | None, **options):
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        target = Project.objects.filter(pk=project).first()
        if target is None:
            raise CommandError(f"There is no project {project}.")
        users = get_user_model().objects
        importer = (
            users.filter(username=user).first()
            if user
            else (users.filter(is_superuser=True).order_by("id").first())
        )
        if importer is None:
            raise CommandError("No such user; pass --user USERNAME.")
        column_options = {
            key: options[key]
            for key in ("text_column", "label_column", "id_column")
            if options.get(key)
        }
        with path.open("rb") as fh:
            try:
                job = import_job_create(
                    project=target,
                    created_by=importer,
                    uploads=[File(fh, name=path.name)],
                    options=column_options,
                    enqueue=False,
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        job = import_job_run(job_id=job.pk)
        self.stdout.write(
            f"import {job.pk}: {job.status}; rows {job.rows_seen:,}, new items "
            f"{job.items_created:,}, already present {job.items_existing:,}, duplicate rows "
            f"{job.duplicate_rows:,}, labels {job.annotations_created:,}, "
            f"errors {job.error_count:,}"
        )
        for error in job.errors[:20]:
            self.stdout.write(f"  line {error['line']}: {error['message']}")
        if job.error_message:
            raise CommandError(job.error_message)
