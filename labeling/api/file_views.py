"""The files of a project, each behind the caller's role: item images and thumbnails (any
member), import uploads and model artefacts (data roles). Nothing here is served from a public
path; ``core.files.file_response`` decides how a file goes out."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.files import CACHE_NO_STORE, FileViewMixin, file_response
from labeling.choices import ALL_ROLES, DATA_ROLES
from labeling.selectors.items import import_job_list, item_with_files_get
from labeling.selectors.learning import project_model_versions
from labeling.selectors.projects import project_get_for_user
from labeling.services.files import item_image_reveal

IMAGE_RESPONSES = {
    (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
}
ATTACHMENT_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The file, as an attachment."
    ),
}


class ItemImageApi(FileViewMixin, APIView):
    @extend_schema(responses=IMAGE_RESPONSES)
    def get(self, request, project_id: int, item_id: int):
        """The item's full image. For a media-restricted item (moderated content) each fetch is
        recorded in the audit log (``item.reveal``) before the image is sent, and never
        cached."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        item = item_with_files_get(project=project, item_id=item_id)
        if not item.image:
            raise ApplicationError("This item has no image.", status_code=404)
        if item.media_restricted:
            item_image_reveal(item=item, user=request.user)
            return file_response(file=item.image, as_image=True, cache_control=CACHE_NO_STORE)
        return file_response(file=item.image, as_image=True)


class ItemThumbnailApi(FileViewMixin, APIView):
    @extend_schema(responses=IMAGE_RESPONSES)
    def get(self, request, project_id: int, item_id: int):
        """The item's thumbnail (blurred for a media-restricted item)."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        item = item_with_files_get(project=project, item_id=item_id)
        return file_response(file=item.thumbnail, as_image=True)


class ImportFileApi(FileViewMixin, APIView):
    @extend_schema(responses=ATTACHMENT_RESPONSES)
    def get(self, request, project_id: int, import_id: int):
        """The uploaded file of an import, always as an ``application/octet-stream``
        attachment under its original name."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        job = get_object_or_404(import_job_list(project=project), pk=import_id)
        return file_response(file=job.file, as_image=False, download_name=job.original_name)


class ModelVersionArtifactApi(FileViewMixin, APIView):
    @extend_schema(responses=ATTACHMENT_RESPONSES)
    def get(self, request, project_id: int, version_id: int):
        """The trained classifier of a model version (``.npz``: arrays and JSON, loadable with
        ``allow_pickle=False``), as an attachment."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        version = get_object_or_404(project_model_versions(project=project), pk=version_id)
        return file_response(
            file=version.artifact,
            as_image=False,
            download_name=f"project-{project.pk}-model-v{version.version}.npz",
        )
