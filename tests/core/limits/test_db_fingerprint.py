"""``db_fingerprint`` (tests.core.limits.helpers), which the hostile-input tests trust to say
"nothing was stored or changed": it sees a new row and any changed value, and ignores only the
bookkeeping it is told to (a user's last login)."""

import pytest
from django.utils import timezone

from labeling.models import Project
from tests.core.limits.helpers import db_fingerprint
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_fingerprint_changes_with_any_row_and_comes_back_with_the_same_values():
    user = UserFactory()
    before = db_fingerprint()
    assert db_fingerprint() == before

    project = ProjectFactory()
    with_project = db_fingerprint()
    assert with_project != before

    Project.objects.filter(pk=project.pk).update(name=project.name + "x")
    assert db_fingerprint() != with_project
    Project.objects.filter(pk=project.pk).update(name=project.name)
    assert db_fingerprint() == with_project

    type(user).objects.filter(pk=user.pk).update(email="someone-else@example.org")
    assert db_fingerprint() != with_project


def test_a_login_time_is_not_a_change():
    user = UserFactory()
    before = db_fingerprint()
    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())
    assert db_fingerprint() == before
