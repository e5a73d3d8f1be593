"""The drift API as each kind of caller sees it: windows and alarm state for members, thresholds
changed by admins and ML engineers only, strangers and anonymous callers refused, bad values
refused with 400 and nothing changed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from labeling.models import DriftSettings, DriftWindow
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def window(project, number, alarms=(), items=500, **fields):
    start = timezone.now() - timedelta(days=10 - number)
    return DriftWindow.objects.create(
        project=project, number=number, started_at=start, ended_at=start + timedelta(hours=1),
        items=items, closed_by="size", alarms=list(alarms), **fields,
    )  # fmt: skip


def test_members_read_windows_newest_first_with_their_measures(project, make_member, api):
    window(project, 1, score_psi=0.01, domain_auc=0.52)
    window(project, 2, alarms=["domain_auc"], score_psi=0.4, domain_auc=0.97, note="<b>x</b>")
    client = api.as_user(make_member(Role.ANNOTATOR))

    body = client.get(f"/api/v1/projects/{project.pk}/drift/windows/").json()

    assert [w["number"] for w in body["results"]] == [2, 1]
    assert body["results"][0]["domain_auc"] == pytest.approx(0.97)
    assert body["results"][0]["alarms"] == ["domain_auc"]
    assert body["results"][0]["note"] == "<b>x</b>"  # data, escaped by the SPA when shown


def test_state_is_in_alarm_from_the_first_window_of_the_current_run(project, make_member, api):
    window(project, 1)
    first = window(project, 2, alarms=["score_psi"], score_psi=0.3)
    window(project, 3, alarms=["score_psi", "domain_auc"], score_psi=0.5)
    window(project, 4, items=10)  # too small to judge: does not end the alarm
    client = api.as_user(make_member(Role.MODERATOR))

    state = client.get(f"/api/v1/projects/{project.pk}/drift/").json()

    assert state["alarm"] is True
    assert state["alarms"] == ["score_psi", "domain_auc"]
    assert state["alarm_since"]["id"] == first.pk
    assert state["windows"] == 4
    assert state["settings"]["domain_auc_threshold"] == 0.65

    window(project, 5)
    assert client.get(f"/api/v1/projects/{project.pk}/drift/").json()["alarm"] is False


def test_state_without_windows_says_so(project, make_member, api):
    state = api.as_user(make_member(Role.ANNOTATOR)).get(f"/api/v1/projects/{project.pk}/drift/")
    assert state.status_code == 200
    assert state.json()["alarm"] is False
    assert state.json()["window"] is None
    assert state.json()["windows"] == 0


def test_reading_settings_writes_nothing_and_gives_the_defaults(project, make_member, api):
    body = api.as_user(make_member(Role.ANNOTATOR)).get(
        f"/api/v1/projects/{project.pk}/drift/settings/"
    )
    assert body.json()["window_max_items"] == 500
    assert body.json()["score_psi_threshold"] == 0.25
    assert not DriftSettings.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ML_ENGINEER])
def test_managers_change_thresholds_and_it_is_audited(project, make_member, api, role):
    client = api.as_user(make_member(role))

    response = client.patch(
        f"/api/v1/projects/{project.pk}/drift/settings/",
        {"domain_auc_threshold": 0.8, "retrain_on_alarm": True},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["domain_auc_threshold"] == 0.8
    settings = DriftSettings.objects.get(project=project)
    assert (settings.domain_auc_threshold, settings.retrain_on_alarm) == (0.8, True)
    assert settings.score_psi_threshold == 0.25
    event = AuditEvent.objects.get(action="drift.settings")
    assert event.before == {"domain_auc_threshold": 0.65, "retrain_on_alarm": False}
    assert event.after == {"domain_auc_threshold": 0.8, "retrain_on_alarm": True}


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.MODERATOR, Role.SENIOR_MODERATOR])
def test_other_members_may_not_change_thresholds(project, make_member, api, role):
    response = api.as_user(make_member(role)).patch(
        f"/api/v1/projects/{project.pk}/drift/settings/", {"score_psi_threshold": 9}, format="json"
    )
    assert response.status_code == 403
    assert not DriftSettings.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"score_psi_threshold": -1},
        {"score_psi_threshold": "lots"},
        {"domain_auc_threshold": 0.4},
        {"domain_auc_threshold": 1.5},
        {"overturn_share_threshold": 2},
        {"window_max_items": 10},
        {"window_max_items": 10**12},
        {"window_hours": 0},
        {"min_window_items": "<script>alert(1)</script>"},
        {"retrain_on_alarm": "perhaps"},
        '{"score_psi_threshold": NaN}',
        '{"domain_auc_threshold": Infinity}',
        "{not json",
        {"no_such_setting": 1},
        ["score_psi_threshold"],
    ],
)
def test_malformed_settings_are_refused_with_400_and_nothing_changes(
    project, make_member, api, body
):
    client = api.as_user(make_member(Role.ADMIN))
    url = f"/api/v1/projects/{project.pk}/drift/settings/"
    if isinstance(body, str):
        response = client.generic("PATCH", url, body, content_type="application/json")
    else:
        response = client.patch(url, body, format="json")
    assert response.status_code == 400, response.content
    assert not DriftSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="drift.settings").exists()


@pytest.mark.parametrize("path", ["drift/", "drift/windows/", "drift/settings/"])
def test_strangers_and_anonymous_callers_are_refused(project, make_member, api, path):
    window(project, 1)
    other = ProjectFactory()
    stranger = make_member(Role.ADMIN, proj=other)

    assert APIClient().get(f"/api/v1/projects/{project.pk}/{path}").status_code in (401, 403)
    assert api.as_user(stranger).get(f"/api/v1/projects/{project.pk}/{path}").status_code == 404
    if path == "drift/settings/":
        response = api.as_user(stranger).patch(
            f"/api/v1/projects/{project.pk}/{path}", {"score_psi_threshold": 1}, format="json"
        )
        assert response.status_code == 404
        assert APIClient().patch(
            f"/api/v1/projects/{project.pk}/{path}", {"score_psi_threshold": 1}, format="json"
        ).status_code in (401, 403)
