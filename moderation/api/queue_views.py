"""Review queues: moderators list the queues they may work (with depth, oldest item and SLA at
risk); the policy's admins (project admins and senior moderators) create, rename, restrict,
order and delete them and choose who works a restricted one. Queues of a policy the caller
cannot see read as missing (404)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import queue_serializers as s
from moderation.selectors.access import POLICY_ADMIN_ROLES, policy_get_for_user
from moderation.selectors.queues import (
    policy_queue_list,
    review_queue_get_for_user,
    review_queue_stats,
)
from moderation.services import queues as queue_services


def _queue_out(queue_id: int, policy) -> dict:
    return s.PolicyQueueSerializer(policy_queue_list(policy=policy).get(pk=queue_id)).data


class QueueStatsListApi(APIView):
    @extend_schema(
        parameters=[s.ReviewQueueStatsFilterSerializer],
        responses=s.ReviewQueueStatsSerializer(many=True),
        operation_id="moderation_queues_stats",
    )
    def get(self, request):
        """The review queues the caller may work (``tier=senior``: in policies where they are
        senior), in each policy's order, each with its depth, oldest open item and how many
        are SLA at risk (due within the policy's warning window, or overdue). Appeals queues
        (senior moderators only) count open appeals."""
        filters = s.ReviewQueueStatsFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        stats = review_queue_stats(
            user=request.user,
            tier=filters.validated_data["tier"],
            policy_id=filters.validated_data.get("policy"),
        )
        return Response(s.ReviewQueueStatsSerializer(stats, many=True).data)


class PolicyQueueListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.PolicyQueueSerializer),
        operation_id="moderation_policies_queues_list",
    )
    def get(self, request, policy_id: int):
        """All the policy's queues in order, with members and the rules routing to each
        (the policy's admins)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        return paginated_response(
            request, self, policy_queue_list(policy=policy), s.PolicyQueueSerializer
        )

    @extend_schema(request=s.QueueCreateInputSerializer, responses={201: s.PolicyQueueSerializer})
    def post(self, request, policy_id: int):
        """Add a named queue (last in order unless ``position`` says). Audited
        (``review_queue.create``)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.QueueCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queue = queue_services.review_queue_create(
            policy=policy, user=request.user, **data.validated_data
        )
        return Response(_queue_out(queue.pk, policy), status=status.HTTP_201_CREATED)


class QueueDetailApi(APIView):
    @extend_schema(request=s.QueueUpdateInputSerializer, responses=s.PolicyQueueSerializer)
    def patch(self, request, queue_id: int):
        """Rename, describe, restrict (or open) or move a queue. Audited
        (``review_queue.update``, the changed fields before and after)."""
        queue = review_queue_get_for_user(
            queue_id=queue_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.QueueUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queue_services.review_queue_update(queue=queue, user=request.user, **data.validated_data)
        return Response(_queue_out(queue.pk, queue.policy))

    @extend_schema(responses={204: None})
    def delete(self, request, queue_id: int):
        """Delete a named queue; its content moves to the default queue. 400 for the default
        and appeals queues and for a queue routing rules name. Audited."""
        queue = review_queue_get_for_user(
            queue_id=queue_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        queue_services.review_queue_delete(queue=queue, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QueueMemberAddApi(APIView):
    @extend_schema(request=s.QueueMemberInputSerializer, responses={201: s.PolicyQueueSerializer})
    def post(self, request, queue_id: int):
        """Let a moderator of the policy work this (restricted) queue. 400 for a user who does
        not moderate the policy. Audited (``review_queue.member_add``)."""
        queue = review_queue_get_for_user(
            queue_id=queue_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.QueueMemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = get_user_model().objects.filter(pk=data.validated_data["user_id"]).first()
        if member is None:
            raise ApplicationError("No such user.", extra={"field": "user_id"})
        queue_services.review_queue_member_add(queue=queue, user=request.user, member=member)
        return Response(_queue_out(queue.pk, queue.policy), status=status.HTTP_201_CREATED)


class QueueMemberRemoveApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, queue_id: int, user_id: int):
        """Take a member off the queue (nothing happens when they were not on it). Audited
        (``review_queue.member_remove``)."""
        queue = review_queue_get_for_user(
            queue_id=queue_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        queue_services.review_queue_member_remove(queue=queue, user=request.user, member_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
