"""The review workbench: the queue, the review panel of a content (its image, leases,
reassignment) and decisions. Roles come from the policy's labeling project
(moderation.selectors.access)."""

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.files import CACHE_NO_STORE, FileViewMixin, file_response
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import review_serializers as s
from moderation.choices import ReviewTier
from moderation.selectors.access import (
    MODERATE_ROLES,
    SENIOR_ROLES,
    policies_for_user,
    policy_get_for_user,
)
from moderation.selectors.contents import content_get_for_user
from moderation.selectors.quality import quality_task_held, review_panel
from moderation.selectors.queues import review_queue_to_work
from moderation.selectors.review import review_queue_list
from moderation.selectors.suggestions import model_suggestion_shown
from moderation.selectors.wellness import flagged_segments
from moderation.services import quality as quality_services
from moderation.services import review as review_services
from moderation.services import rules as rule_services
from moderation.services.decisions import decision_create
from moderation.services.rule_engine import banks_spans


def _detail(content, user) -> dict:
    scan_max = rule_services.scan_max_chars()
    spans = banks_spans(policy=content.policy, text=content.item.text, scan_max=scan_max)
    panel = review_panel(content=content, user=user, bank_spans=spans)
    _thread_masks(panel["thread"], user=user, scan_max=scan_max)
    return s.ContentDetailSerializer(panel).data


def _thread_masks(thread: dict, *, user, scan_max: int) -> None:
    """The thread's messages get their flagged pieces too (their own policy's text banks):
    with "hide flagged terms" on, a reply's slur is masked like the content's own."""
    entries = [*thread["ancestors"], *thread["siblings"]]
    policies = policies_for_user(user=user, roles=MODERATE_ROLES).in_bulk(
        {entry["policy_id"] for entry in entries if entry["text"]}
    )
    for entry in entries:
        policy = policies.get(entry["policy_id"])
        if policy is None:
            continue
        entry["flagged_segments"] = flagged_segments(
            text=entry["text"],
            rules=[],
            bank_spans=[
                (span.start, span.end)
                for span in banks_spans(policy=policy, text=entry["text"], scan_max=scan_max)
            ],
        )


class ReviewQueueNextApi(APIView):
    @extend_schema(request=s.ReviewNextInputSerializer, responses=s.ReviewNextOutputSerializer)
    def post(self, request):
        """Lease the highest-priority open content of the tier (``standard``: pending, for
        moderators; ``senior``: escalated, for senior moderators) to the caller for five
        minutes. ``content`` is null when nothing is left. Optional ``policy`` / ``category`` /
        ``queue`` narrow it; a policy or queue outside the caller's reach is 404, without the
        tier's role 403, a restricted queue the caller is not a member of 403. Content in
        queues the caller may not work is never leased."""
        data = s.ReviewNextInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tier = data.validated_data["tier"]
        roles = review_services.TIER_ROLES[tier]
        policy_id = data.validated_data.get("policy")
        queue_id = data.validated_data.get("queue")
        queue = (
            review_queue_to_work(queue_id=queue_id, user=request.user, tier=tier)
            if queue_id is not None
            else None
        )
        if queue is not None and policy_id is not None and queue.policy_id != policy_id:
            raise ApplicationError(
                "This queue is not one of the policy's.",
                extra={"queue": queue_id, "policy": policy_id},
            )
        if queue is not None:
            policy_ids = [queue.policy_id]
        elif policy_id is not None:
            policy_ids = [
                policy_get_for_user(policy_id=policy_id, user=request.user, roles=roles).pk
            ]
        else:
            policy_ids = list(
                policies_for_user(user=request.user, roles=roles).values_list("pk", flat=True)
            )
        # Gold items and second reviews are mixed in here, and read like any other content.
        content = quality_services.review_quality_next(
            user=request.user,
            tier=tier,
            policy_ids=policy_ids,
            category_id=data.validated_data.get("category"),
            exclude=data.validated_data.get("exclude", []),
            queue=queue,
        )
        if content is not None:
            content = content_get_for_user(content_id=content.pk, user=request.user, roles=roles)
        return Response(
            {"content": _detail(content, request.user) if content is not None else None}
        )


class ReviewQueueListApi(APIView):
    @extend_schema(
        parameters=[s.ReviewQueueFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.ContentRowSerializer),
        operation_id="moderation_queue_list",
    )
    def get(self, request):
        """Content of the policies the caller moderates, highest priority first, with SLA
        deadlines (``overdue`` once passed). Default: open content (pending and escalated).
        Content in restricted queues the caller may not work is left out; ``queue`` lists one
        queue (404 outside the caller's policies, 403 when restricted to others)."""
        filters = s.ReviewQueueFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        queue = (
            review_queue_to_work(
                queue_id=f["queue"], user=request.user, tier=f.get("tier") or ReviewTier.STANDARD
            )
            if f.get("queue") is not None
            else None
        )
        contents = review_queue_list(
            user=request.user,
            policy_id=f.get("policy"),
            category_id=f.get("category"),
            state=f.get("state"),
            tier=f.get("tier"),
            queue=queue,
        )
        return paginated_response(request, self, contents, s.ContentRowSerializer)


