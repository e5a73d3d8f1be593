"""Policies: what creating one changes about its labeling project."""

import pytest

from core.models import AuditEvent
from labeling.choices import Role
from moderation.services.policies import policy_create
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_policy_makes_new_model_versions_start_in_shadow(make_member):
    project = ProjectFactory(label_classes=["ham", "spam"])
    admin = make_member(Role.ADMIN, proj=project)
    assert not project.new_versions_start_in_shadow

    policy_create(
        user=admin,
        project=project,
        name="Community rules",
        automation_level="partial",
        categories=[
            {
                "name": "spam",
                "label_class": "spam",
                "severity": 3,
                "remove_threshold": 0.95,
                "allow_threshold": 0.05,
                "sla_hours": 12,
                "rules": [],
            }
        ],
    )

    project.refresh_from_db()
    assert project.new_versions_start_in_shadow
    change = AuditEvent.objects.get(action="project.update", object_id=str(project.pk))
    assert change.actor_name == admin.username
    assert change.after == {"new_versions_start_in_shadow": True}
