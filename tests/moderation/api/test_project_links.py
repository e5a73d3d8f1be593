"""What a moderation policy changes about its labeling project."""

import pytest

from core.models import AuditEvent
from labeling.choices import Role
from labeling.models import Project
from tests.factories import ProjectFactory
from tests.factories.moderation import IntakePolicyFactory

pytestmark = pytest.mark.django_db


def test_a_project_a_policy_uses_cannot_be_deleted(api, make_member):
    project = ProjectFactory(label_classes=["ham", "spam"])
    admin = make_member(Role.ADMIN, proj=project)
    IntakePolicyFactory(project=project, automation_level="human_only")

    response = api.as_user(admin).delete(f"/api/v1/projects/{project.pk}/")

    assert response.status_code == 409
    assert "policies" in response.json()["message"]
    assert Project.objects.filter(pk=project.pk).exists()
    assert not AuditEvent.objects.filter(action="project.delete").exists()


def test_a_policy_can_start_with_a_name_and_a_project_only(api, make_member):
    project = ProjectFactory(label_classes=["ham", "spam"])
    admin = make_member(Role.ADMIN, proj=project)

    response = api.as_user(admin).post(
        "/api/v1/moderation/policies/",
        {"name": "Community rules", "project": project.pk, "automation_level": "assist"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["categories"] == []
    assert response.json()["automation_level"] == "assist"
