"""Endpoints of the active-learning loop: training jobs, model versions, curve, auto-labels."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, DefaultPagination, paginated
from labeling.api import learning_serializers as s
from labeling.choices import ALL_ROLES, DATA_ROLES
from labeling.selectors.learning import (
    auto_label_summary,
    learning_curve,
    project_model_versions,
    project_training_jobs,
)
from labeling.selectors.projects import project_get_for_user
from labeling.services.learning_jobs import project_embedding_request, project_training_request
from models_app.choices import JobKind, JobTrigger
from models_app.services.registry import model_version_set_stage


class TrainingJobListCreateApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=JobKind.values, description="train or embed"),
            *PAGE_PARAMETERS,
        ],
        responses=paginated(s.TrainingJobOutputSerializer),
        operation_id="projects_training_jobs_list",
    )
    def get(self, request, project_id: int):
        """The project's jobs, newest first, with status, step, progress and message."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        kind = request.query_params.get("kind")
        jobs = project_training_jobs(project=project, kind=kind if kind in JobKind.values else None)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(jobs, request, view=self)
        return paginator.get_paginated_response(s.TrainingJobOutputSerializer(page, many=True).data)

    @extend_schema(
        request=s.TrainingJobCreateInputSerializer,
        responses={202: s.TrainingJobOutputSerializer},
    )
    def post(self, request, project_id: int):
        """Train now (or embed). A job already queued or running for the project is returned
        instead of a second one; a running one will run once more when it ends."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        data = s.TrainingJobCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        request_job = (
            project_training_request
            if data.validated_data["kind"] == JobKind.TRAIN
            else project_embedding_request
        )
        job = request_job(project=project, trigger=JobTrigger.MANUAL, requested_by=request.user)
        job.refresh_from_db()
        return Response(s.TrainingJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class TrainingJobDetailApi(APIView):
    @extend_schema(responses=s.TrainingJobOutputSerializer)
    def get(self, request, project_id: int, job_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        job = get_object_or_404(project_training_jobs(project=project), pk=job_id)
        return Response(s.TrainingJobOutputSerializer(job).data)


class ModelVersionListApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.ModelVersionOutputSerializer),
        operation_id="projects_model_versions_list",
    )
    def get(self, request, project_id: int):
        """The project's model versions, newest first, with held-out metrics and stage."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            project_model_versions(project=project), request, view=self
        )
        return paginator.get_paginated_response(
            s.ModelVersionOutputSerializer(page, many=True).data
        )


class ModelVersionDetailApi(APIView):
    @extend_schema(responses=s.ModelVersionOutputSerializer)
    def get(self, request, project_id: int, version_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        version = get_object_or_404(project_model_versions(project=project), pk=version_id)
        return Response(s.ModelVersionOutputSerializer(version).data)


class ModelVersionStageApi(APIView):
    @extend_schema(request=s.StageInputSerializer, responses=s.ModelVersionOutputSerializer)
    def post(self, request, project_id: int, version_id: int):
        """Move a version to a stage. Production is one per project: the version serving now
        is archived. Rolling back is promoting the earlier version again."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        version = get_object_or_404(project_model_versions(project=project), pk=version_id)
        data = s.StageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = model_version_set_stage(
            version=version, stage=data.validated_data["stage"], user=request.user
        )
        return Response(s.ModelVersionOutputSerializer(version).data)


class LearningCurveApi(APIView):
    @extend_schema(responses=s.LearningCurveOutputSerializer)
    def get(self, request, project_id: int):
        """Held-out ROC AUC and macro F1 of every version against its number of human labels."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        return Response(
            s.LearningCurveOutputSerializer({"points": learning_curve(project=project)}).data
        )


class AutoLabelApi(APIView):
    @extend_schema(responses=s.AutoLabelOutputSerializer)
    def get(self, request, project_id: int):
        """The auto-labeling estimate: threshold, precision on the audit sample with its
        confidence interval, and how many items are labeled automatically."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        return Response(s.AutoLabelOutputSerializer(auto_label_summary(project=project)).data)
