"""Endpoints of the annotation queue: next item, lease renewal, submit, skip, release, undo,
progress and flags. Annotators (and admins, ML engineers) work here; each sees only their own."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import queue_serializers as s
from labeling.choices import DATA_ROLES, LABEL_ROLES
from labeling.models import Item, ItemFlag, Project
from labeling.selectors.projects import item_get_for_labeler, project_get_for_user
from labeling.selectors.queue import (
    annotation_history,
    assignment_open_list,
    flag_list,
    queue_stats,
    skip_list,
)
from labeling.services import queue as queue_services
from labeling.services.annotations import annotation_get_for_edit, annotation_update
from labeling.services.flags import item_flag_create, item_flag_resolve


def _labeler_item(request, project_id: int, item_id: int) -> Item:
    """An item of the project, for a caller allowed to label it (404 outside the project)."""
    return item_get_for_labeler(
        project_id=project_id, item_id=item_id, user=request.user, roles=LABEL_ROLES
    )


class QueueNextApi(APIView):
    @extend_schema(request=None, responses=s.QueueNextOutputSerializer)
    def post(self, request, project_id: int):
        """Lease the next item to the caller (a new one each call: call it again while holding
        the current item to prefetch). ``assignment`` is null, with a message, when nothing is
        left for the caller. 409 when the caller already holds 5 items in the project."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=LABEL_ROLES)
        assignment = queue_services.queue_next(project=project, user=request.user)
        return Response(
            s.QueueNextOutputSerializer(
                {
                    "assignment": assignment,
                    "message": "" if assignment else queue_services.NOTHING_LEFT,
                }
            ).data
        )


class QueueAssignmentListApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.QueueAssignmentSerializer),
        operation_id="projects_queue_assignments_list",
    )
    def get(self, request, project_id: int):
        """The caller's running leases in the project, oldest first (resume after a reload)."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=LABEL_ROLES)
        return paginated_response(
            request,
            self,
            assignment_open_list(project=project, user=request.user),
            s.QueueAssignmentSerializer,
        )


class QueueRenewApi(APIView):
    @extend_schema(request=None, responses=s.QueueAssignmentSerializer)
    def post(self, request, project_id: int, item_id: int):
        """Extend the caller's lease on the item (the client renews while the item is open).
        409 when the lease expired or finished, or the caller holds none."""
        item = _labeler_item(request, project_id, item_id)
        assignment = queue_services.queue_renew(item=item, user=request.user)
        return Response(s.QueueAssignmentSerializer(assignment).data)


class QueueReleaseApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, project_id: int, item_id: int):
        """Leave the item without an answer; it goes back to the queue for others."""
        item = _labeler_item(request, project_id, item_id)
        queue_services.queue_release(item=item, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QueueSkipApi(APIView):
    @extend_schema(
        request=s.QueueSkipInputSerializer,
        responses={200: s.QueueNextOutputSerializer, 204: None},
    )
    def post(self, request, project_id: int, item_id: int):
        """Skip the item (optionally saying why); the caller is not handed it again. 204; with
        ``next``, 200 and the next leased item as queue/next/ answers."""
        item = _labeler_item(request, project_id, item_id)
        data = s.QueueSkipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queue_services.queue_skip(
            item=item, user=request.user, reason=data.validated_data["reason"]
        )
        if not data.validated_data["next"]:
            return Response(status=status.HTTP_204_NO_CONTENT)
        offer = queue_services.queue_offer(project=item.project, user=request.user)
        return Response(s.QueueNextOutputSerializer(offer).data)


class QueueSubmitApi(APIView):
    @extend_schema(
        request=s.QueueSubmitInputSerializer,
        responses={201: s.QueueSubmitOutputSerializer, 200: s.QueueSubmitOutputSerializer},
    )
    def post(self, request, project_id: int, item_id: int):
        """Submit the caller's label(s) for an item they hold. 201 when stored; 200 with the
        stored annotation when this ``client_key`` was already submitted (nothing is stored
        twice). 400 for labels the project does not have; 409 without a running lease.
        With ``next``, the answer also carries the next leased item (one request per label)."""
        item = _labeler_item(request, project_id, item_id)
        data = s.QueueSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wants_next = data.validated_data.pop("next")
        annotation, created = queue_services.queue_submit(
            item=item, user=request.user, **data.validated_data
        )
        offer = (
            queue_services.queue_offer(project=item.project, user=request.user)
            if wants_next
            else None
        )
        return Response(
            s.QueueSubmitOutputSerializer(annotation, context={"offer": offer}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class QueueStatsApi(APIView):
    @extend_schema(responses=s.QueueStatsSerializer)
    def get(self, request, project_id: int):
        """The caller's progress: done today and in total, pace, acceptance of the model's
        proposals, items left for them, open leases, and the production model."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=LABEL_ROLES)
        return Response(
            s.QueueStatsSerializer(queue_stats(project=project, user=request.user)).data
        )


class QueueHistoryApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.QueueAnnotationSerializer),
        operation_id="projects_queue_history_list",
    )
    def get(self, request, project_id: int):
        """The caller's own labels in the project, newest first (for undo)."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=LABEL_ROLES)
        return paginated_response(
            request,
            self,
            annotation_history(project=project, user=request.user),
            s.QueueAnnotationSerializer,
        )


class AnnotationUpdateApi(APIView):
    @extend_schema(request=s.AnnotationUpdateInputSerializer, responses=s.QueueAnnotationSerializer)
    def patch(self, request, project_id: int, annotation_id: int):
        """Change the labels of one of the caller's own annotations (undo), within 24 hours of
        giving it; the outcome is measured again against the proposal shown. 403 for someone
        else's annotation, 409 after the 24 hours."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=LABEL_ROLES)
        annotation = annotation_get_for_edit(
            project=project, annotation_id=annotation_id, user=request.user
        )
        data = s.AnnotationUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotation = annotation_update(annotation=annotation, labels=data.validated_data["labels"])
        return Response(s.QueueAnnotationSerializer(annotation).data)


class ItemFlagCreateApi(APIView):
    @extend_schema(
        request=s.FlagInputSerializer, responses={201: s.FlagSerializer, 200: s.FlagSerializer}
    )
    def post(self, request, project_id: int, item_id: int):
        """Flag the item as unclear for review. Flagging it again returns the first flag (200)."""
        item = _labeler_item(request, project_id, item_id)
        data = s.FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag, created = item_flag_create(item=item, user=request.user, **data.validated_data)
        return Response(
            s.FlagSerializer(flag).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class FlagListApi(APIView):
    @extend_schema(
        parameters=[s.FlagFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.FlagSerializer),
        operation_id="projects_flags_list",
    )
    def get(self, request, project_id: int):
        """The project's flagged items, newest first; ``resolved`` picks open or handled ones."""
        project: Project = project_get_for_user(
            project_id=project_id, user=request.user, roles=DATA_ROLES
        )
        filters = s.FlagFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        flags = flag_list(project=project, resolved=filters.validated_data["resolved"])
        return paginated_response(request, self, flags, s.FlagSerializer)


class FlagResolveApi(APIView):
    @extend_schema(request=None, responses=s.FlagSerializer)
    def post(self, request, project_id: int, flag_id: int):
        """Mark a flag as dealt with (resolving it again changes nothing)."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        flag = get_object_or_404(ItemFlag.objects.filter(item__project=project), pk=flag_id)
        flag = item_flag_resolve(flag=flag, user=request.user)
        return Response(s.FlagSerializer(flag).data)


class SkipListApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.SkipSerializer),
        operation_id="projects_skips_list",
    )
    def get(self, request, project_id: int):
        """The project's skipped items with the annotators' reasons, newest first."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        return paginated_response(request, self, skip_list(project=project), s.SkipSerializer)
