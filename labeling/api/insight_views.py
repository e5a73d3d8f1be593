"""Endpoints for data owners: agreement, adjudication (gold labels) and the project dashboard."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import insight_serializers as s
from labeling.choices import DATA_ROLES
from labeling.selectors.agreement import (
    adjudication_entries,
    adjudication_open_item_ids,
    adjudication_resolved_item_ids,
    project_agreement,
)
from labeling.selectors.dashboard import project_dashboard
from labeling.selectors.projects import project_get_for_user
from labeling.services.adjudication import adjudication_resolve


class AgreementApi(APIView):
    @extend_schema(responses=s.AgreementOutputSerializer)
    def get(self, request, project_id: int):
        """How far people agree, over items two or more of them labeled: for the project
        (percent agreement, Cohen's / Fleiss' kappa, Krippendorff's alpha) and per person.
        In a multilabel project each label set counts as one category."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        return Response(s.AgreementOutputSerializer(project_agreement(project=project)).data)


class AdjudicationListApi(APIView):
    @extend_schema(
        parameters=[s.AdjudicationFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.AdjudicationOutputSerializer),
        operation_id="projects_adjudication_list",
    )
    def get(self, request, project_id: int):
        """Items whose annotators disagree and wait for a gold label (open), or those resolved."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        filters = s.AdjudicationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        item_ids = (
            adjudication_open_item_ids(project=project)
            if filters.validated_data["state"] == "open"
            else adjudication_resolved_item_ids(project=project)
        )
        return paginated_response(
            request,
            self,
            item_ids,
            s.AdjudicationOutputSerializer,
            page_rows=lambda page: adjudication_entries(project=project, item_ids=list(page)),
        )


class AdjudicationResolveApi(APIView):
    @extend_schema(
        request=s.AdjudicationResolveInputSerializer,
        responses=s.AdjudicationOutputSerializer,
        operation_id="projects_adjudication_resolve",
    )
    def post(self, request, project_id: int, item_id: int):
        """Set the item's gold label (again, to change it). Training uses it from the next run
        over every annotation of the item."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        item = get_object_or_404(project.items.select_related("project"), pk=item_id)
        data = s.AdjudicationResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        adjudication_resolve(
            item=item,
            resolved_by=request.user,
            labels=data.validated_data["labels"],
            note=data.validated_data["note"],
        )
        [entry] = adjudication_entries(project=project, item_ids=[item.pk])
        return Response(s.AdjudicationOutputSerializer(entry).data)


class DashboardApi(APIView):
    @extend_schema(responses=s.DashboardOutputSerializer)
    def get(self, request, project_id: int):
        """Queue depth, label distribution, each annotator's throughput, acceptance and kappa,
        the proposals' acceptance rate and throughput per day (last 30 days), agreement."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        return Response(s.DashboardOutputSerializer(project_dashboard(project=project)).data)
