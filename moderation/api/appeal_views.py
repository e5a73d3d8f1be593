"""Appeals: a platform files one for its author (API key, scope ``appeals``); senior
moderators list and decide them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import appeal_serializers as s
from moderation.api.auth import HasScope, PlatformKeyAuthentication
from moderation.models import Appeal
from moderation.selectors.access import SENIOR_ROLES
from moderation.selectors.appeals import appeal_list
from moderation.selectors.contents import content_get_for_user
from moderation.services.appeals import appeal_create, appeal_decide


class PlatformAppealCreateApi(APIView):
    authentication_classes = [PlatformKeyAuthentication]
    permission_classes = [HasScope]
    required_scope = "appeals"

    @extend_schema(
        request=s.AppealCreateInputSerializer, responses={201: s.PlatformAppealSerializer}
    )
    def post(self, request):
        """An author appeals the final decision on their content (API key with scope
        ``appeals``). 404 for content the platform never sent; 409 when it has no final
        decision or an appeal of it is already open."""
        data = s.AppealCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = appeal_create(platform=request.user.platform, **data.validated_data)
        return Response(s.PlatformAppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealListApi(APIView):
    @extend_schema(
        parameters=[s.AppealFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.AppealSerializer),
        operation_id="moderation_appeals_list",
    )
    def get(self, request):
        """Appeals in the policies where the caller is a senior moderator, oldest first."""
        filters = s.AppealFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        appeals = appeal_list(user=request.user, state=filters.validated_data.get("state"))
        return paginated_response(request, self, appeals, s.AppealSerializer)


class AppealDecideApi(APIView):
    @extend_schema(request=s.AppealDecideInputSerializer, responses=s.AppealSerializer)
    def post(self, request, appeal_id: int):
        """Uphold or overturn an appeal (senior moderators; never the one who made the appealed
        decision: 403). Overturning restores the content, corrects the training label, takes
        back the strike and notifies the platform by webhook. 409 when already decided."""
        appeal = get_object_or_404(Appeal.objects.select_related("content__policy"), pk=appeal_id)
        content_get_for_user(content_id=appeal.content_id, user=request.user, roles=SENIOR_ROLES)
        data = s.AppealDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = appeal_decide(appeal=appeal, user=request.user, **data.validated_data)
        appeal = Appeal.objects.select_related("content__item", "decision__reason_code").get(
            pk=appeal.pk
        )
        return Response(s.AppealSerializer(appeal).data)
