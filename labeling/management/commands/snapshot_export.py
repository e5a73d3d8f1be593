"""Export a dataset snapshot in one format from the command line, in this process."""

import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from core.exceptions import ApplicationError
from labeling.choices import DatasetFormat, JobState
from labeling.models import Project
from labeling.selectors.dataset_exports import dataset_snapshot_get
from labeling.services.datasets.exports import dataset_export_request, dataset_export_run


class Command(BaseCommand):
    help = (
        "Export snapshot NUMBER of a project as jsonl, csv, parquet, hf or imagefolder (written "
        "here unless it already is), copy the zip to --out and print its SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, required=True, help="project id")
        parser.add_argument("--snapshot", type=int, required=True, help="snapshot number")
        parser.add_argument("--format", required=True, choices=DatasetFormat.values)
        parser.add_argument("--out", type=Path, help="where to copy the zip (file or folder)")
        parser.add_argument("--user", help="username recorded as requester (default: none)")

    def handle(self, *args, project: int, snapshot: int, format: str, out: Path | None, **options):
        target = Project.objects.filter(pk=project).first()
        if target is None:
            raise CommandError(f"There is no project {project}.")
        try:
            cut = dataset_snapshot_get(project=target, number=snapshot)
        except Http404 as exc:
            raise CommandError(f"Project {project} has no snapshot {snapshot}.") from exc
        user = None
        if options.get("user"):
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"There is no user {options['user']!r}.")
        try:
            export, _ = dataset_export_request(snapshot=cut, fmt=format, user=user, enqueue=False)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if export.state != JobState.SUCCEEDED:
            export = dataset_export_run(export_id=export.pk)
        if export.state != JobState.SUCCEEDED:
            raise CommandError(f"The export failed: {export.error_message}")
        if out is not None:
            destination = out / export.file_name if out.is_dir() else out
            with export.file.open("rb") as stored, destination.open("wb") as copy:
                shutil.copyfileobj(stored, copy, length=1024 * 1024)
            self.stdout.write(f"wrote {destination} ({export.size_bytes:,} bytes)")
        self.stdout.write(f"{export.sha256}  {export.file_name}")
