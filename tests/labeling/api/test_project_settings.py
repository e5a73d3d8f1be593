"""Changing a project's settings through the API: label classes renamed by id, classes that
labels use kept, hostile bodies refused with nothing stored, every change audited."""

import pytest

from core.models import AuditEvent
from labeling.choices import Role
from labeling.models import LabelClass, Project
from tests.factories import AnnotationFactory, ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def url(project) -> str:
    return f"/api/v1/projects/{project.pk}/"


@pytest.fixture
def admin(api, make_member):
    return api.as_user(make_member(Role.ADMIN))


def classes(project) -> list[tuple[int, str, str]]:
    return list(project.label_classes.order_by("order").values_list("id", "name", "hotkey"))


def test_renames_a_class_by_id_keeping_it(admin, project):
    ham, spam = project.label_classes.order_by("order")

    response = admin.patch(
        url(project),
        {"label_classes": [{"id": ham.pk, "name": "legit"}, {"id": spam.pk, "name": "spam"}]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert [(lc["id"], lc["name"]) for lc in response.json()["label_classes"]] == [
        (ham.pk, "legit"),
        (spam.pk, "spam"),
    ]
    event = AuditEvent.objects.filter(action="project.update").get()
    assert event.after["label_classes"][0]["name"] == "legit"


def test_swaps_two_names_by_id(admin, project):
    ham, spam = project.label_classes.order_by("order")

    response = admin.patch(
        url(project),
        {"label_classes": [{"id": ham.pk, "name": "spam"}, {"id": spam.pk, "name": "ham"}]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert classes(project) == [(ham.pk, "spam", "1"), (spam.pk, "ham", "2")]


def test_refuses_to_rename_a_class_that_labels_use(admin, project):
    ham, spam = project.label_classes.order_by("order")
    AnnotationFactory(item=ItemFactory(project=project), labels=["spam"])
    before = classes(project)

    response = admin.patch(
        url(project),
        {"label_classes": [{"id": ham.pk, "name": "ham"}, {"id": spam.pk, "name": "junk"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "'spam' (1 items)" in response.json()["message"]
    assert classes(project) == before
    assert not AuditEvent.objects.filter(action="project.update").exists()


def test_refuses_to_remove_a_class_that_labels_use_and_removes_an_unused_one(api, make_member):
    project = ProjectFactory(task_type="multiclass", label_classes=["a", "b", "c"])
    client = api.as_user(make_member(Role.ADMIN, proj=project))
    a, b, c = project.label_classes.order_by("order")
    AnnotationFactory(item=ItemFactory(project=project), labels=["c"])

    refused = client.patch(
        url(project),
        {"label_classes": [{"id": a.pk, "name": "a"}, {"id": b.pk, "name": "b"}]},
        format="json",
    )
    removed = client.patch(
        url(project),
        {"label_classes": [{"id": a.pk, "name": "a"}, {"id": c.pk, "name": "c"}]},
        format="json",
    )

    assert refused.status_code == 400
    assert refused.json()["extra"]["used"] == {"c": 1}
    assert removed.status_code == 200, removed.content
    assert [name for _, name, _ in classes(project)] == ["a", "c"]


def test_adds_a_class_with_colour_and_key(api, make_member):
    project = ProjectFactory(task_type="multiclass", label_classes=["a", "b"])
    client = api.as_user(make_member(Role.ADMIN, proj=project))
    a, b = project.label_classes.order_by("order")

    response = client.patch(
        url(project),
        {
            "label_classes": [
                {"id": a.pk, "name": "a"},
                {"id": b.pk, "name": "b"},
                {"name": "phishing", "colour": "#123456", "hotkey": "p"},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    added = LabelClass.objects.get(project=project, name="phishing")
    assert (added.colour, added.hotkey, added.order) == ("#123456", "p", 2)


def test_refuses_a_class_id_of_another_project(admin, project):
    foreign = ProjectFactory().label_classes.first()
    ham = project.label_classes.order_by("order").first()
    before = classes(project)

    response = admin.patch(
        url(project),
        {"label_classes": [{"id": ham.pk, "name": "ham"}, {"id": foreign.pk, "name": "stolen"}]},
        format="json",
    )

    assert response.status_code == 400
    assert classes(project) == before
    assert LabelClass.objects.get(pk=foreign.pk).name == foreign.name


def test_a_script_in_a_name_is_stored_as_text(admin, project):
    name = '<script>alert("x")</script>'

    response = admin.patch(url(project), {"name": name}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == name
    assert Project.objects.get(pk=project.pk).name == name


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x" * 201},
        {"name": ""},
        {"guidelines": "x" * 200_001},
        {"annotations_per_item": 0},
        {"annotations_per_item": "many"},
        {"label_classes": [{"name": f"c{n}"} for n in range(201)]},
        {"label_classes": [{"name": "a", "colour": "red"}, {"name": "b"}]},
        {"label_classes": [{"name": "a", "hotkey": "ab"}, {"name": "b"}]},
        {"label_classes": [{"id": "one", "name": "a"}, {"name": "b"}]},
        {"label_classes": "ham,spam"},
        {"few_shot_enabled": "sometimes"},
        {"few_shot_budget_seconds": 29},
        {"few_shot_budget_seconds": 1201},
        {"few_shot_budget_seconds": "<script>alert(1)</script>"},
    ],
    ids=lambda body: f"{next(iter(body))}={str(next(iter(body.values())))[:12]}",
)
def test_malformed_or_huge_settings_are_refused_and_nothing_changes(admin, project, body):
    before = (Project.objects.filter(pk=project.pk).values().get(), classes(project))

    response = admin.patch(url(project), body, format="json")

    assert response.status_code == 400
    assert response.json()["message"]
    assert (Project.objects.filter(pk=project.pk).values().get(), classes(project)) == before


def test_an_admin_turns_the_few_shot_model_on_for_a_text_project_and_it_is_audited(admin, project):
    response = admin.patch(
        url(project), {"few_shot_enabled": True, "few_shot_budget_seconds": 240}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["few_shot_enabled"] is True
    assert response.json()["few_shot_budget_seconds"] == 240
    event = AuditEvent.objects.filter(action="project.update", object_id=str(project.pk)).last()
    assert event.after["few_shot_enabled"] is True


def test_the_few_shot_model_is_refused_for_an_image_project(api, make_member):
    images = ProjectFactory(data_type="image", embedder="pixels")
    client = api.as_user(make_member(Role.ADMIN, proj=images))

    response = client.patch(url(images), {"few_shot_enabled": True}, format="json")

    assert response.status_code == 400
    assert "text projects only" in response.json()["message"]
    assert Project.objects.get(pk=images.pk).few_shot_enabled is False


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.ML_ENGINEER])
def test_members_who_do_not_manage_the_project_cannot_change_it(api, project, make_member, role):
    client = api.as_user(make_member(role))

    response = client.patch(url(project), {"name": "Mine now"}, format="json")

    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).name == project.name


def test_another_projects_admin_gets_404_and_anonymous_is_refused(api, project, make_member):
    other = ProjectFactory()
    outsider = api.as_user(make_member(Role.ADMIN, proj=other))

    assert outsider.patch(url(project), {"name": "x"}, format="json").status_code == 404
    api.logout()
    assert api.patch(url(project), {"name": "x"}, format="json").status_code in (401, 403)
    assert Project.objects.get(pk=project.pk).name == project.name


def preview_url(project) -> str:
    return f"/api/v1/projects/{project.pk}/guidelines/preview/"


def test_guidelines_preview_renders_markdown_without_scripts_and_saves_nothing(admin, project):
    response = admin.post(
        preview_url(project),
        {"guidelines": "**Spam** sells.\n\n<script>alert(1)</script><img src=x onerror=alert(1)>"},
        format="json",
    )

    assert response.status_code == 200
    html = response.json()["guidelines_html"]
    assert "<strong>Spam</strong>" in html
    assert "<script" not in html
    assert "onerror" not in html
    assert Project.objects.get(pk=project.pk).guidelines == ""


def test_guidelines_preview_refuses_huge_bodies_and_people_who_cannot_edit(
    api, admin, project, make_member
):
    assert (
        admin.post(preview_url(project), {"guidelines": "x" * 200_001}, format="json").status_code
        == 400
    )
    assert admin.post(preview_url(project), {"text": "x"}, format="json").status_code == 400
    annotator = api.as_user(make_member(Role.ANNOTATOR))
    assert (
        annotator.post(preview_url(project), {"guidelines": "x"}, format="json").status_code == 403
    )
    outsider = api.as_user(make_member(Role.ADMIN, proj=ProjectFactory()))
    assert (
        outsider.post(preview_url(project), {"guidelines": "x"}, format="json").status_code == 404
    )
    api.logout()
    assert api.post(preview_url(project), {"guidelines": "x"}, format="json").status_code in (
        401,
        403,
    )