class ContentDetailApi(APIView):
    @extend_schema(responses=s.ContentDetailSerializer)
    def get(self, request, content_id: int):
        """The review panel: the content (a blurred thumbnail for images; the full image only
        through ``image/``), its context, reports, hash matches, the model's suggestion when the
        policy shows it (assist, partial, full), author history, similar decided content and
        the decisions so far."""
        content = content_get_for_user(
            content_id=content_id, user=request.user, roles=MODERATE_ROLES
        )
        return Response(_detail(content, request.user))


IMAGE_RESPONSES = {
    (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The image bytes.")
}


class ContentImageApi(FileViewMixin, APIView):
    @extend_schema(responses=IMAGE_RESPONSES)
    def get(self, request, content_id: int):
        """The full (unblurred) image; every reveal is recorded in the audit log
        (``content.reveal``) before a byte is sent, and the answer is never cached. 404 for
        content without an image."""
        content = content_get_for_user(
            content_id=content_id, user=request.user, roles=MODERATE_ROLES
        )
        image = content.item.image
        if not image:
            raise ApplicationError("This content has no image.", status_code=404)
        review_services.content_image_reveal(content=content, user=request.user)
        return file_response(file=image, as_image=True, cache_control=CACHE_NO_STORE)


class ContentBlurredThumbnailApi(FileViewMixin, APIView):
    @extend_schema(responses=IMAGE_RESPONSES)
    def get(self, request, content_id: int):
        """The server-blurred thumbnail shown until a moderator reveals the image (anyone who
        may review the content). 404 for content without an image."""
        content = content_get_for_user(
            content_id=content_id, user=request.user, roles=MODERATE_ROLES
        )
        if not content.blurred_thumbnail:
            raise ApplicationError("This content has no image.", status_code=404)
        return file_response(file=content.blurred_thumbnail, as_image=True)


class ContentRenewApi(APIView):
    @extend_schema(request=None, responses=s.LeaseSerializer)
    def post(self, request, content_id: int):
        """Extend the caller's lease by five minutes; 409 when they hold none or it expired."""
        content = content_get_for_user(
            content_id=content_id, user=request.user, roles=MODERATE_ROLES
        )
        task = quality_task_held(content=content, user=request.user)
        if task is not None:
            task = quality_services.quality_task_renew(task=task)
            return Response(
                {
                    "id": content.pk,
                    "leased_by": request.user.get_username(),
                    "lease_expires_at": task.lease_expires_at,
                }
            )
        content = review_services.review_renew(content=content, user=request.user)
        return Response(s.LeaseSerializer(content).data)


class ContentReleaseApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, content_id: int):
        """Give the content back to the queue (does nothing when the caller does not hold it)."""
        content = content_get_for_user(
            content_id=content_id, user=request.user, roles=MODERATE_ROLES
        )
        task = quality_task_held(content=content, user=request.user)
        if task is not None:
            quality_services.quality_task_release(task=task)
        else:
            review_services.review_release(content=content, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContentReassignApi(APIView):
    @extend_schema(request=s.ReassignInputSerializer, responses=s.LeaseSerializer)
    def post(self, request, content_id: int):
        """Hand open content to another moderator of the policy's project (senior moderators
        only). 400 when the target has no moderation role there; 409 for decided content."""
        content = content_get_for_user(content_id=content_id, user=request.user, roles=SENIOR_ROLES)
        data = s.ReassignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = get_user_model().objects.filter(pk=data.validated_data["user_id"]).first()
        if target is None:
            raise ApplicationError(
                "No such user.", extra={"user_id": data.validated_data["user_id"]}
            )
        content = review_services.review_reassign(content=content, user=request.user, target=target)
        return Response(s.LeaseSerializer(content).data)


class ContentDecideApi(APIView):
    @extend_schema(request=s.DecisionInputSerializer, responses={201: s.DecisionSerializer})
    def post(self, request, content_id: int):
        """Decide content the caller holds (seniors: escalated content, no lease needed):
        approve, remove or escalate, with a policy reason code for that action, an optional
        note and author action (warn, suspend with ``suspend_days``; removals only).
        400 for an unknown or mismatched reason code; 409 when it is already decided."""
        content = content_get_for_user(
            content_id=content_id, user=request.user, roles=MODERATE_ROLES
        )
        data = s.DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = quality_task_held(content=content, user=request.user)
        if task is not None:
            # A gold item or a second review: recorded as the moderator's answer only, and
            # answered in the shape of a decision.
            task_input = data.validated_data
            task = quality_services.quality_answer_record(
                task=task, user=request.user, **task_input
            )
            answer = quality_services.quality_answer_as_decision(
                task=task,
                content=content,
                suggestion=model_suggestion_shown(content=content),
                author_action=task_input.get("author_action", "none"),
                suspend_days=task_input.get("suspend_days"),
            )
            return Response(s.DecisionSerializer(answer).data, status=status.HTTP_201_CREATED)
        quality_services.quality_task_refuse_unheld(content=content, user=request.user)
        decision = decision_create(content=content, user=request.user, **data.validated_data)
        return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
