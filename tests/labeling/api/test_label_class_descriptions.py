"""Label class descriptions: written with the project's settings, kept as plain text, bounded,
and changed only by the people who may change the classes."""

import pytest

from core.models import AuditEvent
from labeling.choices import Role
from labeling.models import LabelClass
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

SPAM = "Unsolicited advertising, prize or money scams, phishing."


def url(project) -> str:
    return f"/api/v1/projects/{project.pk}/"


@pytest.fixture
def admin(api, make_member):
    return api.as_user(make_member(Role.ADMIN))


def descriptions(project) -> list[tuple[str, str]]:
    return list(project.label_classes.order_by("order").values_list("name", "description"))


def test_an_admin_describes_classes_and_a_later_edit_without_descriptions_keeps_them(
    admin, project
):
    ham, spam = project.label_classes.order_by("order")

    response = admin.patch(
        url(project),
        {
            "label_classes": [
                {"id": ham.pk, "name": "ham", "description": "Ordinary personal mail."},
                {"id": spam.pk, "name": "spam", "description": SPAM},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    shown = [(lc["name"], lc["description"]) for lc in response.json()["label_classes"]]
    assert shown == [("ham", "Ordinary personal mail."), ("spam", SPAM)]
    event = AuditEvent.objects.filter(action="project.update").latest("id")
    assert event.after["label_classes"][1]["description"] == SPAM

    renamed = admin.patch(
        url(project),
        {"label_classes": [{"id": ham.pk, "name": "legit"}, {"id": spam.pk, "name": "spam"}]},
        format="json",
    )

    assert renamed.status_code == 200, renamed.json()
    assert descriptions(project) == [("legit", "Ordinary personal mail."), ("spam", SPAM)]


def test_a_new_project_takes_descriptions_with_its_classes(api):
    staff = api.as_user(UserFactory(is_staff=True))

    response = staff.post(
        "/api/v1/projects/",
        {
            "name": "Mail",
            "task_type": "binary",
            "label_classes": [{"name": "ham"}, {"name": "spam", "description": SPAM}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert [lc["description"] for lc in response.json()["label_classes"]] == ["", SPAM]


def test_a_script_in_a_description_is_stored_and_returned_as_text(admin, project):
    ham, spam = project.label_classes.order_by("order")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> & spam'

    response = admin.patch(
        url(project),
        {
            "label_classes": [
                {"id": ham.pk, "name": "ham"},
                {"id": spam.pk, "name": "spam", "description": hostile},
            ]
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["label_classes"][1]["description"] == hostile
    assert LabelClass.objects.get(pk=spam.pk).description == hostile


@pytest.mark.parametrize(
    "description", ["x" * 2001, None, "nul\x00byte"], ids=["too-long", "null", "nul"]
)
def test_a_description_that_is_too_long_or_not_text_is_refused(admin, project, description):
    ham, spam = project.label_classes.order_by("order")
    before = descriptions(project)

    response = admin.patch(
        url(project),
        {
            "label_classes": [
                {"id": ham.pk, "name": "ham"},
                {"id": spam.pk, "name": "spam", "description": description},
            ]
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["message"]
    assert descriptions(project) == before


def test_a_description_for_another_projects_class_is_refused(admin, project):
    foreign = ProjectFactory().label_classes.first()
    ham = project.label_classes.order_by("order").first()

    response = admin.patch(
        url(project),
        {
            "label_classes": [
                {"id": ham.pk, "name": "ham"},
                {"id": foreign.pk, "name": foreign.name, "description": "mine now"},
            ]
        },
        format="json",
    )

    assert 400 <= response.status_code < 500
    assert LabelClass.objects.get(pk=foreign.pk).description == ""


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.ML_ENGINEER, None])
def test_only_people_who_manage_the_project_change_descriptions(api, project, make_member, role):
    ham, spam = project.label_classes.order_by("order")
    client = api.as_user(make_member(role))

    response = client.patch(
        url(project),
        {
            "label_classes": [
                {"id": ham.pk, "name": "ham", "description": "changed"},
                {"id": spam.pk, "name": "spam"},
            ]
        },
        format="json",
    )

    assert response.status_code == (403 if role else 404)
    assert descriptions(project) == [("ham", ""), ("spam", "")]
