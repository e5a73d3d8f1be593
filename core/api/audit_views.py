"""The audit log, read only: list (filtered, newest first), one event, and the filtered list
as a file.

There is no write endpoint: every other method answers 405, and the table refuses changes.
"""

from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.audit_serializers import (
    AuditEventFilterSerializer,
    AuditEventOutputSerializer,
    AuditExportQuerySerializer,
)
from core.choices import AuditExportFormat
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from core.selectors.audit import audit_event_get, audit_event_list
from core.selectors.audit_export import audit_export_stream
from core.selectors.audit_objects import audit_objects_resolve
from core.services.audit import audit_export_record


class AuditEventListApi(APIView):
    @extend_schema(
        parameters=[AuditEventFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(AuditEventOutputSerializer),
        operation_id="audit_list",
    )
    def get(self, request):
        """Events the caller may read, newest first: all of them for site admins; those of
        their projects (scope ``labeling.project:<id>``) for project admins and senior
        moderators; 403 for everyone else. Each event names its object as it is now
        (``object``: its name and page, or that it was deleted)."""
        filters = AuditEventFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = audit_event_list(user=request.user, **filters.validated_data)
        page_objects = {}  # event id -> its object, filled per page

        def resolve(page):  # a page's objects, one query per object type
            page_objects.update(audit_objects_resolve(events=page))
            return page

        return paginated_response(
            request,
            self,
            events,
            AuditEventOutputSerializer,
            page_rows=resolve,
            context={"objects": page_objects},
        )


class AuditEventDetailApi(APIView):
    @extend_schema(responses=AuditEventOutputSerializer)
    def get(self, request, event_id: int):
        event = audit_event_get(user=request.user, event_id=event_id)
        objects = audit_objects_resolve(events=[event])
        return Response(AuditEventOutputSerializer(event, context={"objects": objects}).data)


class AuditExportApi(APIView):
    @extend_schema(
        parameters=[AuditExportQuerySerializer],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        operation_id="audit_export",
    )
    def get(self, request):
        """The events the list would show for the same filters, every page of them, as CSV
        or JSON Lines (streamed: memory does not grow with the log). Who may download is who
        may read the list. The download is itself recorded (``audit.export``)."""
        query = AuditExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        fmt = filters.pop("format")
        events = audit_event_list(user=request.user, **filters)
        with transaction.atomic():
            audit_export_record(user=request.user, fmt=fmt, filters=filters)
        content_type = (
            "application/x-ndjson" if fmt == AuditExportFormat.JSONL else "text/csv; charset=utf-8"
        )
        response = StreamingHttpResponse(
            audit_export_stream(events=events, fmt=fmt), content_type=content_type
        )
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.{fmt}"'
        return response
