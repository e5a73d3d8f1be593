"""The audit log as its readers see it through the API: who changed what, before and after, in
which request; who may read what; and that no API method changes or deletes it."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import AuditEvent
from core.services.audit import audit_record
from labeling.choices import Role
from labeling.services.memberships import membership_add, membership_update
from labeling.services.projects import project_update
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


# --- changes through the API ----------------------------------------------------------------


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

    # session, user, the reader's scopes (projects, policies), count, page, and one query per
    # object type on the page (the project, by name): the same for 30 events as for 3
    with django_assert_num_queries(7):
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
