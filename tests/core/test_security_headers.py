"""Security headers on every response: the SPA, API answers and errors, docs, admin, files."""

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from labeling.choices import Role
from tests.factories import ItemFactory, MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def directives(response) -> dict[str, str]:
    found = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            found[name] = value
    return found


def assert_common_headers(response) -> None:
    for header, value in EVERYWHERE.items():
        assert response[header] == value, header
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def assert_strict_page_policy(response) -> None:
    csp = directives(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.fixture
def member():
    project = ProjectFactory()
    user = UserFactory()
    MembershipFactory(project=project, user=user, role=Role.ADMIN)
    client = APIClient()
    client.force_login(user)
    client.project = project
    return client


def test_the_single_page_app_is_served_under_the_strict_policy(client):
    response = client.get("/projects/1/annotate")

    assert response.status_code in {200, 503}  # 503 when the frontend is not built
    assert response["Content-Type"].startswith("text/html")
    assert_common_headers(response)
    assert_strict_page_policy(response)
    assert directives(response)["style-src"] == "'self'"


def test_an_api_answer_carries_the_headers(member):
    response = member.get("/api/v1/projects/")

    assert response.status_code == 200
    assert_common_headers(response)
    assert_strict_page_policy(response)


def test_an_api_error_carries_the_headers(member):
    missing = member.get("/api/v1/projects/999999/")
    anonymous = APIClient().get("/api/v1/projects/")

    assert missing.status_code == 404
    assert anonymous.status_code in {401, 403}
    for response in (missing, anonymous):
        assert set(response.json()) == {"message", "extra"}
        assert_common_headers(response)
        assert_strict_page_policy(response)


def test_a_server_error_carries_the_headers(member, monkeypatch):
    from labeling.api import project_views

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(project_views, "project_list", broken)
    member.raise_request_exception = False

    response = member.get("/api/v1/projects/")

    assert response.status_code == 500
    assert "the database went away" not in response.content.decode()
    assert_common_headers(response)
    assert_strict_page_policy(response)


def test_a_file_download_keeps_its_own_sandbox_policy(member):
    item = ItemFactory(project=member.project, text="")
    item.image.save("x.png", ContentFile(PNG), save=True)

    response = member.get(f"/api/v1/projects/{member.project.pk}/items/{item.pk}/image/")

    assert response.status_code == 200
    assert_common_headers(response)
    csp = directives(response)
    assert "sandbox" in csp
    assert csp["default-src"] == "'none'"
    assert "script-src" not in csp


def test_the_old_media_path_answers_404_with_the_headers(member):
    item = ItemFactory(project=member.project, text="")
    item.image.save("x.png", ContentFile(PNG), save=True)

    response = member.get(f"/media/{item.image.name}")

    assert response.status_code == 404
    assert PNG not in response.content
    assert_common_headers(response)


def test_the_api_docs_may_use_inline_styles_and_a_blob_worker_but_no_inline_script(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert_common_headers(response)
    csp = directives(response)
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self' 'unsafe-inline'"
    assert csp["worker-src"] == "'self' blob:"
    assert csp["frame-ancestors"] == "'none'"
    page = response.content.decode()
    assert "fonts.googleapis.com" not in page
    assert "<script>" not in page  # only <script src=…>


def test_an_unknown_path_outside_the_api_still_gets_the_headers(client):
    response = client.get("/static/no-such-file.js")

    assert response.status_code == 404
    assert_common_headers(response)
    assert "Content-Security-Policy" in response
