"""Reads for snapshot exports: a project's snapshot by number, and its export of a format."""

from django.http import Http404

from labeling.models import DatasetExport, DatasetSnapshot, Project


def dataset_snapshot_get(*, project: Project, number: int) -> DatasetSnapshot:
    """The project's snapshot ``number`` (404 if it has none), with the project attached."""
    snapshot = DatasetSnapshot.objects.filter(project=project, number=number).first()
    if snapshot is None:
        raise Http404
    snapshot.project = project
    return snapshot


def dataset_export_get(*, snapshot: DatasetSnapshot, fmt: str) -> DatasetExport | None:
    export = DatasetExport.objects.filter(snapshot=snapshot, format=fmt).first()
    if export is not None:
        export.snapshot = snapshot
    return export
