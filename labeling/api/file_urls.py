"""Where the API tells clients to fetch a project's files: always an endpoint that checks the
caller's role (``labeling.api.file_views``), never a storage path."""

from django.urls import reverse

from labeling.models import ImportJob, Item

OWNER_PREFIX = "labeling.project:"


def item_image_url(item: Item) -> str | None:
    if not item.image:
        return None
    return reverse("item-image", kwargs={"project_id": item.project_id, "item_id": item.pk})


def item_thumbnail_url(item: Item) -> str | None:
    if not item.thumbnail:
        return None
    return reverse("item-thumbnail", kwargs={"project_id": item.project_id, "item_id": item.pk})


def import_file_url(job: ImportJob) -> str | None:
    if not job.file:
        return None
    return reverse("import-file", kwargs={"project_id": job.project_id, "import_id": job.pk})


def model_version_artifact_url(version) -> str | None:
    """The artefact of a project's model version (``owner`` is ``labeling.project:<id>``)."""
    if not version.artifact or not version.owner.startswith(OWNER_PREFIX):
        return None
    project_id = version.owner.removeprefix(OWNER_PREFIX)
    if not project_id.isdigit():
        return None
    return reverse(
        "model-version-artifact", kwargs={"project_id": int(project_id), "version_id": version.pk}
    )
