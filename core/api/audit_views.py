"""The audit log, read only: list (filtered, newest first) and one event.

There is no write endpoint: every other method answers 405, and the table refuses changes.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.audit_serializers import AuditEventFilterSerializer, AuditEventOutputSerializer
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from core.selectors.audit import audit_event_get, audit_event_list


class AuditEventListApi(APIView):
    @extend_schema(
        parameters=[AuditEventFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(AuditEventOutputSerializer),
        operation_id="audit_list",
    )
    def get(self, request):
        """Events the caller may read, newest first: all of them for site admins; those of
        their projects (scope ``labeling.project:<id>``) for project admins and senior
        moderators; 403 for everyone else."""
        filters = AuditEventFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = audit_event_list(user=request.user, **filters.validated_data)
        return paginated_response(request, self, events, AuditEventOutputSerializer)


class AuditEventDetailApi(APIView):
    @extend_schema(responses=AuditEventOutputSerializer)
    def get(self, request, event_id: int):
        event = audit_event_get(user=request.user, event_id=event_id)
        return Response(AuditEventOutputSerializer(event).data)
