"""Drift monitoring: a project's windows, whether it is in alarm now, and its thresholds."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import drift_serializers as s
from labeling.choices import ALL_ROLES, DATA_ROLES
from labeling.selectors.drift import drift_settings_get, drift_state, drift_window_list
from labeling.selectors.projects import project_get_for_user
from labeling.services.drift import drift_settings_update


class DriftStateApi(APIView):
    @extend_schema(responses=s.DriftStateOutputSerializer, operation_id="projects_drift_state")
    def get(self, request, project_id: int):
        """Whether the project is in drift alarm: its newest window large enough to judge
        crossed a threshold (which ones, since which window), with the settings."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        state = drift_state(project=project)
        return Response(
            s.DriftStateOutputSerializer(
                {**state.__dict__, "settings": drift_settings_get(project=project)}
            ).data
        )


class DriftWindowListApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.DriftWindowOutputSerializer),
        operation_id="projects_drift_windows_list",
    )
    def get(self, request, project_id: int):
        """The project's drift windows, newest first: each window's items, the four measures
        (score PSI, label-mix PSI, domain-classifier AUC, overturn share), the thresholds it
        was judged by and the measures above them. Written by the drift job (Celery)."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        return paginated_response(
            request, self, drift_window_list(project=project), s.DriftWindowOutputSerializer
        )


class DriftSettingsApi(APIView):
    @extend_schema(responses=s.DriftSettingsSerializer, operation_id="projects_drift_settings")
    def get(self, request, project_id: int):
        """The project's drift thresholds (the defaults until someone changes them)."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        return Response(s.DriftSettingsSerializer(drift_settings_get(project=project)).data)

    @extend_schema(
        request=s.DriftSettingsSerializer,
        responses=s.DriftSettingsSerializer,
        operation_id="projects_drift_settings_update",
    )
    def patch(self, request, project_id: int):
        """Change thresholds (admins and ML engineers). Audited (``drift.settings``). Applies
        to windows closed from now on."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=DATA_ROLES)
        data = s.DriftSettingsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        settings = drift_settings_update(
            project=project, data=dict(data.validated_data), actor=request.user
        )
        return Response(s.DriftSettingsSerializer(settings).data)
