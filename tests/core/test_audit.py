"""The audit log as its readers see it: who changed what, before and after, and that nobody
can change or delete it, through the API or the database."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.services.audit import audit_record
from labeling.choices import Role
from labeling.models import ProjectMembership
from labeling.services.memberships import membership_add, membership_remove, membership_update
from labeling.services.projects import project_create, project_update
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDIT_URL = "/api/v1/audit/"


def scope_of(project) -> str:
    return f"labeling.project:{project.pk}"


@pytest.fixture
def admin(project):
    user = UserFactory(username="ada")
    MembershipFactory(project=project, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def other_project():
    return ProjectFactory(name="Another team's project")


def actions(response) -> list[str]:
    return [event["action"] for event in response.json()["results"]]


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


def test_changes_through_the_api_are_recorded_with_the_request_id(api, project, admin):
    client = api.as_user(admin)
    newcomer = UserFactory(username="mo")

    client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"audit_rate": 0.1},
        format="json",
        HTTP_X_REQUEST_ID="req-settings-1",
    )
    added = client.post(
        f"/api/v1/projects/{project.pk}/members/",
        {"username": "mo", "role": Role.MODERATOR},
        format="json",
    )
    client.patch(
        f"/api/v1/projects/{project.pk}/members/{added.json()['id']}/",
        {"role": Role.SENIOR_MODERATOR},
        format="json",
    )
    client.delete(f"/api/v1/projects/{project.pk}/members/{added.json()['id']}/")

    assert newcomer.pk is not None
    response = client.get(AUDIT_URL)
    assert actions(response) == ["member.remove", "member.role", "member.add", "project.update"]
    settings_event = response.json()["results"][-1]
    assert settings_event["request_id"] == "req-settings-1"
    assert settings_event["before"] == {"audit_rate": 0.05}
    assert settings_event["after"] == {"audit_rate": 0.1}
    assert settings_event["actor_name"] == "ada"
    assert response.json()["results"][0]["request_id"] not in {"", "req-settings-1"}


# --- reading: who sees what ---------------------------------------------------------------------


@pytest.fixture
def two_projects_events(project, other_project, admin):
    outsider_admin = UserFactory(username="bob")
    MembershipFactory(project=other_project, user=outsider_admin, role=Role.ADMIN)
    project_update(project=project, data={"retrain_every": 20}, actor=admin)
    project_update(project=other_project, data={"retrain_every": 30}, actor=outsider_admin)
    audit_record(actor=None, action="platform.create", object_type="moderation.platform")


def test_staff_read_every_event_newest_first(api, two_projects_events):
    staff = UserFactory(is_staff=True)

    response = api.as_user(staff).get(AUDIT_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert actions(response) == ["platform.create", "project.update", "project.update"]
    times = [event["created_at"] for event in body["results"]]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SENIOR_MODERATOR])
def test_project_admins_and_senior_moderators_read_only_their_projects_events(
    api, project, two_projects_events, role
):
    reader = UserFactory()
    MembershipFactory(project=project, user=reader, role=role)

    response = api.as_user(reader).get(AUDIT_URL)

    assert [e["scope"] for e in response.json()["results"]] == [scope_of(project)]


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.MODERATOR, Role.ML_ENGINEER])
def test_other_members_may_not_read_the_audit_log(api, project, two_projects_events, role):
    reader = UserFactory()
    MembershipFactory(project=project, user=reader, role=role)

    response = api.as_user(reader).get(AUDIT_URL)

    assert response.status_code == 403
    assert set(response.json()) == {"message", "extra"}


def test_an_event_of_another_project_is_not_found(api, project, other_project, admin):
    project_update(project=other_project, data={"retrain_every": 30})
    hidden = AuditEvent.objects.get(scope=scope_of(other_project))
    project_update(project=project, data={"retrain_every": 40}, actor=admin)
    mine = AuditEvent.objects.get(scope=scope_of(project))
    client = api.as_user(admin)

    assert client.get(f"{AUDIT_URL}{hidden.pk}/").status_code == 404
    found = client.get(f"{AUDIT_URL}{mine.pk}/")
    assert found.status_code == 200
    assert found.json()["after"] == {"retrain_every": 40}


def test_filters_narrow_the_list(api, project, admin):
    other_admin = UserFactory(username="cy")
    MembershipFactory(project=project, user=other_admin, role=Role.ADMIN)
    newcomer = UserFactory(username="dee")
    membership = membership_add(project=project, user=newcomer, role=Role.MODERATOR, actor=admin)
    membership_update(membership=membership, role=Role.SENIOR_MODERATOR, actor=other_admin)
    project_update(project=project, data={"retrain_every": 5}, actor=admin)
    client = api.as_user(admin)

    def listed(**params) -> list[str]:
        response = client.get(AUDIT_URL, params)
        assert response.status_code == 200, response.content
        return actions(response)

    assert listed(action="member.role") == ["member.role"]
    assert listed(action="member.") == ["member.role", "member.add"]
    assert listed(actor="ada") == ["project.update", "member.add"]
    assert listed(object_type="labeling.membership", object_id=str(membership.pk)) == [
        "member.role",
        "member.add",
    ]
    assert listed(scope=scope_of(project), action="project.update") == ["project.update"]
    assert listed(scope="labeling.project:999999") == []
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    earlier = (timezone.now() - timedelta(minutes=1)).isoformat()
    assert listed(since=later) == []
    assert len(listed(since=earlier, until=later)) == 3
    assert listed(until=earlier) == []


def test_filter_by_request_id_finds_what_one_request_did(api, project, admin):
    client = api.as_user(admin)
    client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"retrain_every": 9},
        format="json",
        HTTP_X_REQUEST_ID="abc-123",
    )
    client.patch(f"/api/v1/projects/{project.pk}/", {"retrain_every": 8}, format="json")

    response = client.get(AUDIT_URL, {"request_id": "abc-123"})

    assert [e["after"] for e in response.json()["results"]] == [{"retrain_every": 9}]


def test_a_malformed_date_filter_is_a_clear_400(api, admin):
    response = api.as_user(admin).get(AUDIT_URL, {"since": "last tuesday"})

    assert response.status_code == 400
    assert response.json()["message"].startswith("since:")


def test_the_list_reads_in_a_fixed_number_of_queries(
    api, project, admin, django_assert_num_queries
):
    for n in range(30):
        project_update(project=project, data={"retrain_every": n + 1}, actor=admin)
    client = api.as_user(admin)
    client.get(AUDIT_URL)  # warm the session

    # session, user, the reader's scopes (projects, policies), count, page: the same for 30
    # events as for 3
    with django_assert_num_queries(6):
        response = client.get(AUDIT_URL)

    assert response.json()["count"] == 30


# --- append-only -------------------------------------------------------------------------------


def _rows() -> list[tuple]:
    return list(AuditEvent.objects.order_by("id").values_list("id", "action", "before", "after"))


def test_no_api_method_changes_or_deletes_the_log(api, project, admin):
    project_update(project=project, data={"retrain_every": 11}, actor=admin)
    event = AuditEvent.objects.get()
    rows_before = _rows()
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = api.as_user(staff)
    body = {"action": "nothing.happened", "after": None}

    for path in (AUDIT_URL, f"{AUDIT_URL}{event.pk}/"):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(path, body, format="json")
            assert response.status_code == 405, (method, path)

    assert _rows() == rows_before


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


def test_the_actors_name_stays_when_the_user_is_deleted(api, project, admin):
    leaver = UserFactory(username="temporary-admin")
    MembershipFactory(project=project, user=leaver, role=Role.ADMIN)
    project_update(project=project, data={"retrain_every": 15}, actor=leaver)
    leaver_id = leaver.pk

    get_user_model().objects.filter(pk=leaver_id).delete()

    response = api.as_user(admin).get(AUDIT_URL)
    event = response.json()["results"][0]
    assert (event["actor_name"], event["actor_id"]) == ("temporary-admin", leaver_id)
    assert event["after"] == {"retrain_every": 15}
