"""Every error under /api/ is the API's JSON body, with DEBUG off and on; other paths keep
Django's pages and the SPA."""

import pytest
from django.test import Client

from labeling.api import project_views as labeling_views
from labeling.models import Project
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def client():
    # Server errors are answered, not raised into the test.
    return Client(raise_request_exception=False)


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert body["message"]
    assert b"<html" not in response.content.lower()
    assert b"Traceback" not in response.content
    return body


def test_an_unknown_api_path_is_a_json_404(debug, client):
    body = assert_json_error(client.get("/api/v1/nope/"), 404)

    assert body["message"] == "Not found."


def test_an_unknown_path_outside_the_api_versions_is_a_json_404(debug, client):
    assert_json_error(client.post("/api/nope", {"a": 1}), 404)


@pytest.mark.parametrize("path", ["/api/v1/nonexistent/", "/api/anything", "/api", "/api/v2/"])
@pytest.mark.parametrize("accept", ["*/*", "text/html,application/xhtml+xml"])
def test_unknown_api_paths_answer_json_404_even_to_a_browser(debug, client, path, accept):
    body = assert_json_error(client.get(path, HTTP_ACCEPT=accept), 404)

    assert body["message"] == "Not found."


def test_a_malformed_json_body_is_a_json_400(debug, client):
    response = client.post("/api/v1/auth/login/", b'{"username": ', content_type="application/json")

    body = assert_json_error(response, 400)
    assert "JSON parse error" in body["message"]


def test_a_body_that_is_not_utf8_is_a_json_400(debug, client):
    response = client.post(
        "/api/v1/auth/login/", b'{"username": "\xff\xfe"}', content_type="application/json"
    )

    assert_json_error(response, 400)


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(debug, client):
    response = client.delete("/api/v1/auth/login/")

    assert_json_error(response, 405)
    assert "POST" in response["Allow"]


def test_a_wrong_method_on_the_schema_view_is_a_json_405(debug, client):
    assert_json_error(client.delete("/api/schema/"), 405)


def test_a_server_error_is_a_json_500_with_the_request_id_and_no_traceback(
    debug, client, monkeypatch
):
    user = UserFactory()
    client.force_login(user)

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(labeling_views, "project_list", broken)

    response = client.get("/api/v1/projects/", HTTP_X_REQUEST_ID="req-42")

    body = assert_json_error(response, 500)
    assert body["extra"] == {"request_id": "req-42"}
    assert b"disk on fire" not in response.content


def test_a_denied_permission_outside_drf_is_a_json_403(debug, client, settings):
    # Django's CSRF check on a plain (non-DRF) view under /api/: here the login page of
    # the admin would be HTML, the API's refusal is JSON.
    from django.http import HttpResponse
    from django.urls import path

    from config import urls as root_urls

    def plain_view(request):
        return HttpResponse("ok")

    class Urls:
        urlpatterns = [path("api/v1/plain/", plain_view), *root_urls.urlpatterns]
        handler403 = root_urls.handler403
        handler404 = root_urls.handler404

    settings.ROOT_URLCONF = Urls
    csrf_client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    assert_json_error(csrf_client.post("/api/v1/plain/", {"a": 1}), 403)


def test_pages_outside_the_api_keep_html(debug, client):
    missing = client.get("/static/nothing-here.js")
    spa = client.get("/projects/1/import")

    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/html")
    assert spa["Content-Type"].startswith("text/html")


def test_a_refused_request_changes_nothing(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)

    response = client.post(
        "/api/v1/projects/",
        b'{"name": "Broken", "label_classes": [',
        content_type="application/json",
    )

    assert_json_error(response, 400)
    assert not Project.objects.exists()
