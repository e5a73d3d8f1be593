"""Reports: a platform's user flags content (API key, scope ``reports``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from moderation.api import report_serializers as s
from moderation.api.auth import PlatformApi
from moderation.selectors.contents import content_get_for_platform
from moderation.services.reports import report_create, user_report_count


class ReportCreateApi(PlatformApi):
    required_scope = "reports"

    @extend_schema(
        request=s.ReportInputSerializer,
        responses={201: s.ReportOutputSerializer, 200: s.ReportOutputSerializer, 404: None},
    )
    def post(self, request):
        """A platform user reports content. 201 for a new report; 200 when this reporter had
        already reported it (counted once). 404 for content the platform never submitted,
        or submitted under a policy it is no longer granted."""
        data = s.ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        content = content_get_for_platform(
            platform=request.user.platform, external_id=data.validated_data["external_id"]
        )
        _, created, content = report_create(
            content=content,
            reporter_id=data.validated_data["reporter_id"],
            reason=data.validated_data["reason"],
        )
        body = {
            "external_id": content.external_id,
            "content_id": content.pk,
            "created": created,
            "user_report_count": user_report_count(content=content),
            "report_count": content.report_count,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
