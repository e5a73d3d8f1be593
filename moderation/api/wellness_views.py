"""Reviewer wellness: each person's settings over the organisation's defaults (site staff set
those), exposure to graphic content (the moderator's own; their managers' view), reveals of
flagged text, and answered break reminders."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import wellness_serializers as s
from moderation.selectors.access import MODERATE_ROLES
from moderation.selectors.contents import content_get_for_user
from moderation.selectors.wellness import (
    content_is_graphic,
    exposure_day,
    exposure_summaries,
    exposure_visible,
    is_wellness_manager,
    moderators_managed_by,
    wellness_defaults_get,
    wellness_for_user,
)
from moderation.services import wellness as services


def _wellness(user) -> dict:
    wellness = wellness_for_user(user=user)
    return s.WellnessSerializer(
        {"effective": wellness.effective, "own": wellness.own, "defaults": wellness.defaults}
    ).data


class WellnessSettingsApi(APIView):
    @extend_schema(responses=s.WellnessSerializer, operation_id="moderation_wellness_me_retrieve")
    def get(self, request):
        """Your wellness settings: what the review panel applies, your own values (null follows
        the organisation's default) and the defaults."""
        return Response(_wellness(request.user))

    @extend_schema(request=s.WellnessSettingsInputSerializer, responses=s.WellnessSerializer)
    def patch(self, request):
        """Change any of your settings; null goes back to the organisation's default. 400
        names the field at fault (an unknown field too)."""
        data = s.WellnessSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.wellness_settings_update(user=request.user, values=data.validated_data)
        return Response(_wellness(request.user))


class WellnessSettingsResetApi(APIView):
    @extend_schema(request=None, responses=s.WellnessSerializer)
    def post(self, request):
        """Reset to defaults: forget all your own values."""
        services.wellness_settings_reset(user=request.user)
        return Response(_wellness(request.user))


class WellnessDefaultsApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses=s.WellnessDefaultsSerializer)
    def get(self, request):
        """The organisation's wellness defaults (site staff)."""
        return Response(s.WellnessDefaultsSerializer(wellness_defaults_get()).data)

    @extend_schema(
        request=s.WellnessDefaultsInputSerializer, responses=s.WellnessDefaultsSerializer
    )
    def patch(self, request):
        """Change the organisation's defaults (site staff; audited as ``wellness.defaults``).
        Everyone who has no value of their own follows them at once."""
        data = s.WellnessDefaultsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.wellness_defaults_update(user=request.user, values=data.validated_data)
        return Response(s.WellnessDefaultsSerializer(row).data)


def _summary_rows(users) -> list[dict]:
    users = list(users)
    today = exposure_day()
    summaries = exposure_summaries(user_ids=[u.pk for u in users], today=today)
    return [
        {"user_id": u.pk, "username": u.get_username(), "day": today, **summaries[u.pk]}
        for u in users
    ]


class ExposureApi(APIView):
    @extend_schema(parameters=[s.ExposureFilterSerializer], responses=s.ExposureSerializer)
    def get(self, request):
        """Reveals of graphic content: today and over the last seven days, per day. Yours by
        default; another moderator's (``user``) only for their managers (site staff, admins
        and senior moderators of a policy they moderate): 403 otherwise."""
        filters = s.ExposureFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user_id = filters.validated_data.get("user", request.user.pk)
        target = get_user_model().objects.filter(pk=user_id).first()
        if target is None or not exposure_visible(viewer=request.user, target=target):
            raise ApplicationError(
                "Only the moderator and their managers may read their exposure.",
                extra={"user": user_id},
                status_code=403,
            )
        return Response(s.ExposureSerializer(_summary_rows([target])[0]).data)


class ExposureModeratorsApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.ExposureSerializer),
        operation_id="moderation_wellness_exposure_moderators",
    )
    def get(self, request):
        """The exposure of every moderator you manage (site staff: all moderators; admins and
        senior moderators: those of the policies they run), by username. 403 for others."""
        if not is_wellness_manager(user=request.user):
            raise ApplicationError(
                "Only site staff and the people who run a policy see moderators' exposure.",
                status_code=403,
            )
        return paginated_response(
            request,
            self,
            moderators_managed_by(user=request.user),
            s.ExposureSerializer,
            page_rows=_summary_rows,
        )


class ContentRevealApi(APIView):
    @extend_schema(request=s.RevealInputSerializer, responses=s.RevealOutputSerializer)
    def post(self, request, content_id: int):
        """Record that you revealed the masked flagged terms of a content's text (audited as
        ``content.reveal``; graphic content counts towards today's exposure, once a day)."""
        content = content_get_for_user(
            content_id=content_id, user=request.user, roles=MODERATE_ROLES
        )
        data = s.RevealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counted = services.content_reveal_record(
            content=content, user=request.user, kind=data.validated_data["kind"]
        )
        return Response(
            {"counted": counted, "graphic": content_is_graphic(content=content)},
            status=status.HTTP_200_OK,
        )


class WellnessBreakApi(APIView):
    @extend_schema(request=s.BreakInputSerializer, responses={201: s.BreakSerializer})
    def post(self, request):
        """Answer a break reminder: ``dismissed`` or ``break`` (took one), with the active
        seconds on graphic content the browser counted; your managers see today's count."""
        data = s.BreakInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.wellness_break_record(user=request.user, **data.validated_data)
        return Response(s.BreakSerializer(row).data, status=status.HTTP_201_CREATED)
