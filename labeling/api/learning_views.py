"""Endpoints of the active-learning loop: training jobs, model versions, curve, auto-labels."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import evaluation_serializers as es
from labeling.api import learning_serializers as s
from labeling.api import model_stage_serializers as ms
from labeling.choices import ALL_ROLES, DATA_ROLES, MANAGE_ROLES
from labeling.selectors.evaluation import (
    evaluation_settings,
    project_model_versions_evaluated,
    version_evaluation,
)
from labeling.selectors.learning import (
    auto_label_summary,
    learning_curve,
    model_version_by_number,
    project_model_versions,
    project_training_jobs,
)
from labeling.selectors.model_stages import model_versions_compare
from labeling.selectors.projects import project_get_for_user
from labeling.services.evaluation import project_evaluation_request, project_slice_fields_set
from labeling.services.learning_jobs import project_embedding_request, project_training_request
from labeling.services.model_stages import (
    STAGE_ROLES,
    model_version_rollback,
    model_version_stage_change,
)
from models_app.choices import JobKind, JobTrigger


class TrainingJobListCreateApi(APIView):
    class JobFilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=JobKind.choices, required=False)

    @extend_schema(
        parameters=[
            JobFilterSerializer,
            *PAGE_PARAMETERS,
        ],
        responses=paginated(s.TrainingJobOutputSerializer),
        operation_id="projects_training_jobs_list",
    )
    def get(self, request, project_id: int):
        """The project's jobs, newest first, with status, step, progress and message."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        filters = self.JobFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        jobs = project_training_jobs(project=project, kind=filters.validated_data.get("kind"))
        return paginated_response(request, self, jobs, s.TrainingJobOutputSerializer)

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
        return paginated_response(
            request, self, project_model_versions(project=project), s.ModelVersionOutputSerializer
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
        """Move a version to a stage (shadow → canary → production, or archived). Production
        is one per project: the version serving now is archived. Audited (``model.stage``)
        with the metrics of both versions."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=STAGE_ROLES)
        version = get_object_or_404(project_model_versions(project=project), pk=version_id)
        data = s.StageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = model_version_stage_change(
            project=project, version=version, stage=data.validated_data["stage"], user=request.user
        )
        return Response(s.ModelVersionOutputSerializer(version).data)


class ModelVersionRollbackApi(APIView):
    @extend_schema(request=ms.RollbackInputSerializer, responses=s.ModelVersionOutputSerializer)
    def post(self, request, project_id: int):
        """Put the version that served before the current production one back into
        production; the current one is archived. 409 when there is none. Returns the version
        that serves now."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=STAGE_ROLES)
        data = ms.RollbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = model_version_rollback(
            project=project, user=request.user, reason=data.validated_data["reason"]
        )
        return Response(s.ModelVersionOutputSerializer(version).data)


class ModelVersionCompareApi(APIView):
    @extend_schema(parameters=[ms.CompareQuerySerializer], responses=ms.CompareOutputSerializer)
    def get(self, request, project_id: int):
        """Two versions by number (``?a=1&b=2``), side by side: both scored on the same
        held-out items (the newer's held-out set) with 95 % intervals, their stored metrics and
        promotion decisions and, when either is in shadow or canary, both versions' agreement
        with people's moderation decisions since then. 404 for a number the project has not."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        query = ms.CompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        a, b = (
            model_version_by_number(project=project, number=query.validated_data[key])
            for key in ("a", "b")
        )
        comparison = model_versions_compare(project=project, a=a, b=b)
        return Response(ms.CompareOutputSerializer(comparison).data)


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


class ModelVersionEvaluationApi(APIView):
    @extend_schema(responses=es.EvaluationOutputSerializer)
    def get(self, request, project_id: int, version_id: int):
        """The version's full evaluation on its held-out items: per-class scores, calibration,
        PR curves, operating points of the policies' thresholds, slices (each with 95 %
        intervals), and its latest evaluation job."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        version = get_object_or_404(
            project_model_versions_evaluated(project=project), pk=version_id
        )
        return Response(es.EvaluationOutputSerializer(version_evaluation(version=version)).data)

    @extend_schema(request=None, responses={202: s.TrainingJobOutputSerializer})
    def post(self, request, project_id: int, version_id: int):
        """Evaluate the version again (e.g. after the slice fields changed) in a background
        job; returns the job. 409 while another version of the project is being evaluated."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        version = get_object_or_404(project_model_versions(project=project), pk=version_id)
        job = project_evaluation_request(
            project=project, version=version, requested_by=request.user
        )
        job.refresh_from_db()
        return Response(s.TrainingJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class EvaluationSettingsApi(APIView):
    @extend_schema(responses=es.EvaluationSettingsSerializer)
    def get(self, request, project_id: int):
        """The slice fields every evaluation reports, and the fields that can be declared."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        return Response(es.EvaluationSettingsSerializer(evaluation_settings(project=project)).data)

    @extend_schema(
        request=es.EvaluationSettingsInputSerializer, responses=es.EvaluationSettingsSerializer
    )
    def put(self, request, project_id: int):
        """Declare the slice fields (project admins). 400 naming a field that is malformed,
        repeated, or not a metadata field of the project's items. Versions keep their reports
        until evaluated again."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=MANAGE_ROLES)
        data = es.EvaluationSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_slice_fields_set(
            project=project, fields=data.validated_data["slice_fields"], actor=request.user
        )
        return Response(es.EvaluationSettingsSerializer(evaluation_settings(project=project)).data)
