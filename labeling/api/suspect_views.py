"""Review suspect labels: run the job, list the suspects, send a batch for a second opinion,
and the label-quality summary (error rate per class and per annotator)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import suspect_serializers as s
from labeling.api.learning_serializers import TrainingJobOutputSerializer
from labeling.choices import ALL_ROLES, DATA_ROLES
from labeling.selectors.projects import project_get_for_user
from labeling.selectors.suspects import label_quality_summary, suspect_list
from labeling.services.learning_jobs import project_suspects_request
from labeling.services.suspect_reviews import suspects_send_for_second_opinion
from models_app.choices import JobTrigger


class SuspectListApi(APIView):
    @extend_schema(
        parameters=[s.SuspectFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.SuspectOutputSerializer),
        operation_id="projects_suspect_labels_list",
    )
    def get(self, request, project_id: int):
        """People's labels that are probably wrong, most likely first, with what a second
        opinion said. Members read; while an item is out for a blind second opinion only
        admins and ML engineers see its labels here."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        filters = s.SuspectFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = suspect_list(project=project, status=filters.validated_data.get("status"))
        return paginated_response(
            request,
            self,
            rows,
            s.SuspectOutputSerializer,
            context={"role": project.caller_role},
        )


class SuspectRunApi(APIView):
    @extend_schema(request=None, responses={202: TrainingJobOutputSerializer})
    def post(self, request, project_id: int):
        """Find suspect labels now (a background job). A job already queued or running is
        returned instead of a second one."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        job = project_suspects_request(
            project=project, trigger=JobTrigger.MANUAL, requested_by=request.user
        )
        job.refresh_from_db()
        return Response(TrainingJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class SuspectSecondOpinionApi(APIView):
    @extend_schema(
        request=s.SecondOpinionInputSerializer, responses=s.SecondOpinionOutputSerializer
    )
    def post(self, request, project_id: int):
        """Send open suspects to the annotation queue for a second opinion: each goes, before
        other items, to a member who never labeled it, without the first label or the model's
        proposal. The answer marks it confirmed or corrected. All or none: 400 for ids that
        are not open suspects of the project."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        data = s.SecondOpinionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sent = suspects_send_for_second_opinion(
            project=project, suspect_ids=data.validated_data["suspects"], user=request.user
        )
        output = s.SecondOpinionOutputSerializer(
            {"sent": len(sent), "suspects": sent}, context={"role": project.caller_role}
        )
        return Response(output.data)


class LabelQualityApi(APIView):
    @extend_schema(responses=s.LabelQualityOutputSerializer)
    def get(self, request, project_id: int):
        """The latest suspects job and, from the last that finished, the estimated label-error
        rate per class and the share of each annotator's labels flagged (with support)."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        return Response(s.LabelQualityOutputSerializer(label_quality_summary(project=project)).data)
