"""The audit log as services write it: one record per change, in the change's transaction, and
nobody can change or delete a record, through the ORM or the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from core.exceptions import ApplicationError
from core.models import AuditEvent
from labeling.choices import Role
from labeling.models import ProjectMembership
from labeling.services.memberships import membership_add, membership_remove, membership_update
from labeling.services.projects import project_create, project_update
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def scope_of(project) -> str:
    return f"labeling.project:{project.pk}"


@pytest.fixture
def admin(project):
    user = UserFactory(username="ada")
    MembershipFactory(project=project, user=user, role=Role.ADMIN)
    return user


# --- hooks: one record per change, in the change's transaction ------------------------------


def test_project_settings_change_records_only_the_changed_fields_before_and_after(project, admin):
    old_name = project.name
    project_update(
        project=project,
        data={"retrain_every": 10, "description": project.description, "name": "Spam triage"},
        actor=admin,
    )

    event = AuditEvent.objects.get()
    assert (event.action, event.actor_name, event.scope) == (
        "project.update",
        "ada",
        scope_of(project),
    )
    assert event.before == {"retrain_every": 50, "name": old_name}
    assert event.after == {"retrain_every": 10, "name": "Spam triage"}


def test_label_class_change_is_recorded_with_the_old_and_new_classes(project, admin):
    project_update(
        project=project, data={"label_classes": [{"name": "ham"}, {"name": "junk"}]}, actor=admin
    )

    event = AuditEvent.objects.get(action="project.update")
    assert [c["name"] for c in event.before["label_classes"]] == ["ham", "spam"]
    assert [c["name"] for c in event.after["label_classes"]] == ["ham", "junk"]


def test_saving_unchanged_settings_records_nothing(project, admin):
    project_update(project=project, data={"retrain_every": project.retrain_every}, actor=admin)

    assert not AuditEvent.objects.exists()


def test_project_creation_records_its_settings():
    creator = UserFactory(username="grace", is_staff=True)

    project = project_create(
        created_by=creator,
        name="Harassment",
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ok"}, {"name": "harassment"}],
        new_versions_start_in_shadow=True,
    )

    event = AuditEvent.objects.get()
    assert (event.action, event.actor_name, event.scope) == (
        "project.create",
        "grace",
        scope_of(project),
    )
    assert event.after["new_versions_start_in_shadow"] is True


def test_membership_add_role_change_and_removal_each_write_one_record(project, admin):
    newcomer = UserFactory(username="lin")

    membership = membership_add(project=project, user=newcomer, role=Role.MODERATOR, actor=admin)
    membership_update(membership=membership, role=Role.SENIOR_MODERATOR, actor=admin)
    membership_remove(membership=membership, actor=admin)

    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.action, e.before, e.after) for e in events] == [
        ("member.add", None, {"user": "lin", "role": "moderator"}),
        (
            "member.role",
            {"user": "lin", "role": "moderator"},
            {"user": "lin", "role": "senior_moderator"},
        ),
        ("member.remove", {"user": "lin", "role": "senior_moderator"}, None),
    ]
    assert {e.scope for e in events} == {scope_of(project)}
    assert {e.actor_name for e in events} == {"ada"}


def test_a_refused_change_leaves_no_record(project, admin):
    only_admin = ProjectMembership.objects.get(user=admin)

    with pytest.raises(ApplicationError):
        membership_update(membership=only_admin, role=Role.ANNOTATOR, actor=admin)
    with pytest.raises(ApplicationError):
        membership_add(project=project, user=admin, role=Role.ANNOTATOR, actor=admin)

    assert not AuditEvent.objects.exists()


def test_a_record_rolls_back_with_its_change(project, admin):
    def change_then_fail():
        with transaction.atomic():
            project_update(project=project, data={"retrain_every": 7}, actor=admin)
            raise RuntimeError("the caller's transaction fails after the change")

    with pytest.raises(RuntimeError):
        change_then_fail()

    project.refresh_from_db()
    assert project.retrain_every == 50
    assert not AuditEvent.objects.exists()


# --- append-only -------------------------------------------------------------------------------


def _rows() -> list[tuple]:
    return list(AuditEvent.objects.order_by("id").values_list("id", "action", "before", "after"))


def test_the_orm_refuses_to_update_or_delete_events(project, admin):
    project_update(project=project, data={"retrain_every": 12}, actor=admin)
    event = AuditEvent.objects.get()

    event.action = "project.nothing"
    with pytest.raises(ApplicationError):
        event.save()
    with pytest.raises(ApplicationError):
        event.delete()
    with pytest.raises(ApplicationError):
        AuditEvent.objects.update(action="project.nothing")
    with pytest.raises(ApplicationError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get().action == "project.update"


def test_the_database_itself_refuses_to_update_an_event(project, admin):
    project_update(project=project, data={"retrain_every": 13}, actor=admin)
    rows_before = _rows()

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_name = 'someone else'")

    assert _rows() == rows_before
    assert AuditEvent.objects.get().actor_name == "ada"


def test_postgresql_refuses_to_delete_an_event(project, admin):
    if connection.vendor != "postgresql":
        pytest.skip("DELETE is refused by a PostgreSQL trigger; SQLite keeps it for flush")
    project_update(project=project, data={"retrain_every": 14}, actor=admin)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")

    assert AuditEvent.objects.count() == 1
